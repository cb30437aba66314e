#include "xad_cpu.h"

#include <stdlib.h>
#include <string.h>

xad_cpu_level xad_cpu_level_detected(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        return XAD_CPU_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return XAD_CPU_AVX2;
    }
#endif
    return XAD_CPU_PORTABLE;
}

static xad_cpu_level requested_level(xad_cpu_level detected) {
    const char *name = getenv("XAD_CPU_LEVEL");
    if (name == NULL) return detected;
    xad_cpu_level wanted = detected;
    if (strcmp(name, "portable") == 0) wanted = XAD_CPU_PORTABLE;
    else if (strcmp(name, "avx2") == 0) wanted = XAD_CPU_AVX2;
    else if (strcmp(name, "avx512") == 0) wanted = XAD_CPU_AVX512;
    return wanted < detected ? wanted : detected;
}

xad_cpu_level xad_cpu_level_get(void) {
    // A benign race: every thread computes the same value.
    static volatile int cached = -1;
    if (cached < 0) cached = (int)requested_level(xad_cpu_level_detected());
    return (xad_cpu_level)cached;
}
