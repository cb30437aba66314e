#ifndef XAD_SGEMM_KERNELS_H
#define XAD_SGEMM_KERNELS_H

// The micro-kernels behind xad_sgemm (private to CXADKernels).

/// Computes one tile of C: `acc[i][j] = Σ_p a[p * mr + i] * b[p * b_stride + j]` for p < kc, then
/// `C[i][j] = alpha * acc[i][j] + beta * C[i][j]` for i < rows, j < columns (C not read when beta
/// is 0). `a` is a packed panel, kc groups of mr floats with zeros beyond `rows`; `b` is either a
/// packed panel (`b_stride` = nr, 64-byte aligned, zeros beyond `columns`) or, for whole tiles,
/// op(B) read in place (`b_stride` = its leading dimension).
typedef void (*xad_sgemm_micro_kernel)(long kc, const float *a, const float *b, long b_stride, float *c, long ldc,
                                       float alpha, float beta, int rows, int columns);

/// A micro-kernel with its register tile and the cache blocking that suits it.
typedef struct {
    /// Rows (mr) and columns (nr) of the tile of C computed at once.
    int tile_rows, tile_columns;
    /// Columns of the packed B block kept in L2 (with `XAD_SGEMM_DEPTH` rows).
    long block_columns;
    /// Products with at most this many rows of C read whole tiles of an untransposed B in place
    /// rather than packing it (measured per kernel).
    long in_place_rows;
    xad_sgemm_micro_kernel kernel;
} xad_sgemm_kernel_info;

/// The depth (kc) of one packed block of A and B: a kc x nr panel of B and an mr x kc panel of A
/// stay in L1 and L2 while the micro-kernel runs.
#define XAD_SGEMM_DEPTH 256
/// Rows of A packed at once (mc): the packed block, up to 1 MiB, stays in L2 or L3.
#define XAD_SGEMM_BLOCK_ROWS 1024

extern const xad_sgemm_kernel_info xad_sgemm_portable_kernel;
#if defined(__x86_64__)
extern const xad_sgemm_kernel_info xad_sgemm_avx2_kernel;
extern const xad_sgemm_kernel_info xad_sgemm_avx512_kernel;
#endif

#endif
