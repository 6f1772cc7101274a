"""The TP1 runs in PyTorch (CPU, one thread) and scikit-learn, timed side by side with dlp.

Run through benches/peers/compare.sh, which makes the virtual environment, builds dlp and
passes the paths. This file is the driver: it runs the dlp binary as a subprocess (timing the
whole process and reading `train_seconds` from runs.csv) and the peers in this process,
interleaved repetition by repetition so that every tool sees the same machine load, and prints
one table of medians.

    python peers.py cases  --dlp target/release/dlp --reps 5
    python peers.py study  --dlp target/release/dlp --files experiments/tp1/*.toml [--full]
    python peers.py one torch-b10           # one canonical PyTorch run (for /usr/bin/time -v)

Everything here is plain PyTorch / scikit-learn / numpy; nothing comes from dlp except the
configurations (cells/*.toml of a dlp results folder) and the numbers dlp reports.
"""

import argparse
import csv
import glob
import shutil
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import warnings

# One thread everywhere (BLAS for numpy / scikit-learn, intra-op for PyTorch). compare.sh
# exports these too; setting them before the imports makes the script safe to run alone.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


# --------------------------------------------------------------------------------------------
# Data: the TP1 spirals (course facts): phi ~ U(1, 15); p = ((phi+1) cos phi, phi sin phi)
# + N(0, noise^2) per coordinate; the second half negated and labelled 1. Seeds differ from
# dlp's (another generator), the distribution is the same.


def tp1_spirals(n, noise, rng):
    phi = rng.uniform(1.0, 15.0, size=n)
    x = (phi + 1.0) * np.cos(phi) + rng.normal(0.0, noise, size=n)
    y = phi * np.sin(phi) + rng.normal(0.0, noise, size=n)
    p = np.stack([x, y], axis=1)
    labels = np.zeros(n, dtype=np.float32)
    half = n // 2
    p[half:] = -p[half:]
    labels[half:] = 1.0
    return p.astype(np.float32), labels


def tp1_data(seed, n_train=4000, n_test=1000, noise=0.4):
    rng = np.random.default_rng(1000 + seed)
    xtr, ytr = tp1_spirals(n_train, noise, rng)
    xte, yte = tp1_spirals(n_test, noise, rng)
    return xtr, ytr, xte, yte


# --------------------------------------------------------------------------------------------
# PyTorch: the usual training loop.

ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": lambda: nn.GELU(approximate="tanh"),
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}


def mlp(hidden, activation, sigmoid_head):
    layers, width = [], 2
    for h in hidden:
        layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
        width = h
    layers.append(nn.Linear(width, 1))
    if sigmoid_head:
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def torch_loss(name):
    """(loss module, sigmoid head?, decision threshold on the model's output)."""
    if name == "bce_with_logits":
        return nn.BCEWithLogitsLoss(), False, 0.0
    if name == "bce":
        return nn.BCELoss(), True, 0.5
    if name == "mse":
        return nn.MSELoss(), True, 0.5
    raise ValueError(f"loss {name!r} not implemented in the PyTorch peer")


def torch_optimizer(params, o):
    name = o.get("name", "adam")
    if name == "adam":
        return torch.optim.Adam(params, lr=o["lr"], betas=tuple(o.get("betas", (0.9, 0.999))),
                                eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0),
                                amsgrad=o.get("amsgrad", False))
    if name == "adamw":
        return torch.optim.AdamW(params, lr=o["lr"], betas=tuple(o.get("betas", (0.9, 0.999))),
                                 eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 1e-2),
                                 amsgrad=o.get("amsgrad", False))
    if name == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0.0),
                               dampening=o.get("dampening", 0.0),
                               weight_decay=o.get("weight_decay", 0.0),
                               nesterov=o.get("nesterov", False))
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=o["lr"], alpha=o.get("alpha", 0.99),
                                   eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0),
                                   momentum=o.get("momentum", 0.0),
                                   centered=o.get("centered", False))
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=o["lr"], lr_decay=o.get("lr_decay", 0.0),
                                   weight_decay=o.get("weight_decay", 0.0),
                                   initial_accumulator_value=o.get("initial_accumulator_value", 0.0),
                                   eps=o.get("eps", 1e-10))
    raise ValueError(f"optimizer {name!r} not implemented in the PyTorch peer")


def scheduled_lr(s, lr0, lr_prev, epoch, losses):
    """Learning rate for `epoch` (1-based) from the schedule table; losses[e] = train loss after e."""
    name = s.get("name", "constant")
    if name == "constant":
        return lr0
    if name == "step":  # StepLR
        return lr0 * s.get("gamma", 0.1) ** ((epoch - 1) // s["step_size"])
    if name == "exponential":
        return lr0 * s["gamma"] ** (epoch - 1)
    if name == "cosine":
        eta = s.get("eta_min", 0.0)
        return eta + (lr0 - eta) * (1 + math.cos(math.pi * (epoch - 1) / s["t_max"])) / 2
    if name == "loss_increase":  # the TP1 report's rule: decay when the epoch loss rises
        if len(losses) >= 2 and losses[-1] > losses[-2]:
            return lr_prev * s.get("factor", 0.5)
        return lr_prev
    raise ValueError(f"schedule {name!r} not implemented in the PyTorch peer")


def torch_train(cfg, data, seed, evaluate=True):
    """Trains one configuration; returns (seconds, final test accuracy or None).

    Timed from model construction to the end of the last epoch; the data is already made
    (as in dlp, where generating it takes 0.14 ms). With `evaluate`, like dlp: loss and
    accuracy on the full training and test sets before training and after every epoch, under
    torch.no_grad().
    """
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in data)
    ytr, yte = ytr.unsqueeze(1), yte.unsqueeze(1)
    m, o, t = cfg["model"], cfg["optim"], cfg["train"]
    loss_fn, sigmoid_head, threshold = torch_loss(cfg["loss"]["name"])
    schedule = o.get("schedule", {"name": "constant"})
    n, bs, lr0 = xtr.shape[0], t["batch_size"], o["lr"]

    torch.manual_seed(seed)
    start = time.perf_counter()
    model = mlp(m["hidden"], m.get("activation", "relu"), sigmoid_head)
    opt = torch_optimizer(model.parameters(), o)

    def measure():
        with torch.no_grad():
            out_tr, out_te = model(xtr), model(xte)
            return (loss_fn(out_tr, ytr).item(),
                    ((out_tr > threshold).float() == ytr).float().mean().item(),
                    loss_fn(out_te, yte).item(),
                    ((out_te > threshold).float() == yte).float().mean().item())

    losses, metrics, lr = [], None, lr0
    if evaluate:
        metrics = measure()
        losses.append(metrics[0])
    for epoch in range(1, t["epochs"] + 1):
        lr = scheduled_lr(schedule, lr0, lr, epoch, losses)
        for group in opt.param_groups:
            group["lr"] = lr
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if evaluate:
            model.eval()
            metrics = measure()
            losses.append(metrics[0])
    seconds = time.perf_counter() - start
    if not evaluate:  # the accuracy, outside the timing
        model.eval()
        metrics = measure()
    return seconds, metrics[3]


# --------------------------------------------------------------------------------------------
# scikit-learn: MLPClassifier with Adam, no L2, no early stopping, every epoch run.


def sklearn_train(cfg, data, seed, evaluate=False):
    """fit() for `epochs` iterations; with `evaluate`, partial_fit one epoch at a time and
    the full train/test log-loss and accuracy after each (and before the first), like dlp."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    xtr, ytr, xte, yte = data
    m, t = cfg["model"], cfg["train"]
    clf = MLPClassifier(hidden_layer_sizes=tuple(m["hidden"]), activation=m["activation"],
                        solver="adam", alpha=0.0, batch_size=t["batch_size"],
                        learning_rate_init=cfg["optim"]["lr"], max_iter=t["epochs"],
                        shuffle=True, tol=0.0, n_iter_no_change=10**9, early_stopping=False,
                        random_state=seed)
    classes = np.array([0.0, 1.0], dtype=np.float32)

    def measure():
        p_tr, p_te = clf.predict_proba(xtr)[:, 1], clf.predict_proba(xte)[:, 1]
        return (log_loss(ytr, p_tr, labels=classes), ((p_tr > 0.5) == ytr).mean(),
                log_loss(yte, p_te, labels=classes), ((p_te > 0.5) == yte).mean())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        if evaluate:
            clf.set_params(max_iter=1)
            # partial_fit runs one shuffled epoch. The first call creates the weights, so there
            # is no epoch-0 evaluation to make: evaluate after every epoch, plus once more to
            # match dlp's epochs + 1 evaluations.
            for _ in range(t["epochs"]):
                clf.partial_fit(xtr, ytr, classes=classes)
                measure()
            measure()
        else:
            clf.fit(xtr, ytr)
        seconds = time.perf_counter() - start
    if not evaluate:  # tol = 0 and n_iter_no_change huge: every epoch ran
        assert clf.n_iter_ == t["epochs"], (clf.n_iter_, t["epochs"])
    acc = float(((clf.predict_proba(xte)[:, 1] > 0.5) == yte).mean())
    return seconds, acc


# --------------------------------------------------------------------------------------------
# dlp: the release binary on a one-seed experiment file, whole process timed.

EXPERIMENT = """name = "{name}"
seeds = 1

[data]
kind = "tp1_spirals"
n_train = 4000
n_test = 1000
noise = 0.4

[model]
hidden = {hidden}
activation = "relu"

[loss]
name = "bce_with_logits"

[optim]
name = "adam"
lr = 0.01

[train]
epochs = {epochs}
batch_size = {batch}
"""


def canonical_cfg(hidden, batch, epochs=10):
    return {"model": {"hidden": hidden, "activation": "relu"},
            "loss": {"name": "bce_with_logits"},
            "optim": {"name": "adam", "lr": 0.01},
            "train": {"epochs": epochs, "batch_size": batch}}


def read_runs(folder):
    with open(os.path.join(folder, "runs.csv"), newline="") as f:
        return list(csv.DictReader(f))


def dlp_run(dlp, files, out, jobs=1, extra=()):
    """Whole-process wall time of `dlp run FILES -q --fresh --out OUT -j JOBS [EXTRA]`."""
    cmd = [dlp, "run", *files, "-q", "--fresh", "--out", out, "--jobs", str(jobs), *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    # exit 1 can be a failed [[expect]] claim (the study's business, not speed's): accept it
    # when every run was written; anything else is an error.
    if proc.returncode not in (0, 1):
        sys.exit(f"dlp failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return seconds, proc.returncode, proc.stderr


# --------------------------------------------------------------------------------------------
# The cases, interleaved.

CASES = [
    # key, label, hidden, batch, sklearn? (every case runs scikit-learn too)
    ("b10", "canonical, batch 10", [20, 20], 10, True),
    ("b100", "canonical, batch 100", [20, 20], 100, True),
    ("b1000", "canonical, batch 1000", [20, 20], 1000, True),
    ("wide", "hidden [128, 128], batch 100", [128, 128], 100, True),
]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def cmd_cases(args):
    work = tempfile.mkdtemp(prefix="dlp-peers-")
    files = {}
    for key, _, hidden, batch, _ in CASES:
        path = os.path.join(work, f"{key}.toml")
        with open(path, "w") as f:
            f.write(EXPERIMENT.format(name=f"peer-{key}", hidden=hidden, epochs=10, batch=batch))
        files[key] = path
    data = tp1_data(0)
    times = {key: {k: [] for k in ("dlp_proc", "dlp_bare", "dlp_train", "torch_eval",
                                   "torch_noeval", "sk_fit", "sk_eval")} for key, *_ in CASES}
    accs = {key: {k: [] for k in ("dlp", "torch", "sk")} for key, *_ in CASES}
    # One untimed warm-up of everything (page cache, lazy imports, torch's first-call paths).
    for key, _, hidden, batch, sk in CASES:
        cfg = canonical_cfg(hidden, batch, epochs=1)
        dlp_run(args.dlp, [files[key]], os.path.join(work, "warm"))
        torch_train(cfg, data, 0)
        if sk:
            sklearn_train(cfg, data, 0)
    for rep in range(args.reps):
        for key, label, hidden, batch, sk in CASES:
            cfg = canonical_cfg(hidden, batch)
            seed = rep
            out = os.path.join(work, "out")
            s, _, _ = dlp_run(args.dlp, [files[key]], out)
            row = read_runs(os.path.join(out, f"peer-{key}"))[0]
            times[key]["dlp_proc"].append(s)
            times[key]["dlp_train"].append(float(row["train_seconds"]))
            # The same without the report (plots, HTML): what the Python loops also leave out.
            s, _, _ = dlp_run(args.dlp, [files[key]], out, extra=["--no-report"])
            times[key]["dlp_bare"].append(s)
            accs[key]["dlp"].append(float(row["final_test_acc"]))
            s, acc = torch_train(cfg, data, seed, evaluate=True)
            times[key]["torch_eval"].append(s)
            accs[key]["torch"].append(acc)
            s, acc = torch_train(cfg, data, seed, evaluate=False)
            times[key]["torch_noeval"].append(s)
            accs[key]["torch"].append(acc)
            if sk:
                s, acc = sklearn_train(cfg, data, seed, evaluate=False)
                times[key]["sk_fit"].append(s)
                accs[key]["sk"].append(acc)
                s, acc = sklearn_train(cfg, data, seed, evaluate=True)
                times[key]["sk_eval"].append(s)
        print(f"  repetition {rep + 1}/{args.reps} done (load {os.getloadavg()[0]:.2f})",
              file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    result = {"times": times, "accs": accs, "reps": args.reps}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print_cases(result)


def print_cases(result):
    ms = lambda xs: f"{med(xs) * 1e3:8.1f}"  # noqa: E731
    print(f"\nMedians over {result['reps']} interleaved repetitions (ms; 10 epochs, 4000/1000 points, "
          "one thread each)\n")
    head = ("| case | dlp process | dlp process, --no-report | dlp train_seconds "
            "| PyTorch loop + eval | PyTorch loop, no eval | sklearn fit | sklearn + eval "
            "| PyTorch+eval / dlp --no-report | PyTorch+eval / dlp process "
            "| PyTorch no-eval / dlp train_seconds | sklearn fit / dlp --no-report "
            "| sklearn fit / dlp train_seconds | test acc dlp / PyTorch / sklearn |")
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    for key, label, *_ in CASES:
        t, a = result["times"][key], result["accs"][key]
        ratio = lambda num, den: med(t[num]) / med(t[den])  # noqa: E731
        print(f"| {label} | {ms(t['dlp_proc'])} | {ms(t['dlp_bare'])} | {ms(t['dlp_train'])} "
              f"| {ms(t['torch_eval'])} | {ms(t['torch_noeval'])} | {ms(t['sk_fit'])} "
              f"| {ms(t['sk_eval'])} | **{ratio('torch_eval', 'dlp_bare'):.1f}x** "
              f"| {ratio('torch_eval', 'dlp_proc'):.1f}x "
              f"| **{ratio('torch_noeval', 'dlp_train'):.1f}x** "
              f"| **{ratio('sk_fit', 'dlp_bare'):.1f}x** | {ratio('sk_fit', 'dlp_train'):.1f}x "
              f"| {med(a['dlp']):.3f} / {med(a['torch']):.3f} / {med(a['sk']):.3f} |")


# --------------------------------------------------------------------------------------------
# The study: PyTorch on the list of configurations of a dlp run (cells/*.toml).


def study_cells(folders):
    cells = []
    for folder in folders:
        seeds = {}
        for r in read_runs(folder):
            seeds.setdefault(r["cell"], []).append(int(r["seed"]))
        for path in sorted(glob.glob(os.path.join(folder, "cells", "*.toml")),
                           key=lambda p: int(os.path.basename(p).split(".")[0])):
            with open(path, "rb") as f:
                cfg = tomllib.load(f)
            cell = os.path.splitext(os.path.basename(path))[0]
            cells.append((os.path.basename(folder), cell, cfg, sorted(seeds.get(cell, []))))
    return cells


def cmd_study(args):
    """dlp on the study's files (whole process, --jobs 1), then PyTorch on the same cells."""
    out = tempfile.mkdtemp(prefix="dlp-peers-study-")
    dlp_proc, dlp_train = [], []
    for rep in range(args.reps):
        s, code, _ = dlp_run(args.dlp, args.files, out, jobs=1)
        folders = sorted(d for d in glob.glob(os.path.join(out, "*")) if os.path.isdir(d))
        rows = [r for d in folders for r in read_runs(d)]
        dlp_proc.append(s)
        dlp_train.append(sum(float(r["train_seconds"]) for r in rows))
        print(f"  dlp study {rep + 1}/{args.reps}: {s:.1f} s process, {dlp_train[-1]:.1f} s "
              f"train_seconds, exit {code} (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    cells = study_cells(folders)
    shutil.rmtree(out, ignore_errors=True)
    trainings = sum(len(sd) for *_, sd in cells)
    epochs = sum(len(sd) * c["train"]["epochs"] for _, _, c, sd in cells)
    steps = sum(len(sd) * c["train"]["epochs"] * math.ceil(c["data"]["n_train"] / c["train"]["batch_size"])
                for _, _, c, sd in cells)
    print(f"study: {len(folders)} experiments, {len(cells)} cells, {trainings} trainings, "
          f"{epochs} epochs, {steps} optimizer steps", file=sys.stderr)

    total, measured, datasets = 0.0, 0.0, {}
    torch_train(canonical_cfg([20, 20], 10, epochs=1), tp1_data(0), 0)  # warm-up, untimed
    for name, cell, cfg, seeds in cells:
        d = cfg["data"]
        assert d["kind"] == "tp1_spirals" and not d.get("standardize", False), (name, cell)
        full_epochs = cfg["train"]["epochs"]
        run_seeds = seeds if args.full else seeds[:1]
        e = full_epochs if args.full else min(full_epochs, args.sample_epochs)
        run_cfg = dict(cfg, train=dict(cfg["train"], epochs=e))
        t_cell = 0.0
        for seed in run_seeds:
            key = (seed, d["n_train"], d["n_test"], d["noise"])
            if key not in datasets:
                datasets[key] = tp1_data(seed, d["n_train"], d["n_test"], d["noise"])
            t_cell += torch_train(run_cfg, datasets[key], seed, evaluate=True)[0]
        measured += t_cell
        # Sampled: seconds per epoch (evaluation included) x every epoch of every seed.
        total += t_cell if args.full else t_cell / (e * len(run_seeds)) * full_epochs * len(seeds)
    mode = ("full: every training of the study run" if args.full else
            f"extrapolated: one seed per cell for min(epochs, {args.sample_epochs}) epochs "
            f"({measured:.1f} s measured), scaled to every epoch of every seed")
    pd, pt = med(dlp_proc), med(dlp_train)
    print(f"\nFull TP1 study ({len(folders)} files, {len(cells)} cells, {trainings} trainings, "
          f"{epochs} epochs, {steps} steps), one core each\n")
    print("| | seconds | PyTorch / this |")
    print("|---|---|---|")
    print(f"| dlp run -j 1, whole process (median of {len(dlp_proc)}) | {pd:.1f} | **{total / pd:.1f}x** |")
    print(f"| dlp train_seconds summed over runs.csv | {pt:.1f} | {total / pt:.1f}x |")
    print(f"| PyTorch, same cells, per-epoch evaluation ({mode}) | {total:.1f} | |")


def cmd_one(args):
    key = args.case
    hidden, batch = {"torch-b10": ([20, 20], 10)}[key]
    s, acc = torch_train(canonical_cfg(hidden, batch), tp1_data(0), 0, evaluate=True)
    print(f"{key}: {s * 1e3:.1f} ms, test acc {acc:.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cases")
    c.add_argument("--dlp", required=True)
    c.add_argument("--reps", type=int, default=5)
    c.add_argument("--json")
    s = sub.add_parser("study")
    s.add_argument("--dlp", required=True)
    s.add_argument("--files", nargs="+", required=True, help="the study's experiment files")
    s.add_argument("--reps", type=int, default=1, help="dlp repetitions (median)")
    s.add_argument("--full", action="store_true")
    s.add_argument("--sample-epochs", type=int, default=2)
    o = sub.add_parser("one")
    o.add_argument("case", choices=["torch-b10"])
    args = p.parse_args()
    {"cases": cmd_cases, "study": cmd_study, "one": cmd_one}[args.cmd](args)


if __name__ == "__main__":
    main()
