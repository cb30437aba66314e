// The portable micro-kernel of xad_sgemm: a 4 x 16 tile of C in plain C, which the compiler
// vectorises for the baseline target (SSE2 on x86-64, NEON on arm64).
#include "sgemm_kernels.h"

enum { ROWS = 4, COLUMNS = 16 };

static void kernel(long kc, const float *restrict a, const float *restrict b, long b_stride, float *restrict c, long ldc,
                   float alpha, float beta, int rows, int columns) {
    float acc[ROWS][COLUMNS] = {{0}};
    for (long p = 0; p < kc; p++) {
        _Pragma("GCC unroll 16")
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLUMNS; j++) acc[i][j] += a[i] * b[j];
        }
        a += ROWS;
        b += b_stride;
    }
    for (int i = 0; i < rows; i++) {
        float *row = c + i * ldc;
        for (int j = 0; j < columns; j++) row[j] = alpha * acc[i][j] + (beta == 0 ? 0 : beta * row[j]);
    }
}

const xad_sgemm_kernel_info xad_sgemm_portable_kernel = {
    .tile_rows = ROWS, .tile_columns = COLUMNS, .block_columns = 256, .in_place_rows = 0, .kernel = kernel};
