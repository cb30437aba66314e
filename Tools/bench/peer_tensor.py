"""PyTorch timings of the tensor-core shapes that `xad-benchmarks tensor` measures.

Two threads, no autograd, one warm-up run, median of several runs; keys are those of
Benchmarks/TensorBenchmarks.swift with a `torch_` prefix. The `_1thread_cpu_gflops` figures use
one thread and process CPU time (best of several runs), which a busy machine hardly disturbs.
"""
import torch

from timing import cpu_seconds, median_seconds


def conv_gflops(batch, channels_in, channels_out, size, kernel, stride=1, groups=1, timer=median_seconds):
    """GFLOP/s and GB/s of one conv2d forward pass (2 flops per multiply-add; input, output and
    weight bytes counted once)."""
    x = torch.randn(batch, channels_in, size, size)
    weight = torch.randn(channels_out, channels_in // groups, kernel, kernel)
    padding = kernel // 2
    seconds = timer(lambda: torch.nn.functional.conv2d(x, weight, None, stride, padding, 1, groups))
    out_size = (size + 2 * padding - kernel) // stride + 1
    flops = 2 * batch * channels_out * out_size * out_size * (channels_in // groups) * kernel * kernel
    bytes_moved = 4 * (x.numel() + batch * channels_out * out_size * out_size + weight.numel())
    return flops / seconds / 1e9, bytes_moved / seconds / 1e9


def small_plane_depthwise(results, timer, suffix):
    """Depthwise 3x3 at batch 1 on EfficientNet-Lite0's small planes: 240 channels at 16x16 and
    32x32, stride 1 and 2."""
    for side in (16, 32):
        for stride in (1, 2):
            gflops, _ = conv_gflops(1, 240, 240, side, 3, stride=stride, groups=240, timer=timer)
            results[f"torch_depthwise3x3_c240_{side}_b1_s{stride}_{suffix}"] = round(gflops, 3)


def run():
    torch.set_num_threads(2)
    results = {}
    with torch.no_grad():
        a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
        seconds = median_seconds(lambda: torch.mm(a, b))
        results["torch_matmul_1024_gflops"] = round(2 * 1024 ** 3 / seconds / 1e9, 3)

        gflops, _ = conv_gflops(8, 64, 64, 56, 3)
        results["torch_conv3x3_64_56_b8_gflops"] = round(gflops, 3)
        gflops, _ = conv_gflops(8, 64, 64, 56, 1)
        results["torch_conv1x1_64_56_b8_gflops"] = round(gflops, 3)
        for stride in (1, 2):
            gflops, gb_per_s = conv_gflops(8, 32, 32, 112, 3, stride=stride, groups=32)
            results[f"torch_depthwise3x3_112_c32_b8_s{stride}_gflops"] = round(gflops, 3)
            results[f"torch_depthwise3x3_112_c32_b8_s{stride}_gb_per_s"] = round(gb_per_s, 3)
        small_plane_depthwise(results, median_seconds, "gflops")

        torch.set_num_threads(1)
        seconds = cpu_seconds(lambda: torch.mm(a, b))
        results["torch_matmul_1024_1thread_cpu_gflops"] = round(2 * 1024 ** 3 / seconds / 1e9, 3)
        for kernel in (3, 1):
            gflops, _ = conv_gflops(8, 64, 64, 56, kernel, timer=cpu_seconds)
            results[f"torch_conv{kernel}x{kernel}_64_56_b8_1thread_cpu_gflops"] = round(gflops, 3)
        for stride in (1, 2):
            gflops, _ = conv_gflops(8, 32, 32, 112, 3, stride=stride, groups=32, timer=cpu_seconds)
            results[f"torch_depthwise3x3_112_c32_b8_s{stride}_1thread_cpu_gflops"] = round(gflops, 3)
        small_plane_depthwise(results, cpu_seconds, "1thread_cpu_gflops")

    # Gradient explainers run a forward pass and the input's gradient through a frozen network.
    results["torch_conv3x3_64_56_b8_with_input_gradient_1thread_cpu_ms"] = with_input_gradient_ms(
        torch.randn(8, 64, 56, 56), torch.randn(64, 64, 3, 3), stride=1, groups=1)
    for stride in (1, 2):
        results[f"torch_depthwise3x3_112_c32_b8_s{stride}_with_input_gradient_1thread_cpu_ms"] = with_input_gradient_ms(
            torch.randn(8, 32, 112, 112), torch.randn(32, 1, 3, 3), stride=stride, groups=32)
    torch.set_num_threads(2)
    return results


def with_input_gradient_ms(x, weight, stride, groups):
    """Milliseconds of process CPU time for conv2d (padding 1) plus the input's gradient."""
    def step():
        leaf = x.detach().requires_grad_(True)
        torch.nn.functional.conv2d(leaf, weight, None, stride, 1, 1, groups).sum().backward()
    return round(1000 * cpu_seconds(step), 3)


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2, sort_keys=True))
