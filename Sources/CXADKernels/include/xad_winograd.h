#ifndef XAD_WINOGRAD_H
#define XAD_WINOGRAD_H

#include "xad_cpu.h"

/// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", CVPR 2016) for 3x3 convolutions at stride 1: each 2 x 2 block of output
/// (a tile) is `A^T [(G g G^T) ⊙ (B^T d B)] A` for its 4 x 4 input patch `d` and filter `g`, with
///
///     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
///     A^T = [1 1 1 0; 0 1 -1 -1].
///
/// The 16 products per tile, summed over input channels, are 16 matrix products (the caller's
/// sgemm): `M[ξ] (out x tiles) = U[ξ] (out x in) · V[ξ] (in x tiles)`, 2.25x fewer multiplies
/// than the direct sum. These functions are the three transforms around those products. Tiles
/// are numbered row by row, `t = (ty - first_tile_row) · tiles_x + tx`, over the tiles of one image.

/// `u[ξ][o][c] = (G g_{o,c} G^T)[ξ]` for `weight` `[out_channels][in_channels][3][3]`;
/// `u` holds `16 · out_channels · in_channels` floats.
void xad_winograd_filter(const float *weight, int out_channels, int in_channels, float *u);

/// Floats of scratch `xad_winograd_input` and `xad_winograd_output` need for `tile_rows` rows
/// of `tiles_x` tiles.
int xad_winograd_scratch(int tile_rows, int tiles_x);

/// `v[ξ·channels·ld + c·ld + t] = (B^T d B)[ξ]` for the tiles of rows
/// `first_tile_row ..< first_tile_row + tile_rows` (tile `(ty, tx)` reads input rows
/// `2ty - pad_top ...+3` and columns `2tx - pad_left ...+3`, 0 outside the plane) of the
/// `channels` planes `height` x `width` at `input`.
void xad_winograd_input(xad_cpu_level level, const float *input, int channels, int height, int width,
                        int pad_top, int pad_left, int first_tile_row, int tile_rows, int tiles_x,
                        float *v, int ld, float *scratch);

/// `output[o][2ty + i][2tx + j] = bias[o] + (A^T m A)[i][j]` for the same tiles, where
/// `m[ξ] = m[ξ·channels·ld + o·ld + t]`; outputs past `out_height` x `out_width` are not written.
/// `bias` may be NULL (0).
void xad_winograd_output(xad_cpu_level level, const float *m, int ld, int channels, const float *bias,
                         int first_tile_row, int tile_rows, int tiles_x,
                         float *output, int out_height, int out_width, float *scratch);

#endif
