// The AVX2 + FMA micro-kernel of xad_sgemm: a 6 x 16 tile of C in 12 ymm accumulators (of 16
// registers). Compiled for baseline x86-64 with AVX2 enabled per function.
#if defined(__x86_64__)
#include <immintrin.h>

#include "sgemm_kernels.h"

enum { ROWS = 6, COLUMNS = 16 };

#define AVX2 __attribute__((target("avx2,fma")))

/// Writes `alpha * acc + beta * C` into one row of C, the first `columns` entries.
AVX2 static inline void store_row(float *row, __m256 low, __m256 high, __m256 alpha, float beta, int columns) {
    low = _mm256_mul_ps(low, alpha);
    high = _mm256_mul_ps(high, alpha);
    if (columns == COLUMNS) {
        if (beta != 0) {
            __m256 b = _mm256_set1_ps(beta);
            low = _mm256_fmadd_ps(b, _mm256_loadu_ps(row), low);
            high = _mm256_fmadd_ps(b, _mm256_loadu_ps(row + 8), high);
        }
        _mm256_storeu_ps(row, low);
        _mm256_storeu_ps(row + 8, high);
        return;
    }
    float tile[COLUMNS];
    _mm256_storeu_ps(tile, low);
    _mm256_storeu_ps(tile + 8, high);
    for (int j = 0; j < columns; j++) row[j] = beta == 0 ? tile[j] : tile[j] + beta * row[j];
}

AVX2 static void kernel(long kc, const float *restrict a, const float *restrict b, long b_stride, float *restrict c, long ldc,
                        float alpha, float beta, int rows, int columns) {
    __m256 low[ROWS], high[ROWS];
    _Pragma("GCC unroll 16")
    for (int i = 0; i < ROWS; i++) low[i] = high[i] = _mm256_setzero_ps();
    for (long p = 0; p < kc; p++) {
        const __m256 b_low = _mm256_loadu_ps(b), b_high = _mm256_loadu_ps(b + 8);
        _Pragma("GCC unroll 16")
        for (int i = 0; i < ROWS; i++) {
            const __m256 a_i = _mm256_broadcast_ss(a + i);
            low[i] = _mm256_fmadd_ps(a_i, b_low, low[i]);
            high[i] = _mm256_fmadd_ps(a_i, b_high, high[i]);
        }
        a += ROWS;
        b += b_stride;
    }
    const __m256 alpha_vector = _mm256_set1_ps(alpha);
    _Pragma("GCC unroll 16")
    for (int i = 0; i < ROWS; i++) {
        if (i < rows) store_row(c + i * ldc, low[i], high[i], alpha_vector, beta, columns);
    }
}

// B is always packed: read in place, its 64-byte rows made small-m products 20 % slower.
const xad_sgemm_kernel_info xad_sgemm_avx2_kernel = {
    .tile_rows = ROWS, .tile_columns = COLUMNS, .block_columns = 256, .in_place_rows = 0, .kernel = kernel};
#endif
