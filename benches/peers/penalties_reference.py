"""Reference numbers for dlp's L1/L2 weight penalties and off-menu architectures (issue 16).

Trains, in PyTorch, the cases of crates/train/tests/penalties_parity.rs from the same initial
weights and the same data, full-batch (the batch is the whole training set, so the batch order
cannot matter), with the penalties written as Keras' kernel regularizers,

    objective = data_loss + l1 * sum|W| + l2 * sum W^2   (over every weight matrix, no bias),

differentiated by autograd, and writes the per-epoch training (data) loss and the final weights (tensors in
`torch.nn.Sequential` order: 0.weight, 0.bias, 2.weight, ...):

    "$VENV/bin/python" benches/peers/penalties_reference.py \
        > crates/train/tests/data/penalties_reference.txt

Every case runs twice: in float32 (what dlp is compared with) and in float64. Their difference
is how far float32 rounding alone moves the trajectory; the Rust test derives its tolerance
from it.

Data and weights come from one integer formula, `unit(k)`, written identically in the Rust
test: integer arithmetic, then one correctly rounded division and (for the scale) one square
root in float64, then a rounding to float32, which IEEE 754 makes bit-identical in both
languages.
"""

import math
import sys

import numpy
import torch

N_TRAIN = 256
N_TEST = 64

# name, hidden, activation, loss, optimizer, optimizer parameters, l1, l2, epochs
CASES = [
    ("tapered_sgd", [32, 16], "tanh", "bce_with_logits", "sgd", {"lr": 0.1, "momentum": 0.9}, 1e-3, 1e-2, 30),
    ("deep_adam", [64, 32, 16], "relu", "cross_entropy", "adam", {"lr": 0.01}, 1e-4, 1e-3, 30),
]


def unit(k):
    """A number in [0, 1) from the integer k (a fixed quadratic hash, not random)."""
    return ((31 * k * k + 7919 * k + 17) % 10007) / 10007.0


def f32(x):
    return torch.tensor(x, dtype=torch.float64).to(torch.float32).item()


def points(n, offset):
    """n points in [-2, 2)^2, labelled by quadrant (XOR): class 1 when x1 * x2 > 0."""
    xs, ys = [], []
    for i in range(n):
        x1 = f32(4.0 * unit(offset + 2 * i) - 2.0)
        x2 = f32(4.0 * unit(offset + 2 * i + 1) - 2.0)
        xs.append([x1, x2])
        ys.append(1 if x1 * x2 > 0 else 0)
    return xs, ys


def initial_weights(widths):
    """Tensor t (0.weight, 0.bias, 2.weight, ...) of a layer with `fan_in` inputs: entry j is
    (2 * unit(1000003 * (t + 1) + j) - 1) / sqrt(fan_in), rounded to float32."""
    tensors = []
    for layer, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        scale = math.sqrt(fan_in)
        for t, shape in [(2 * layer, (fan_out, fan_in)), (2 * layer + 1, (fan_out,))]:
            count = math.prod(shape)
            values = [f32((2.0 * unit(1000003 * (t + 1) + j) - 1.0) / scale) for j in range(count)]
            tensors.append(torch.tensor(values, dtype=torch.float32).reshape(shape))
    return tensors


def train(case, dtype):
    name, hidden, activation, loss_name, optimizer, params, l1, l2, epochs = case
    outputs = 2 if loss_name == "cross_entropy" else 1
    widths = [2] + hidden + [outputs]
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]
    layers = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), act()]
    model = torch.nn.Sequential(*layers[:-1]).to(dtype)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        values = initial_weights(widths)
        for i, linear in enumerate(linears):
            linear.weight.copy_(values[2 * i])
            linear.bias.copy_(values[2 * i + 1])

    xs, ys = points(N_TRAIN, 0)
    x = torch.tensor(xs, dtype=dtype)
    if loss_name == "cross_entropy":
        y = torch.tensor(ys, dtype=torch.long)
        data_loss = torch.nn.CrossEntropyLoss()
    else:
        y = torch.tensor(ys, dtype=dtype).reshape(-1, 1)
        data_loss = torch.nn.BCEWithLogitsLoss()
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer](model.parameters(), **params)

    def measure():
        with torch.no_grad():
            return data_loss(model(x), y).item()

    losses = [measure()]
    for _ in range(epochs):
        opt.zero_grad()
        objective = data_loss(model(x), y)
        for linear in linears:
            objective = objective + l1 * linear.weight.abs().sum() + l2 * linear.weight.pow(2).sum()
        objective.backward()
        opt.step()
        losses.append(measure())
    weights = []
    for linear in linears:
        weights += [linear.weight.detach(), linear.bias.detach()]
    return losses, weights


def main():
    torch.set_num_threads(1)
    out = sys.stdout
    out.write(f"# benches/peers/penalties_reference.py, torch {torch.__version__}\n")
    out.write("# one line per case and quantity: CASE QUANTITY VALUES... (space-separated)\n")
    for case in CASES:
        name = case[0]
        losses32, weights32 = train(case, torch.float32)
        losses64, weights64 = train(case, torch.float64)
        out.write(f"{name} train_loss_f32 {' '.join(repr(v) for v in losses32)}\n")
        out.write(f"{name} train_loss_f64 {' '.join(repr(v) for v in losses64)}\n")
        gaps = [(w32.double() - w64).abs().max().item() for w32, w64 in zip(weights32, weights64)]
        out.write(f"{name} weight_gap_f32_f64 {' '.join(repr(v) for v in gaps)}\n")
        for t, w32 in enumerate(weights32):
            # the shortest text that reads back as the same float32
            text = " ".join(numpy.format_float_positional(v, unique=True) for v in w32.flatten().numpy())
            out.write(f"{name} final_tensor{t} {text}\n")

if __name__ == "__main__":
    main()
