#ifndef XAD_SGEMM_H
#define XAD_SGEMM_H

#include <stdbool.h>

#include "xad_cpu.h"

/// `C = alpha * op(A) * op(B) + beta * C` in single precision, row-major, on the calling thread,
/// with the micro-kernel of `level` (which the caller must only ask for when the CPU supports
/// it: `level <= xad_cpu_level_detected()`). `op(A)` is m x k (A is stored k x m when
/// `transpose_a`), `op(B)` is k x n (stored n x k when `transpose_b`), C is m x n. Leading
/// dimensions count floats between rows as stored. When `beta` is 0, C is not read (NaNs in it
/// are overwritten), as in BLAS; when k is 0, C becomes `beta * C`.
///
/// Blocked as in BLIS (Van Zee & van de Geijn, 2015): panels of A and B are packed into
/// cache-sized buffers, then a register-tiled micro-kernel computes one small tile of C at a
/// time. Threads are the caller's: split C into blocks of rows or columns (multiples of
/// `xad_sgemm_tile`) and call this once per block.
void xad_sgemm(xad_cpu_level level, bool transpose_a, bool transpose_b,
               long m, long n, long k, float alpha,
               const float *a, long lda, const float *b, long ldb,
               float beta, float *c, long ldc);

/// The register tile of `level`'s micro-kernel: the rows and columns of C it computes at once.
/// Blocks of C whose sides are multiples of these waste no work on padding.
void xad_sgemm_tile(xad_cpu_level level, long *rows, long *columns);

#endif
