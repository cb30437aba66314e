"""Reference fixtures for convolution, transposed convolution and pooling (PyTorch).

Each case stores the input, weight and bias (float32 values), the output, a random upstream
gradient and the gradients of sum(output * upstream) with respect to every operand. Values are
computed in float64 from the float32 inputs, so the fixtures hold the exact answer rounded once;
the Swift tests then only see their own float32 rounding.

Writes Tests/Fixtures/convolution/{conv2d,conv_transpose2d,pooling}_<case>.json.
"""
import torch
import torch.nn.functional as F

from fixtures import write

torch.set_num_threads(2)
torch.manual_seed(0)

AREA = "convolution"


def pair(value):
    return list(value) if isinstance(value, tuple) else [value, value]


def random(*shape):
    """Float32-representable values, held in float64."""
    return torch.randn(*shape).to(torch.float64)


def differentiate(function, operands):
    """Output, upstream, and d sum(output * upstream) / d operand for each operand."""
    leaves = [o.clone().requires_grad_(True) for o in operands]
    output = function(*leaves)
    upstream = random(*output.shape)
    (output * upstream).sum().backward()
    return output.detach(), upstream, [leaf.grad for leaf in leaves]


def convolution_case(name, transposed, input_shape, weight_shape, bias=True, stride=1, padding=0,
                     dilation=1, groups=1, output_padding=0):
    x, w = random(*input_shape), random(*weight_shape) * 0.5
    operands = [x, w]
    if bias:
        out_channels = weight_shape[1] * groups if transposed else weight_shape[0]
        operands.append(random(out_channels))

    def function(x, w, b=None):
        if transposed:
            return F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)
        return F.conv2d(x, w, b, stride, padding, dilation, groups)

    output, upstream, grads = differentiate(function, operands)
    entries = {"input": x.numpy(), "weight": w.numpy(), "output": output.numpy(), "upstream": upstream.numpy(),
               "grad_input": grads[0].numpy(), "grad_weight": grads[1].numpy(),
               "stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "groups": groups}
    if bias:
        entries["bias"] = operands[2].numpy()
        entries["grad_bias"] = grads[2].numpy()
    if transposed:
        entries["output_padding"] = pair(output_padding)
    write(AREA, f"{'conv_transpose2d' if transposed else 'conv2d'}_{name}", entries)


def pooling_case(name, kind, input_shape, integers=False, **options):
    x = torch.randint(0, 3, tuple(input_shape)).to(torch.float64) if integers else random(*input_shape)
    functions = {
        "max": lambda x: F.max_pool2d(x, options["kernel"], options.get("stride"), options.get("padding", 0)),
        "avg": lambda x: F.avg_pool2d(x, options["kernel"], options.get("stride"), options.get("padding", 0),
                                      count_include_pad=options.get("count_include_pad", True)),
        "adaptive": lambda x: F.adaptive_avg_pool2d(x, options["output_size"]),
        "global": lambda x: F.adaptive_avg_pool2d(x, 1),
    }
    output, upstream, grads = differentiate(functions[kind], [x])
    entries = {"kind": kind, "input": x.numpy(), "output": output.numpy(), "upstream": upstream.numpy(),
               "grad_input": grads[0].numpy()}
    for key in ("kernel", "stride", "padding", "output_size"):
        if options.get(key) is not None:
            entries[key] = pair(options[key])
    entries["count_include_pad"] = options.get("count_include_pad", True)
    write(AREA, f"pooling_{name}", entries)


if __name__ == "__main__":
    conv = lambda name, *shapes, **options: convolution_case(name, False, *shapes, **options)
    conv("pointwise", [2, 3, 5, 4], [4, 3, 1, 1])
    conv("pointwise_stride2", [1, 4, 6, 6], [3, 4, 1, 1], stride=2, bias=False)
    conv("3x3_stride2_pad1", [2, 3, 7, 7], [4, 3, 3, 3], stride=2, padding=1)
    conv("non_square", [1, 2, 6, 9], [3, 2, 2, 3], stride=(1, 2), padding=(1, 0))
    conv("dilation2", [1, 2, 9, 9], [3, 2, 3, 3], dilation=2, padding=2, bias=False)
    conv("groups2", [2, 4, 6, 6], [6, 2, 3, 3], groups=2, padding=1)
    conv("depthwise_stride1", [2, 4, 7, 7], [4, 1, 3, 3], groups=4, padding=1)
    conv("depthwise_stride2", [2, 4, 8, 8], [4, 1, 3, 3], groups=4, stride=2, padding=1)
    conv("depthwise_multiplier2", [1, 3, 6, 5], [6, 1, 3, 3], groups=3, padding=(0, 1), bias=False)
    conv("depthwise_dilation2_stride2", [1, 3, 9, 8], [3, 1, 3, 3], groups=3, dilation=2, padding=2, stride=2)
    conv("spatial_1x1", [2, 5, 1, 1], [3, 5, 3, 3], padding=1)
    conv("single_channel", [2, 1, 6, 6], [4, 1, 3, 3], stride=2)
    conv("depthwise_stride2_odd_width", [1, 2, 7, 9], [2, 1, 3, 3], groups=2, stride=2, padding=(1, 0))
    conv("depthwise_5x5_stride2", [2, 3, 9, 8], [3, 1, 5, 5], groups=3, stride=2, padding=2)
    conv("depthwise_3x3_stride3", [1, 2, 8, 10], [2, 1, 3, 3], groups=2, stride=3, padding=1)

    transposed = lambda name, *shapes, **options: convolution_case(name, True, *shapes, **options)
    transposed("stride2_output_padding1", [2, 4, 5, 5], [4, 3, 3, 3], stride=2, padding=1, output_padding=1)
    transposed("stride1", [1, 3, 4, 4], [3, 2, 3, 3], bias=False)
    transposed("non_square", [1, 2, 4, 5], [2, 3, 2, 3], stride=(2, 1), padding=(0, 1))
    transposed("dilation2_output_padding1", [1, 2, 4, 4], [2, 2, 3, 3], dilation=2, padding=1, output_padding=1)
    transposed("groups2", [2, 4, 3, 3], [4, 3, 3, 3], groups=2, stride=2)
    transposed("depthwise_stride2", [1, 4, 5, 5], [4, 1, 3, 3], groups=4, stride=2, padding=1, output_padding=1)
    transposed("spatial_1x1", [2, 3, 1, 1], [3, 2, 3, 3], stride=2)
    transposed("pointwise", [2, 3, 4, 4], [3, 5, 1, 1])

    pooling_case("max_2x2", "max", [2, 3, 6, 6], kernel=2)
    pooling_case("max_3x3_stride2_pad1", "max", [1, 2, 7, 7], kernel=3, stride=2, padding=1)
    pooling_case("max_non_square", "max", [1, 2, 5, 7], kernel=(2, 3), stride=(1, 2))
    pooling_case("max_ties_overlapping", "max", [1, 2, 5, 5], integers=True, kernel=2, stride=1)
    pooling_case("avg_2x2", "avg", [2, 3, 6, 6], kernel=2)
    pooling_case("avg_3x3_stride2_pad1", "avg", [1, 2, 7, 7], kernel=3, stride=2, padding=1)
    pooling_case("avg_3x3_stride2_pad1_exclude_padding", "avg", [1, 2, 7, 7], kernel=3, stride=2, padding=1,
                 count_include_pad=False)
    pooling_case("avg_non_square", "avg", [1, 2, 5, 8], kernel=(2, 3), stride=(2, 1), padding=(1, 1),
                 count_include_pad=False)
    pooling_case("adaptive_7x9_to_3x4", "adaptive", [1, 2, 7, 9], output_size=(3, 4))
    pooling_case("adaptive_5x5_to_7x7", "adaptive", [2, 3, 5, 5], output_size=7)
    pooling_case("adaptive_8x8_to_2x2", "adaptive", [1, 2, 8, 8], output_size=2)
    pooling_case("global", "global", [2, 3, 5, 6])

    # The vectorised depthwise kernels (CXADKernels/depthwise.c): rows of several vectors with a
    # partial last one, row blocks with a partial last one, padding that differs by axis, no padding.
    conv("depthwise_3x3_stride1_wide", [1, 2, 9, 37], [2, 1, 3, 3], groups=2, padding=1)
    conv("depthwise_5x5_stride1_multiplier2", [1, 2, 10, 21], [4, 1, 5, 5], groups=2, padding=2)
    conv("depthwise_3x3_stride2_wide", [1, 2, 13, 40], [2, 1, 3, 3], groups=2, stride=2, padding=1)
    conv("depthwise_5x5_stride2_pad_by_axis", [1, 2, 12, 45], [2, 1, 5, 5], groups=2, stride=2, padding=(1, 2))
    conv("depthwise_3x3_no_padding", [1, 2, 6, 20], [2, 1, 3, 3], groups=2, bias=False)

    # Winograd F(2x2, 3x3) (CXADKernels/winograd.c, 3x3 stride 1 with at least 8 channels in and
    # out per group): odd output sizes (partial tiles), padding that differs by axis, groups.
    conv("3x3_stride1_winograd", [1, 8, 7, 9], [9, 8, 3, 3], padding=1)
    conv("3x3_stride1_winograd_groups2", [1, 16, 6, 5], [16, 8, 3, 3], groups=2, padding=(0, 1), bias=False)
