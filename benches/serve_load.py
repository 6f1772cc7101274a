#!/usr/bin/env python3
"""`dlp serve` under load: 20 clients start a run of the canonical network at the same moment.

    cargo build --release --bin dlp && python3 benches/serve_load.py [--clients 20] [--epochs 40]

Starts `dlp serve` on a free port of 127.0.0.1 (default --jobs: the cores), opens every client's
event stream at once, and prints, per client, its wait in the queue, its epochs per second
while training (epoch events received over the time from the first to the last), its final
status; then the server's peak resident memory (VmHWM). Issue 18's target: every run finishes,
memory stays bounded, at least 20 epoch updates per second for a running client.
"""
import argparse, json, os, subprocess, threading, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--clients", type=int, default=20)
parser.add_argument("--epochs", type=int, default=40)
args = parser.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
server = subprocess.Popen([os.path.join(root, "target/release/dlp"), "serve", "--port", "0",
                           "/tmp/dlp-serve-load"], stderr=subprocess.PIPE, text=True)
base = next(w for w in server.stderr.readline().split() if w.startswith("http://")).rstrip("/")
config = {"name": "load", "data": {"kind": "tp1_spirals"}, "model": {"hidden": [20, 20]},
          "loss": {"name": "bce_with_logits"}, "optim": {"name": "adam", "lr": 0.01},
          "train": {"epochs": args.epochs, "batch_size": 10}}

def post(path, body):
    request = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST")
    return json.load(urllib.request.urlopen(request))

results = [None] * args.clients
barrier = threading.Barrier(args.clients)

def client(i):
    barrier.wait()
    started = time.time()
    run = post("/api/runs", config)["id"]
    stream = urllib.request.urlopen(base + f"/api/runs/{run}/events")
    name, epochs, first, status = None, 0, None, None
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name == "epoch":
            epochs += 1
            first = first or time.time()
        elif line.startswith("data: ") and name in ("done", "error"):
            status = json.loads(line[6:]).get("status", "error")
            break
    end = time.time()
    rate = (epochs - 1) / (end - first) if first and end > first else 0
    results[i] = (first - started if first else None, rate, status)

threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
for t in threads: t.start()
for t in threads: t.join()
peak = next(l for l in open(f"/proc/{server.pid}/status") if l.startswith("VmHWM")).split()[1]
server.kill()
print(open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t"))
print(f"{'client':>6} {'waited_s':>9} {'epochs/s':>9} status")
for i, (waited, rate, status) in enumerate(results):
    print(f"{i:>6} {waited:>9.2f} {rate:>9.1f} {status}")
rates = sorted(r[1] for r in results)
print(f"finished: {sum(r[2] == 'ok' for r in results)}/{args.clients}; epochs/s per running client: "
      f"min {rates[0]:.1f}, median {rates[len(rates) // 2]:.1f}; server peak memory {int(peak) / 1024:.0f} MiB")
