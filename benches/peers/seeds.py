"""PyTorch over many seeds on the TP1 configurations whose single-seed PyTorch numbers the course
facts give, to compare distributions rather than single draws with dlp's 5-seed means.

    "$VENV/bin/python" benches/peers/seeds.py --seeds 10

Same data generator, model, loss, optimizer and loop as peers.py (imported from it).
"""

import argparse
import statistics

from peers import tp1_data, torch_train


def config(hidden, activation, loss, optimizer, epochs):
    return {
        "model": {"hidden": hidden, "activation": activation},
        "loss": {"name": loss},
        "optim": {"name": optimizer, "lr": 0.01},
        "train": {"epochs": epochs, "batch_size": 10},
    }


# (label, configuration, the course facts' single-seed PyTorch test accuracy)
CASES = [
    ("[10] relu, sgd, mse, 10 ep", config([10], "relu", "mse", "sgd", 10), 0.564),
    ("[20,20] relu, rmsprop, bce_with_logits, 10 ep", config([20, 20], "relu", "bce_with_logits", "rmsprop", 10), 0.691),
    ("[20,20] relu, adam, bce_with_logits, 10 ep", config([20, 20], "relu", "bce_with_logits", "adam", 10), None),
    ("[20,20] sigmoid, adam, bce_with_logits, 10 ep", config([20, 20], "sigmoid", "bce_with_logits", "adam", 10), 0.761),
    ("[20,20] relu, adam, mse, 10 ep", config([20, 20], "relu", "mse", "adam", 10), 0.819),
    ("[20,20] relu, adam, bce_with_logits, 40 ep", config([20, 20], "relu", "bce_with_logits", "adam", 40), 1.000),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    print(f"| configuration (batch 10, lr 0.01) | PyTorch, {args.seeds} seeds: mean ± std [min, max] | course facts (1 seed) |")
    print("|---|---|---|")
    for label, cfg, reference in CASES:
        accs = [torch_train(cfg, tp1_data(seed), seed, evaluate=False)[1] for seed in range(args.seeds)]
        spread = f"{statistics.mean(accs):.3f} ± {statistics.stdev(accs):.3f} [{min(accs):.3f}, {max(accs):.3f}]"
        print(f"| {label} | {spread} | {reference if reference is not None else '-'} |", flush=True)


if __name__ == "__main__":
    main()
