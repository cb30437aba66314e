#ifndef XAD_DEPTHWISE_H
#define XAD_DEPTHWISE_H

#include "xad_cpu.h"

/// Whether `xad_depthwise_plane` computes a square `kernel` x `kernel` filter at `stride` (the
/// same along both axes, dilation 1) at `level`: kernels 3 and 5, strides 1 and 2, at the AVX2
/// and AVX-512 levels. Other cases keep XADTensor's portable kernel. `level` must not exceed
/// `xad_cpu_level_detected()` (callers pass `xad_cpu_level_get()`; tests pass lower levels).
int xad_depthwise_plane_supports(xad_cpu_level level, int kernel, int stride);

/// One plane of a depthwise convolution:
/// `output[y][x] = bias + Σ_{ky, kx} weight[ky·kernel + kx] · input[y·stride + ky - pad_top][x·stride + kx - pad_left]`,
/// where input pixels outside `in_height` x `in_width` count as 0. Every output pixel is written
/// when `xad_depthwise_plane_supports(level, kernel, stride)`; nothing otherwise.
///
/// A row of output is computed one vector at a time (16 lanes with AVX-512, 8 with AVX2): each
/// tap is one masked load, so border pixels need no separate path and the plane is not copied
/// (at stride 2 two loads are split into even and odd columns by a permute).
void xad_depthwise_plane(xad_cpu_level level, const float *input, int in_height, int in_width,
                         const float *weight, int kernel, float bias,
                         float *output, int out_height, int out_width,
                         int stride, int pad_top, int pad_left);

#endif
