#ifndef XAD_CPU_H
#define XAD_CPU_H

/// The instruction-set level XADKit's hand-written kernels may use on this CPU, checked at run
/// time so one binary runs right on every x86-64 machine.
typedef enum {
    /// Plain C (compiler-vectorised for the baseline target): every CPU.
    XAD_CPU_PORTABLE = 0,
    /// AVX2 with FMA (x86-64-v3).
    XAD_CPU_AVX2 = 1,
    /// AVX-512 F, BW, DQ and VL (x86-64-v4).
    XAD_CPU_AVX512 = 2,
} xad_cpu_level;

/// The highest level this CPU supports, lowered (never raised) by `XAD_CPU_LEVEL` in the
/// environment ("portable", "avx2" or "avx512"), so tests can run the fallback paths.
/// Computed once; thread-safe.
xad_cpu_level xad_cpu_level_get(void);

/// The level the CPU itself supports, ignoring `XAD_CPU_LEVEL`.
xad_cpu_level xad_cpu_level_detected(void);

#endif
