"""Reference values for XADTensor's general operations: unary functions, reductions, softmax,
shape operations, matmul, pairwise distances and losses.

Each case is one file Tests/Fixtures/tensor_ops/<case>.json holding the inputs, the output, a
random upstream gradient `g` of the output's shape, and the gradient of sum(g * output) with
respect to every input (`d<input>`), all computed by PyTorch (float32 unless stated).
"""
import numpy as np
import torch
import torch.nn.functional as F

from fixtures import write

torch.set_num_threads(2)
AREA = "tensor_ops"
generator = torch.Generator().manual_seed(20261130)


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(shape, generator=generator) * scale + shift


def case(name, function, inputs, constants=None, **parameters):
    """Runs `function(**inputs, **constants)`, back-propagates a random upstream gradient into
    `inputs` (not `constants`), writes the file."""
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in inputs.items()}
    constants = constants or {}
    output = function(**leaves, **constants)
    upstream = randn(*output.shape).to(output.dtype)
    output.backward(upstream)
    entries = {k: v.detach().numpy() for k, v in {**leaves, **constants}.items()}
    entries["y"] = output.detach().numpy()
    entries["g"] = upstream.numpy()
    for k, v in leaves.items():
        entries["d" + k] = v.grad.numpy()
    entries.update(parameters)
    write(AREA, name, entries)


# Unary functions: random values plus the kinks and thresholds where conventions matter.
kinks = torch.tensor([-6.0, -3.0, 0.0, 3.0, 6.0, 20.0, 21.0, -0.5])
mixed = torch.cat([kinks, randn(4 * 7 - len(kinks), scale=4.0)]).reshape(4, 7)
positive = randn(3, 5).abs() + 0.1
unary = {
    "exp": (torch.exp, randn(3, 5, scale=2.0)),
    "log": (torch.log, positive),
    "sqrt": (torch.sqrt, positive),
    "relu": (torch.relu, mixed),
    "relu6": (F.relu6, mixed),
    "sigmoid": (torch.sigmoid, mixed),
    "tanh": (torch.tanh, mixed),
    "softplus": (F.softplus, mixed),
    "hardswish": (F.hardswish, mixed),
    "abs": (torch.abs, mixed),
    "squared": (torch.square, mixed),
    "exp_1x1": (torch.exp, randn(1, 1)),
}
for name, (function, x) in unary.items():
    case(f"unary_{name}", lambda x, f=function: f(x), {"x": x})
for exponent, x in [(2.0, mixed), (3.0, mixed), (0.5, positive), (-1.5, positive)]:
    case(f"unary_pow_{exponent:g}".replace(".", "p").replace("-", "m"),
         lambda x, p=exponent: torch.pow(x, p), {"x": x}, exponent=exponent)
for label, low, high in [("both", -2.0, 3.0), ("min", 0.0, None), ("max", None, 3.0)]:
    case(f"unary_clamp_{label}", lambda x, a=low, b=high: torch.clamp(x, a, b), {"x": mixed},
         min=low, max=high)

# Reductions. Integer-valued inputs make ties for max/min.
ties = torch.randint(0, 4, (2, 3, 4), generator=generator).float()
reductions = [
    ("sum_all", "sum", randn(3, 4), None, False),
    ("sum_axis1_keep", "sum", randn(3, 4), [1], True),
    ("sum_last_negative", "sum", randn(2, 3, 5), [-1], False),
    ("sum_outer_axes", "sum", randn(2, 3, 4), [0, 2], False),
    ("sum_middle_run", "sum", randn(2, 3, 4, 5), [1, 2], True),
    ("sum_long_rows", "sum", randn(4, 333), [1], False),
    ("sum_1x1", "sum", randn(1, 1), [0], False),
    ("mean_all", "mean", randn(3, 4), None, False),
    ("mean_axis0", "mean", randn(3, 4), [0], False),
    ("mean_spatial_keep", "mean", randn(2, 3, 4, 5), [-2, -1], True),
    ("max_ties_all", "max", ties, None, False),
    ("max_ties_axis1", "max", ties, [1], False),
    ("max_ties_outer_axes_keep", "max", ties, [0, 2], True),
    ("max_random_last", "max", randn(3, 6), [-1], False),
    ("min_ties_all", "min", ties, None, False),
    ("min_ties_axis2", "min", ties, [2], True),
    ("min_random_axis0", "min", randn(5, 2), [0], False),
]
torch_reduction = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}
for name, op, x, axes, keep in reductions:
    def reduce(x, op=op, axes=axes, keep=keep):
        if axes is None:
            return torch_reduction[op](x) if op in ("sum", "mean") else torch_reduction[op](x, dim=tuple(range(x.dim())))
        return torch_reduction[op](x, dim=tuple(axes), keepdim=keep)
    case(f"reduce_{name}", reduce, {"x": x}, axes=axes, keepdim=keep)

# Softmax and log-softmax, including large logits (stability) and a middle axis.
for label, function in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
    for name, x, axis in [("rows", randn(3, 5), 1), ("columns", randn(3, 5), 0),
                          ("last_negative", randn(2, 3, 4), -1), ("middle", randn(2, 3, 4), 1),
                          ("large_logits", randn(2, 6, scale=50.0, shift=100.0), 1),
                          ("single", randn(4, 1), 1)]:
        case(f"{label}_{name}", lambda x, f=function, a=axis: f(x, dim=a), {"x": x}, axis=axis)

# Shape operations.
case("shape_reshape", lambda x: x.reshape(4, -1), {"x": randn(2, 3, 4)}, shape=[4, -1])
case("shape_permute", lambda x: x.permute(2, 0, 1), {"x": randn(2, 3, 4)}, axes=[2, 0, 1])
case("shape_permute4", lambda x: x.permute(0, 2, 3, 1), {"x": randn(2, 3, 4, 5)}, axes=[0, 2, 3, 1])
case("shape_transpose", lambda x: x.t(), {"x": randn(3, 5)})
case("shape_slice_middle", lambda x: x[:, 1:3], {"x": randn(2, 4, 3)}, axis=1, lower=1, upper=3)
case("shape_slice_last", lambda x: x[..., 2:5], {"x": randn(2, 3, 6)}, axis=-1, lower=2, upper=5)
case("shape_slice_first", lambda x: x[0:1], {"x": randn(3, 2)}, axis=0, lower=0, upper=1)
case("shape_concat_channels", lambda a, b, c: torch.cat([a, b, c], dim=1),
     {"a": randn(2, 1, 3, 2), "b": randn(2, 3, 3, 2), "c": randn(2, 2, 3, 2)}, axis=1)
case("shape_concat_rows", lambda a, b: torch.cat([a, b], dim=-2), {"a": randn(2, 3), "b": randn(1, 3)}, axis=-2)
case("shape_concat_last", lambda a, b: torch.cat([a, b], dim=2), {"a": randn(2, 2, 3), "b": randn(2, 2, 1)}, axis=2)
padding = [[0, 1], [2, 0], [1, 1]]   # (before, after) per axis, outermost first
torch_padding = [v for pair in reversed(padding) for v in pair]
case("shape_pad", lambda x: F.pad(x, torch_padding, value=0.5), {"x": randn(2, 3, 4)}, padding=padding, value=0.5)
case("shape_pad_image", lambda x: F.pad(x, [1, 1, 1, 1]), {"x": randn(1, 2, 3, 3)},
     padding=[[0, 0], [0, 0], [1, 1], [1, 1]], value=0.0)
case("shape_expand", lambda x: x.expand(2, 3, 4), {"x": randn(3, 1)}, shape=[2, 3, 4])
case("shape_expand_leading", lambda x: x.expand(3, 2, 4), {"x": randn(1, 2, 4)}, shape=[3, 2, 4])

# Matrix products.
for name, a, b in [("1x1", randn(1, 1), randn(1, 1)),
                   ("rect", randn(3, 5), randn(5, 4)),
                   ("outer", randn(4, 1), randn(1, 3)),
                   ("inner", randn(1, 7), randn(7, 1)),
                   ("batched", randn(2, 3, 4), randn(2, 4, 5)),
                   ("batched_rank4", randn(2, 3, 4, 5), randn(2, 3, 5, 2)),
                   ("shared_right", randn(2, 3, 4), randn(4, 6)),
                   ("large", randn(33, 65), randn(65, 17))]:
    case(f"matmul_{name}", lambda a, b: a @ b, {"a": a, "b": b}, transpose_b=False)
# The right operand stored transposed ([..., n, k]) and read as its transpose.
for name, a, b in [("transposed_rect", randn(3, 5), randn(4, 5)),
                   ("transposed_batched", randn(2, 3, 4), randn(2, 5, 4)),
                   ("transposed_shared_right", randn(2, 3, 4), randn(6, 4))]:
    case(f"matmul_{name}", lambda a, b: a @ b.transpose(-1, -2), {"a": a, "b": b}, transpose_b=True)

# Pairwise squared distances. Reference in float64 from the direct definition |x - y|^2;
# includes a repeated point (distance 0).
def squared_distances(a, b):
    return ((a.double()[:, None, :] - b.double()[None, :, :]) ** 2).sum(-1)

points = randn(5, 3)
for name, a, b in [("small", points, torch.cat([points[1:2], randn(3, 3)])),
                   ("1x1", randn(1, 1), randn(1, 1)),
                   ("features", randn(7, 16), randn(9, 16))]:
    case(f"distances_{name}", squared_distances, {"a": a, "b": b})

# Losses, with gradients for both arguments.
probabilities = torch.rand(3, 4, generator=generator)
probabilities[0, 0], probabilities[0, 1] = 0.0, 1.0
soft_targets = torch.rand(3, 4, generator=generator)
soft_targets[0, 0], soft_targets[0, 1] = 1.0, 0.0   # log clamped at -100 on both
case("loss_mse", F.mse_loss, {"input": randn(3, 4), "target": randn(3, 4)})
case("loss_mse_1x1", F.mse_loss, {"input": randn(1, 1), "target": randn(1, 1)})
# At p = 0 or 1 PyTorch's target gradient is infinite (unclamped logs), so only the input's.
case("loss_bce", F.binary_cross_entropy, {"input": probabilities}, constants={"target": soft_targets})
case("loss_bce_interior", F.binary_cross_entropy,
     {"input": torch.rand(2, 5, generator=generator) * 0.9 + 0.05, "target": torch.rand(2, 5, generator=generator)})
logits = randn(3, 4, scale=3.0)
logits[0, 0], logits[0, 1] = 50.0, -50.0
case("loss_bce_logits", F.binary_cross_entropy_with_logits, {"input": logits, "target": soft_targets})
