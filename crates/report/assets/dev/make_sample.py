#!/usr/bin/env python3
"""Turn a dlp results folder into the report page's data (dev samples only).

    python3 make_sample.py RESULTS_DIR OUT.json [--grid N] [--classes K] [--base64] [--fail I]

Reads runs.csv, epochs.csv, experiment.toml and report.md of RESULTS_DIR and writes the JSON
that report.js renders (the schema is in ../README.md). The Rust report crate produces the
real thing; this script exists so that the page can be developed and checked on realistic
data. What is real: swept keys and values, runs, metrics, curves, claims (text and verdict from
report.md). What is made up: decision boundaries (a spiral-shaped probability field sharpened
by the group's accuracy, and freshly drawn spiral test points), and importance is a plain
variance decomposition (main effect of each key over the total variance of the runs).
Standard library only (no numpy).
"""

import argparse
import base64
import csv
import json
import math
import random
import re
import tomllib
from pathlib import Path

METRICS = [
    ("final_test_acc", "final test accuracy", "higher"),
    ("best_test_acc", "best test accuracy", "higher"),
    ("final_test_loss", "final test loss", "lower"),
    ("epochs_to_threshold", "epochs to threshold", "lower"),
    ("seconds_to_threshold", "seconds to threshold", "lower"),
]
CURVES = ["train_loss", "test_loss", "train_acc", "test_acc"]
# Student t quantile 0.975 for df = 1..30; 1.96 beyond.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def num(s):
    """A CSV cell as a finite float, or None (empty, NaN, inf)."""
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def stats(xs):
    xs = [x for x in xs if x is not None]
    n = len(xs)
    if n == 0:
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    mean = sum(xs) / n
    if n < 2:
        return {"mean": mean, "lo": None, "hi": None, "n": 1}
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = (T975[n - 2] if n - 1 <= 30 else 1.96) * sd / math.sqrt(n)
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "n": n}


def is_log(values):
    v = sorted(values)
    return v[0] > 0 and v[-1] / v[0] >= 10


def swept_keys(header):
    """Columns between `seed` and `dataset` in runs.csv are the swept keys."""
    return header[header.index("seed") + 1: header.index("dataset")]


def spiral_field(x, y, sharp, phase):
    """p1 of a two-spiral classifier: sharp = 0 gives a blurry linear guess."""
    r = math.hypot(x, y)
    t = math.atan2(y, x)
    spiral = math.sin(t - 2.6 * r + phase)  # +1 on class 1's arm, -1 on class 0's
    linear = 0.35 * (x + 0.4 * y)
    z = sharp * 6.0 * spiral + (1 - sharp) * linear
    return 1 / (1 + math.exp(-z))


def spiral_points(rng, n, noise):
    xs, ys, labels = [], [], []
    for i in range(n):
        label = i % 2
        r = rng.uniform(0.2, 3.6)
        t = 2.6 * r + (math.pi / 2 if label else -math.pi / 2)  # on the arm of p1's field
        x = r * math.cos(t) + rng.gauss(0, noise * 0.35)
        y = r * math.sin(t) + rng.gauss(0, noise * 0.35)
        xs.append(round(x, 3))
        ys.append(round(y, 3))
        labels.append(label)
    return xs, ys, labels


def boundary(group, run, which, grid, classes, rng, b64=False):
    acc = run["metrics"]["final_test_acc"] or 0.5
    sharp = max(0.0, min(1.0, (acc - 0.5) / 0.45)) ** 2
    ext = 4.0
    nx = ny = grid
    p1, cls, conf = [], [], []
    for j in range(ny):
        y = ext - 2 * ext * j / (ny - 1)  # first row at y = ymax
        for i in range(nx):
            x = -ext + 2 * ext * i / (nx - 1)
            p = spiral_field(x, y, sharp, 0.0)
            if classes == 2:
                p1.append(round(p, 3))
            else:
                t = (math.atan2(y, x) - 2.6 * math.hypot(x, y) * sharp) % (2 * math.pi)
                k = int(t / (2 * math.pi) * classes) % classes
                frac = (t / (2 * math.pi) * classes) % 1
                cls.append(k)
                conf.append(round(0.34 + 0.66 * sharp * (1 - abs(frac - 0.5) * 2) ** 0.3, 3))
    xs, ys, labels = spiral_points(rng, 300, 0.4)
    if classes > 2:
        labels = [int(((math.atan2(y, x) - 2.6 * math.hypot(x, y)) % (2 * math.pi))
                      / (2 * math.pi) * classes) % classes for x, y in zip(xs, ys)]
    g = {"x": [-ext, ext], "y": [-ext, ext], "nx": nx, "ny": ny}
    if classes == 2:
        g["p1"] = base64.b64encode(bytes(round(p * 255) for p in p1)).decode() if b64 else p1
    else:
        g["class"] = cls
        g["confidence"] = conf
    return {"cell": group["cell"], "label": group["label"], "which": which, "seed": run["seed"],
            "run_id": run["run_id"], "test_acc": run["metrics"]["final_test_acc"],
            "classes": classes, "grid": g, "points": {"x": xs, "y": ys, "label": labels}}


def claims_of(folder):
    exp = tomllib.loads((folder / "experiment.toml").read_text())
    md = (folder / "report.md").read_text() if (folder / "report.md").exists() else ""
    out = []
    for e in exp.get("expect", []):
        m = re.search(r"^- \*\*(PASS|FAIL)\*\* " + re.escape(e["claim"]) + r": (.*)$", md, re.M)
        keys = list(e.get("where", {}).keys())
        keys += [k for k in e.get("than", {}) if k not in keys]
        out.append({"claim": e["claim"], "passed": bool(m and m.group(1) == "PASS"),
                    "detail": m.group(2) if m else "not evaluated",
                    "metric": e.get("metric"), "keys": keys})
    return exp, out


def importance(runs, swept, groups):
    out = {}
    for mid, _, _ in METRICS:
        pairs = [(r, r["metrics"][mid]) for r in runs
                 if r["status"] == "ok" and r["metrics"][mid] is not None]
        if len(pairs) < 3 or not swept:
            out[mid] = []
            continue
        mean = sum(v for _, v in pairs) / len(pairs)
        total = sum((v - mean) ** 2 for _, v in pairs)
        shares = []
        for key in swept:
            by = {}
            for r, v in pairs:
                by.setdefault(groups[r["cell"]]["values"][key], []).append(v)
            between = sum(len(vs) * (sum(vs) / len(vs) - mean) ** 2 for vs in by.values())
            shares.append({"key": key, "share": round(between / total, 4) if total > 0 else 0.0})
        out[mid] = sorted(shares, key=lambda s: -s["share"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--grid", type=int, default=80, help="boundary grid side (nx = ny)")
    ap.add_argument("--classes", type=int, default=2, help="fake boundaries with K classes")
    ap.add_argument("--base64", action="store_true",
                    help="write p1 as base64 bytes (round(p1 * 255)), the compact form")
    ap.add_argument("--no-boundaries", action="store_true")
    ap.add_argument("--fail", type=int, action="append", default=[],
                    help="pretend run number I failed (no metrics, no curves), to test the page")
    a = ap.parse_args()
    folder = a.folder
    rng = random.Random(7)

    with open(folder / "runs.csv") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    swept = swept_keys(header)
    exp, claims = claims_of(folder)

    values = {k: [] for k in swept}
    for r in rows:
        for k in swept:
            if r[k] not in values[k]:
                values[k].append(r[k])
    swept_out = []
    for k in swept:
        nums = [num(v) for v in values[k]]
        numeric = all(v is not None for v in nums)
        if numeric:
            values[k].sort(key=float)
        swept_out.append({"key": k, "values": values[k], "numeric": numeric,
                          "log": numeric and is_log([float(v) for v in values[k]])})

    curves = {}
    with open(folder / "epochs.csv") as f:
        for e in csv.DictReader(f):
            c = curves.setdefault(e["run_id"], {"epoch": []} | {s: [] for s in CURVES})
            c["epoch"].append(int(e["epoch"]))
            for s in CURVES:
                c[s].append(num(e[s]))

    runs = []
    for r in rows:
        runs.append({"run_id": r["run_id"], "cell": int(r["cell"]), "seed": int(r["seed"]),
                     "status": r["status"],
                     "metrics": {m: num(r[m]) for m, _, _ in METRICS},
                     "curves": curves.get(r["run_id"], {"epoch": []})})

    for i in a.fail:
        runs[i].update(status="failed", metrics={m: None for m, _, _ in METRICS},
                       curves={"epoch": []} | {s: [] for s in CURVES})

    cells = sorted({r["cell"] for r in runs})
    groups = {}
    for c in cells:
        members = [i for i, r in enumerate(runs) if r["cell"] == c]
        first = rows[members[0]]
        vals = {k: first[k] for k in swept}
        label = ", ".join(f"{k}={v}" for k, v in vals.items()) or "(all)"
        ok = [runs[i] for i in members if runs[i]["status"] == "ok"]
        groups[c] = {"cell": c, "label": label, "values": vals, "runs": members,
                     "stats": {m: stats([r["metrics"][m] for r in ok]) for m, _, _ in METRICS}}

    bounds = []
    if not a.no_boundaries:
        for c in cells:
            ok = [runs[i] for i in groups[c]["runs"] if runs[i]["status"] == "ok"]
            ok.sort(key=lambda r: -(r["metrics"]["final_test_acc"] or 0))
            if not ok:
                continue
            bounds.append(boundary(groups[c], ok[0], "best", a.grid, a.classes, rng, a.base64))
            if len(ok) > 1:
                bounds.append(boundary(groups[c], ok[len(ok) // 2], "median", a.grid,
                                       a.classes, rng, a.base64))

    manifest = {}
    if (folder / "manifest.toml").exists():
        for k, v in tomllib.loads((folder / "manifest.toml").read_text()).items():
            manifest[k] = v if isinstance(v, str) else json.dumps(v)

    data = {
        "name": exp.get("name", folder.name),
        "description": exp.get("description"),
        "manifest": manifest,
        "swept": swept_out,
        "metrics": [{"id": m, "label": l, "better": b} for m, l, b in METRICS],
        "groups": [groups[c] for c in cells],
        "runs": runs,
        "claims": claims,
        "importance": importance(runs, swept, groups),
        "boundaries": bounds,
    }
    a.out.write_text(json.dumps(data, separators=(",", ":"), allow_nan=False))


if __name__ == "__main__":
    main()
