#include "xad_sgemm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sgemm_kernels.h"

static const xad_sgemm_kernel_info *kernel_for(xad_cpu_level level) {
#if defined(__x86_64__)
    if (level >= XAD_CPU_AVX512) return &xad_sgemm_avx512_kernel;
    if (level >= XAD_CPU_AVX2) return &xad_sgemm_avx2_kernel;
#endif
    (void)level;
    return &xad_sgemm_portable_kernel;
}

void xad_sgemm_tile(xad_cpu_level level, long *rows, long *columns) {
    const xad_sgemm_kernel_info *info = kernel_for(level);
    *rows = info->tile_rows;
    *columns = info->tile_columns;
}

static long min_long(long x, long y) { return x < y ? x : y; }
static long round_up(long x, long multiple) { return (x + multiple - 1) / multiple * multiple; }

/// Packs rows [0, rows) and depths [0, depth) of op(A) (starting at `a`) into panels of `mr` rows:
/// panel r holds, for each depth p, the mr floats op(A)[r * mr + i][p], zero past `rows`.
static void pack_a(bool transposed, const float *a, long lda, long rows, long depth, int mr, float *packed) {
    for (long top = 0; top < rows; top += mr, packed += mr * depth) {
        long height = min_long(mr, rows - top);
        if (transposed) {
            // op(A)[i][p] = a[p * lda + i]: each depth's mr values are contiguous.
            for (long p = 0; p < depth; p++) {
                const float *source = a + p * lda + top;
                float *target = packed + p * mr;
                for (long i = 0; i < height; i++) target[i] = source[i];
                for (long i = height; i < mr; i++) target[i] = 0;
            }
        } else {
            for (long i = 0; i < height; i++) {
                const float *source = a + (top + i) * lda;
                for (long p = 0; p < depth; p++) packed[p * mr + i] = source[p];
            }
            for (long i = height; i < mr; i++) {
                for (long p = 0; p < depth; p++) packed[p * mr + i] = 0;
            }
        }
    }
}

/// Packs depths [0, depth) and columns [0, columns) of op(B) (starting at `b`) into panels of `nr`
/// columns: panel j holds, for each depth p, the nr floats op(B)[p][j * nr + ...], zero past `columns`.
static void pack_b(bool transposed, const float *b, long ldb, long depth, long columns, int nr, float *packed) {
    for (long left = 0; left < columns; left += nr, packed += nr * depth) {
        long width = min_long(nr, columns - left);
        if (transposed) {
            // op(B)[p][j] = b[j * ldb + p]: read each stored row once, contiguously.
            for (long j = 0; j < width; j++) {
                const float *source = b + (left + j) * ldb;
                for (long p = 0; p < depth; p++) packed[p * nr + j] = source[p];
            }
            for (long j = width; j < nr; j++) {
                for (long p = 0; p < depth; p++) packed[p * nr + j] = 0;
            }
        } else {
            for (long p = 0; p < depth; p++) {
                float *target = packed + p * nr;
                memcpy(target, b + p * ldb + left, (size_t)width * sizeof(float));
                for (long j = width; j < nr; j++) target[j] = 0;
            }
        }
    }
}

/// `C = beta * C` (C = 0 when beta is 0, whatever C held).
static void scale(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0) memset(row, 0, (size_t)n * sizeof(float));
        else if (beta != 1) for (long j = 0; j < n; j++) row[j] *= beta;
    }
}

/// One packing workspace per thread, kept between calls and freed when the thread exits: a fresh
/// allocation per call costs page faults (glibc returns large freed blocks to the system), which
/// on a 256³ product were a quarter of the time.
typedef struct {
    float *floats;
    long capacity;
} workspace;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;

static void free_workspace(void *pointer) {
    workspace *space = pointer;
    free(space->floats);
    free(space);
}

static void create_workspace_key(void) {
    if (pthread_key_create(&workspace_key, free_workspace) != 0) abort();
}

/// At least `floats` floats, 64-byte aligned, owned by the calling thread.
static float *thread_workspace(long floats) {
    pthread_once(&workspace_once, create_workspace_key);
    workspace *space = pthread_getspecific(workspace_key);
    if (space == NULL) {
        space = calloc(1, sizeof(workspace));
        if (space == NULL || pthread_setspecific(workspace_key, space) != 0) abort();
    }
    if (space->capacity < floats) {
        free(space->floats);
        space->capacity = round_up(floats, 16);
        space->floats = aligned_alloc(64, (size_t)space->capacity * sizeof(float));
        if (space->floats == NULL) abort();  // Out of memory: Swift's allocations trap alike.
    }
    return space->floats;
}

void xad_sgemm(xad_cpu_level level, bool transpose_a, bool transpose_b,
               long m, long n, long k, float alpha,
               const float *a, long lda, const float *b, long ldb,
               float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {
        scale(m, n, beta, c, ldc);
        return;
    }
    const xad_sgemm_kernel_info *info = kernel_for(level);
    const int mr = info->tile_rows, nr = info->tile_columns;
    // Whole tiles: the packed buffers hold every padded row and column of a block.
    const long block_rows = min_long(round_up(m, mr), XAD_SGEMM_BLOCK_ROWS / mr * mr);
    const long block_columns = min_long(round_up(n, nr), info->block_columns / nr * nr);
    const long block_depth = min_long(k, XAD_SGEMM_DEPTH);
    // Both panels start on a 64-byte boundary (block sizes are multiples of 16 floats).
    float *packed_a = thread_workspace(round_up(block_rows * block_depth, 16) + block_columns * block_depth);
    float *packed_b = packed_a + round_up(block_rows * block_depth, 16);

    // With few rows of C, each element of B is used too few times to repay packing it: whole
    // tiles read B in place, and only a last partial panel is packed (zero-padded).
    const bool in_place = !transpose_b && m <= info->in_place_rows;
    for (long top = 0; top < m; top += block_rows) {
        const long rows = min_long(block_rows, m - top);
        for (long p0 = 0; p0 < k; p0 += block_depth) {
            const long depth = min_long(block_depth, k - p0);
            const float *a_block = transpose_a ? a + p0 * lda + top : a + top * lda + p0;
            pack_a(transpose_a, a_block, lda, rows, depth, mr, packed_a);
            // Later depth blocks add to what the first one wrote.
            const float block_beta = p0 == 0 ? beta : 1;
            for (long left = 0; left < n; left += block_columns) {
                const long columns = min_long(block_columns, n - left);
                const float *b_block = transpose_b ? b + left * ldb + p0 : b + p0 * ldb + left;
                const long whole = in_place ? columns / nr * nr : 0;
                pack_b(transpose_b, b_block + whole, ldb, depth, columns - whole, nr, packed_b);
                // One mr x depth panel of A stays in L1 while the panels of B stream from L2.
                for (long i = 0; i < rows; i += mr) {
                    for (long j = 0; j < columns; j += nr) {
                        const float *panel = j < whole ? b_block + j : packed_b + (j - whole) * depth;
                        info->kernel(depth, packed_a + i * depth, panel, j < whole ? ldb : nr,
                                     c + (top + i) * ldc + left + j, ldc, alpha, block_beta,
                                     (int)min_long(mr, rows - i), (int)min_long(nr, columns - j));
                    }
                }
            }
        }
    }
}
