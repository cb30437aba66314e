#include "xad_winograd.h"

#include <string.h>

#define XAD_INLINE static inline __attribute__((always_inline))

void xad_winograd_filter(const float *weight, int out_channels, int in_channels, float *u) {
    const size_t plane = (size_t)out_channels * (size_t)in_channels;
    for (size_t oc = 0; oc < plane; oc++) {
        const float *g = weight + 9 * oc;
        float gg[4][3];  // G g: 4 rows of 3
        for (int j = 0; j < 3; j++) {
            gg[0][j] = g[j];
            gg[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
            gg[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
            gg[3][j] = g[6 + j];
        }
        for (int i = 0; i < 4; i++) {
            float a = gg[i][0], b = gg[i][1], c = gg[i][2];
            u[(4 * i + 0) * plane + oc] = a;
            u[(4 * i + 1) * plane + oc] = 0.5f * (a + b + c);
            u[(4 * i + 2) * plane + oc] = 0.5f * (a - b + c);
            u[(4 * i + 3) * plane + oc] = c;
        }
    }
}

int xad_winograd_scratch(int tile_rows, int tiles_x) {
    return 16 * tile_rows * tiles_x + 2 * (2 * tile_rows + 2) * (tiles_x + 1);
}

/// `out[tx] = line[2tx + offset]` for `tx < count`, 0 where that column is outside `0..<width`:
/// the columns inside are one branch-free (vectorised) loop.
XAD_INLINE void gather_columns(float *restrict out, const float *restrict line, int width, int offset, int count) {
    int first = offset >= 0 ? 0 : (1 - offset) / 2;           // first tx with 2tx + offset >= 0
    int end = width - offset <= 0 ? 0 : (width - offset + 1) / 2;  // first tx with 2tx + offset >= width
    first = first < count ? first : count;
    end = end < first ? first : (end < count ? end : count);
    for (int tx = 0; tx < first; tx++) out[tx] = 0;
    for (int tx = first; tx < end; tx++) out[tx] = line[2 * tx + offset];
    for (int tx = end; tx < count; tx++) out[tx] = 0;
}

/// The input transform of one channel over a block of tiles. Each input row the block reads
/// is split once into its even and odd columns (`split[2 row]`, `split[2 row + 1]`, `tiles_x + 1`
/// each); the 16 values of every tile's patch are then copied from them into 16 rows of `tiles`
/// (`d[4k + q][t]` = patch row k, column q: columns 2tx, 2tx + 1, 2tx + 2, 2tx + 3 are even[tx],
/// odd[tx], even[tx + 1], odd[tx + 1]), so that `B^T d B` is one straight loop over the tiles,
/// which each CPU level's copy vectorises.
XAD_INLINE void input_channel(const float *restrict plane, int height, int width, int pad_top, int pad_left,
                              int first_tile_row, int tile_rows, int tiles_x, float *restrict v, size_t xi_stride,
                              float *restrict d) {
    const int tiles = tile_rows * tiles_x, span = tiles_x + 1;
    float *restrict split = d + 16 * (size_t)tiles;
    for (int local = 0; local < 2 * tile_rows + 2; local++) {
        int row = 2 * first_tile_row - pad_top + local;
        float *even = split + (size_t)(2 * local) * (size_t)span, *odd = even + span;
        if (row < 0 || row >= height) {
            memset(even, 0, sizeof(float) * 2 * (size_t)span);
            continue;
        }
        const float *line = plane + (size_t)row * (size_t)width;
        gather_columns(even, line, width, -pad_left, span);
        gather_columns(odd, line, width, 1 - pad_left, span);
    }
    for (int r = 0; r < tile_rows; r++) {
        for (int k = 0; k < 4; k++) {
            const float *even = split + (size_t)(2 * (2 * r + k)) * (size_t)span, *odd = even + span;
            const float *sources[4] = {even, odd, even + 1, odd + 1};
            for (int q = 0; q < 4; q++) {
                memcpy(d + (size_t)(4 * k + q) * (size_t)tiles + (size_t)r * (size_t)tiles_x, sources[q],
                       sizeof(float) * (size_t)tiles_x);
            }
        }
    }
    for (int t = 0; t < tiles; t++) {
        float h[4][4];  // h = d B: the row transform of each patch row
        for (int k = 0; k < 4; k++) {
            float d0 = d[(4 * k) * tiles + t], d1 = d[(4 * k + 1) * tiles + t];
            float d2 = d[(4 * k + 2) * tiles + t], d3 = d[(4 * k + 3) * tiles + t];
            h[k][0] = d0 - d2;
            h[k][1] = d1 + d2;
            h[k][2] = d2 - d1;
            h[k][3] = d1 - d3;
        }
        for (int j = 0; j < 4; j++) {
            v[j * xi_stride + t] = h[0][j] - h[2][j];
            v[(4 + j) * xi_stride + t] = h[1][j] + h[2][j];
            v[(8 + j) * xi_stride + t] = h[2][j] - h[1][j];
            v[(12 + j) * xi_stride + t] = h[1][j] - h[3][j];
        }
    }
}

XAD_INLINE void input_tiles(const float *input, int channels, int height, int width, int pad_top, int pad_left,
                            int first_tile_row, int tile_rows, int tiles_x, float *v, int ld, float *scratch) {
    const size_t plane = (size_t)height * (size_t)width, xi_stride = (size_t)channels * (size_t)ld;
    for (int c = 0; c < channels; c++) {
        input_channel(input + c * plane, height, width, pad_top, pad_left, first_tile_row, tile_rows, tiles_x,
                      v + (size_t)c * ld, xi_stride, scratch);
    }
}

/// The output transform of one channel over a block of tiles: `A^T m A` for every tile in one
/// straight loop (into 4 rows of `tiles`: `y[2i + j][t]`), then each tile row's 2 x 2 blocks
/// are interleaved into the output rows.
XAD_INLINE void output_channel(const float *restrict m, size_t xi_stride, float bias, int first_tile_row,
                               int tile_rows, int tiles_x, float *restrict plane, int out_height, int out_width,
                               float *restrict y) {
    const int tiles = tile_rows * tiles_x;
    for (int t = 0; t < tiles; t++) {
        float s[2][4];  // s = A^T m
        for (int j = 0; j < 4; j++) {
            float m0 = m[j * xi_stride + t], m1 = m[(4 + j) * xi_stride + t];
            float m2 = m[(8 + j) * xi_stride + t], m3 = m[(12 + j) * xi_stride + t];
            s[0][j] = m0 + m1 + m2;
            s[1][j] = m1 - m2 - m3;
        }
        for (int i = 0; i < 2; i++) {
            y[(2 * i) * tiles + t] = bias + s[i][0] + s[i][1] + s[i][2];
            y[(2 * i + 1) * tiles + t] = bias + s[i][1] - s[i][2] - s[i][3];
        }
    }
    const int pairs = out_width / 2;
    for (int r = 0; r < tile_rows; r++) {
        for (int i = 0; i < 2; i++) {
            int row = 2 * (first_tile_row + r) + i;
            if (row >= out_height) break;
            float *line = plane + (size_t)row * (size_t)out_width;
            const float *left = y + (size_t)(2 * i) * tiles + (size_t)r * tiles_x, *right = left + tiles;
            for (int tx = 0; tx < pairs; tx++) {
                line[2 * tx] = left[tx];
                line[2 * tx + 1] = right[tx];
            }
            if (out_width % 2 == 1) line[out_width - 1] = left[pairs];
        }
    }
}

XAD_INLINE void output_tiles(const float *m, int ld, int channels, const float *bias, int first_tile_row,
                             int tile_rows, int tiles_x, float *output, int out_height, int out_width, float *scratch) {
    const size_t plane = (size_t)out_height * (size_t)out_width, xi_stride = (size_t)channels * (size_t)ld;
    for (int o = 0; o < channels; o++) {
        output_channel(m + (size_t)o * ld, xi_stride, bias ? bias[o] : 0, first_tile_row, tile_rows, tiles_x,
                       output + o * plane, out_height, out_width, scratch);
    }
}

#if defined(__x86_64__)
#define XAD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define XAD_TARGET_AVX2 __attribute__((target("avx2,fma")))
XAD_TARGET_AVX512 static void input_avx512(const float *input, int channels, int height, int width, int pad_top,
                                           int pad_left, int first, int rows, int tiles_x, float *v, int ld, float *s) {
    input_tiles(input, channels, height, width, pad_top, pad_left, first, rows, tiles_x, v, ld, s);
}
XAD_TARGET_AVX2 static void input_avx2(const float *input, int channels, int height, int width, int pad_top,
                                       int pad_left, int first, int rows, int tiles_x, float *v, int ld, float *s) {
    input_tiles(input, channels, height, width, pad_top, pad_left, first, rows, tiles_x, v, ld, s);
}
XAD_TARGET_AVX512 static void output_avx512(const float *m, int ld, int channels, const float *bias, int first,
                                            int rows, int tiles_x, float *output, int oh, int ow, float *s) {
    output_tiles(m, ld, channels, bias, first, rows, tiles_x, output, oh, ow, s);
}
XAD_TARGET_AVX2 static void output_avx2(const float *m, int ld, int channels, const float *bias, int first,
                                        int rows, int tiles_x, float *output, int oh, int ow, float *s) {
    output_tiles(m, ld, channels, bias, first, rows, tiles_x, output, oh, ow, s);
}
#endif

void xad_winograd_input(xad_cpu_level level, const float *input, int channels, int height, int width,
                        int pad_top, int pad_left, int first_tile_row, int tile_rows, int tiles_x,
                        float *v, int ld, float *scratch) {
#if defined(__x86_64__)
    if (level == XAD_CPU_AVX512) {
        input_avx512(input, channels, height, width, pad_top, pad_left, first_tile_row, tile_rows, tiles_x, v, ld, scratch);
        return;
    }
    if (level == XAD_CPU_AVX2) {
        input_avx2(input, channels, height, width, pad_top, pad_left, first_tile_row, tile_rows, tiles_x, v, ld, scratch);
        return;
    }
#endif
    (void)level;
    input_tiles(input, channels, height, width, pad_top, pad_left, first_tile_row, tile_rows, tiles_x, v, ld, scratch);
}

void xad_winograd_output(xad_cpu_level level, const float *m, int ld, int channels, const float *bias,
                         int first_tile_row, int tile_rows, int tiles_x,
                         float *output, int out_height, int out_width, float *scratch) {
#if defined(__x86_64__)
    if (level == XAD_CPU_AVX512) {
        output_avx512(m, ld, channels, bias, first_tile_row, tile_rows, tiles_x, output, out_height, out_width, scratch);
        return;
    }
    if (level == XAD_CPU_AVX2) {
        output_avx2(m, ld, channels, bias, first_tile_row, tile_rows, tiles_x, output, out_height, out_width, scratch);
        return;
    }
#endif
    (void)level;
    output_tiles(m, ld, channels, bias, first_tile_row, tile_rows, tiles_x, output, out_height, out_width, scratch);
}
