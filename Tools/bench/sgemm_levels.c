// sgemm in one process per configuration, without Swift: OpenBLAS (whatever kernel it chose,
// or the one OPENBLAS_CORETYPE forces) or XADKit's xad_sgemm at one CPU level, one thread,
// GFLOP/s per process CPU second (best run of at least 3 within a second), with the largest
// error of 50 random entries against a double-precision dot product. Build and run:
//
//   K=Sources/CXADKernels
//   clang -O2 -I$K/include -I$K -o /tmp/sgemm_levels Tools/bench/sgemm_levels.c $K/sgemm*.c $K/cpu.c -lopenblas -lm
//   OPENBLAS_NUM_THREADS=1 /tmp/sgemm_levels GEMM M N K [TRANSPOSE_A TRANSPOSE_B]
//
// GEMM: "openblas", or "portable", "avx2", "avx512" for xad_sgemm at that level.
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xad_sgemm.h"

static double cpu_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static float *random_matrix(long count) {
    float *values = malloc((size_t)count * sizeof(float));
    if (values == NULL) exit(1);
    for (long i = 0; i < count; i++) values[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return values;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s openblas|portable|avx2|avx512 M N K [TRANSPOSE_A TRANSPOSE_B]\n", argv[0]);
        return 2;
    }
    const char *gemm = argv[1];
    const long m = atol(argv[2]), n = atol(argv[3]), k = atol(argv[4]);
    const int transpose_a = argc > 5 && atoi(argv[5]), transpose_b = argc > 6 && atoi(argv[6]);
    const xad_cpu_level level = strcmp(gemm, "avx512") == 0 ? XAD_CPU_AVX512
                                : strcmp(gemm, "avx2") == 0 ? XAD_CPU_AVX2 : XAD_CPU_PORTABLE;
    if (strcmp(gemm, "openblas") != 0 && level > xad_cpu_level_detected()) {
        fprintf(stderr, "this CPU cannot run the %s kernel\n", gemm);
        return 2;
    }
    srand(1);
    float *a = random_matrix(m * k), *b = random_matrix(k * n), *c = random_matrix(m * n);
    const long lda = transpose_a ? m : k, ldb = transpose_b ? k : n;
    double best = INFINITY, start = cpu_seconds();
    for (int runs = 0; runs < 3 || (cpu_seconds() - start < 1 && runs < 200); runs++) {
        double before = cpu_seconds();
        if (strcmp(gemm, "openblas") == 0) {
            cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
                        (int)m, (int)n, (int)k, 1, a, (int)lda, b, (int)ldb, 0, c, (int)n);
        } else {
            xad_sgemm(level, transpose_a, transpose_b, m, n, k, 1, a, lda, b, ldb, 0, c, n);
        }
        double seconds = cpu_seconds() - before;
        if (seconds < best) best = seconds;
    }
    double error = 0;
    for (int check = 0; check < 50; check++) {
        long i = rand() % m, j = rand() % n;
        double exact = 0;
        for (long p = 0; p < k; p++) {
            exact += (double)(transpose_a ? a[p * lda + i] : a[i * lda + p]) * (transpose_b ? b[j * ldb + p] : b[p * ldb + j]);
        }
        error = fmax(error, fabs(exact - c[i * n + j]));
    }
    printf("%s %ldx%ldx%ld%s%s: %.1f GFLOP/s per CPU second, largest error %.1e\n", gemm, m, n, k,
           transpose_a ? " Aᵀ" : "", transpose_b ? " Bᵀ" : "", 2.0 * m * n * k / best / 1e9, error);
    return 0;
}
