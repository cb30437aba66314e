#include "xad_depthwise.h"
#include "xad_cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define XAD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define XAD_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define XAD_INLINE static inline __attribute__((always_inline))

enum { largest_kernel = 5 };

/// The part of one plane's geometry a row of output needs.
typedef struct {
    const float *input;
    int in_height, in_width;
    const float *weight;
    float bias;
    int pad_top, pad_left;
} plane_source;

/// Output rows computed together: each input row is loaded once for all of them.
enum { row_block = 4 };

// MARK: AVX-512

/// The lanes whose column `start + lane` lies inside `0..<width` (the rest is padding).
XAD_TARGET_AVX512 XAD_INLINE __mmask16 inside16(int start, int width) {
    int first = start < 0 ? -start : 0, end = width - start;
    end = end > 16 ? 16 : end;
    if (end <= first) return 0;
    return (__mmask16)((0xFFFFu >> (16 - end)) & (0xFFFFu << first));
}

/// Output rows `y0..<y0 + row_block` (those below `out_height`) at columns `x..<x + 16`: every
/// input row they read is loaded once, as one vector per horizontal tap (masked loads read 0 in
/// the padding and never touch memory there; at stride 2 two loads are split into even and odd
/// columns by one permute each), and multiplied-added into the accumulator of each output row
/// that reads it. `k` and `stride` are constants at every call, so the loops unroll.
XAD_TARGET_AVX512 XAD_INLINE void rows_avx512(const plane_source *p, int y0, int x, const __mmask16 *inside,
                                              float *output, int out_height, int out_width, int k, int stride) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
    const int start = x * stride - p->pad_left;
    __m512 total[row_block];
    for (int r = 0; r < row_block; r++) total[r] = _mm512_set1_ps(p->bias);
    for (int i = 0; i < (row_block - 1) * stride + k; i++) {
        int row = y0 * stride - p->pad_top + i;
        if (row < 0 || row >= p->in_height) continue;
        const float *line = p->input + (size_t)row * (size_t)p->in_width;
        __m512 taps[largest_kernel];
        for (int kx = 0; kx < k; kx += stride) {
            if (stride == 1) {
                taps[kx] = _mm512_maskz_loadu_ps(inside[kx], line + start + kx);
                continue;
            }
            __m512 low = _mm512_maskz_loadu_ps(inside[kx], line + start + kx);
            __m512 high = _mm512_maskz_loadu_ps(inside[kx + 1], line + start + kx + 16);
            taps[kx] = _mm512_permutex2var_ps(low, evens, high);
            if (kx + 1 < k) taps[kx + 1] = _mm512_permutex2var_ps(low, odds, high);
        }
        for (int r = 0; r < row_block; r++) {
            int ky = i - r * stride;
            if (ky < 0 || ky >= k) continue;
            for (int kx = 0; kx < k; kx++) {
                total[r] = _mm512_fmadd_ps(_mm512_set1_ps(p->weight[ky * k + kx]), taps[kx], total[r]);
            }
        }
    }
    int left = out_width - x;
    __mmask16 stored = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
    for (int r = 0; r < row_block && y0 + r < out_height; r++) {
        _mm512_mask_storeu_ps(output + (size_t)(y0 + r) * (size_t)out_width + x, stored, total[r]);
    }
}

/// Every output row of the plane, `row_block` rows and 16 columns at a time, along the rows (so
/// that the input rows of a block stay in cache while its columns are swept).
XAD_TARGET_AVX512 XAD_INLINE void plane_avx512(const plane_source *p, float *output, int out_height, int out_width,
                                               int k, int stride) {
    for (int y0 = 0; y0 < out_height; y0 += row_block) {
        for (int x = 0; x < out_width; x += 16) {
            // Stride 1: the lanes of tap kx; stride 2: of the low (kx) and high (kx + 1) load of pair kx.
            __mmask16 inside[largest_kernel + 1];
            for (int kx = 0; kx < k; kx += stride) {
                inside[kx] = inside16(x * stride - p->pad_left + kx, p->in_width);
                if (stride == 2) inside[kx + 1] = inside16(x * stride - p->pad_left + kx + 16, p->in_width);
            }
            rows_avx512(p, y0, x, inside, output, out_height, out_width, k, stride);
        }
    }
}

// MARK: AVX2

/// `inside16` for 8 lanes, as a vector mask.
XAD_TARGET_AVX2 XAD_INLINE __m256i inside8(int start, int width) {
    __m256i columns = _mm256_add_epi32(_mm256_set1_epi32(start), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_and_si256(_mm256_cmpgt_epi32(columns, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(width), columns));
}

/// The even (`odd` = 0) or odd (`odd` = 1) lanes of `low` then of `high`, in order.
XAD_TARGET_AVX2 XAD_INLINE __m256 alternate8(__m256 low, __m256 high, int odd) {
    // shuffle_ps works within 128-bit halves: [l0 l2 h0 h2 | l4 l6 h4 h6]; the permute orders them.
    __m256 mixed = odd ? _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1))
                       : _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

/// `rows_avx512` with 8 lanes.
XAD_TARGET_AVX2 XAD_INLINE void rows_avx2(const plane_source *p, int y0, int x, const __m256i *inside,
                                          float *output, int out_height, int out_width, int k, int stride) {
    const int start = x * stride - p->pad_left;
    __m256 total[row_block];
    for (int r = 0; r < row_block; r++) total[r] = _mm256_set1_ps(p->bias);
    for (int i = 0; i < (row_block - 1) * stride + k; i++) {
        int row = y0 * stride - p->pad_top + i;
        if (row < 0 || row >= p->in_height) continue;
        const float *line = p->input + (size_t)row * (size_t)p->in_width;
        __m256 taps[largest_kernel];
        for (int kx = 0; kx < k; kx += stride) {
            if (stride == 1) {
                taps[kx] = _mm256_maskload_ps(line + start + kx, inside[kx]);
                continue;
            }
            __m256 low = _mm256_maskload_ps(line + start + kx, inside[kx]);
            __m256 high = _mm256_maskload_ps(line + start + kx + 8, inside[kx + 1]);
            taps[kx] = alternate8(low, high, 0);
            if (kx + 1 < k) taps[kx + 1] = alternate8(low, high, 1);
        }
        for (int r = 0; r < row_block; r++) {
            int ky = i - r * stride;
            if (ky < 0 || ky >= k) continue;
            for (int kx = 0; kx < k; kx++) {
                total[r] = _mm256_fmadd_ps(_mm256_set1_ps(p->weight[ky * k + kx]), taps[kx], total[r]);
            }
        }
    }
    int left = out_width - x;
    __m256i stored = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int r = 0; r < row_block && y0 + r < out_height; r++) {
        _mm256_maskstore_ps(output + (size_t)(y0 + r) * (size_t)out_width + x, stored, total[r]);
    }
}

/// `plane_avx512` with 8 lanes.
XAD_TARGET_AVX2 XAD_INLINE void plane_avx2(const plane_source *p, float *output, int out_height, int out_width,
                                           int k, int stride) {
    for (int y0 = 0; y0 < out_height; y0 += row_block) {
        for (int x = 0; x < out_width; x += 8) {
            __m256i inside[largest_kernel + 1];
            for (int kx = 0; kx < k; kx += stride) {
                inside[kx] = inside8(x * stride - p->pad_left + kx, p->in_width);
                if (stride == 2) inside[kx + 1] = inside8(x * stride - p->pad_left + kx + 8, p->in_width);
            }
            rows_avx2(p, y0, x, inside, output, out_height, out_width, k, stride);
        }
    }
}

// MARK: One plane, per level, kernel size and stride

/// Defines `NAME(source, output, out_height, out_width)`: `BODY` with the constant kernel size
/// `K` and stride `S`, compiled for `TARGET`.
#define XAD_PLANE_KERNEL(NAME, TARGET, BODY, K, S)                                              \
    TARGET static void NAME(const plane_source *p, float *output, int out_height, int out_width) { \
        BODY(p, output, out_height, out_width, K, S);                                              \
    }

XAD_PLANE_KERNEL(plane3s1_avx512, XAD_TARGET_AVX512, plane_avx512, 3, 1)
XAD_PLANE_KERNEL(plane3s2_avx512, XAD_TARGET_AVX512, plane_avx512, 3, 2)
XAD_PLANE_KERNEL(plane5s1_avx512, XAD_TARGET_AVX512, plane_avx512, 5, 1)
XAD_PLANE_KERNEL(plane5s2_avx512, XAD_TARGET_AVX512, plane_avx512, 5, 2)
XAD_PLANE_KERNEL(plane3s1_avx2, XAD_TARGET_AVX2, plane_avx2, 3, 1)
XAD_PLANE_KERNEL(plane3s2_avx2, XAD_TARGET_AVX2, plane_avx2, 3, 2)
XAD_PLANE_KERNEL(plane5s1_avx2, XAD_TARGET_AVX2, plane_avx2, 5, 1)
XAD_PLANE_KERNEL(plane5s2_avx2, XAD_TARGET_AVX2, plane_avx2, 5, 2)

typedef void (*plane_kernel)(const plane_source *, float *, int, int);

/// The plane kernel for `kernel` and `stride` at `level`, or NULL below AVX2.
static plane_kernel choose_plane_kernel(xad_cpu_level level, int kernel, int stride) {
    if (!((kernel == 3 || kernel == 5) && (stride == 1 || stride == 2))) return 0;
    // Indexed [kernel == 5][stride == 2].
    static const plane_kernel avx512[2][2] = {{plane3s1_avx512, plane3s2_avx512}, {plane5s1_avx512, plane5s2_avx512}};
    static const plane_kernel avx2[2][2] = {{plane3s1_avx2, plane3s2_avx2}, {plane5s1_avx2, plane5s2_avx2}};
    switch (level) {
    case XAD_CPU_AVX512: return avx512[kernel == 5][stride == 2];
    case XAD_CPU_AVX2: return avx2[kernel == 5][stride == 2];
    case XAD_CPU_PORTABLE: return 0;
    }
    return 0;
}

int xad_depthwise_plane_supports(xad_cpu_level level, int kernel, int stride) {
    return choose_plane_kernel(level, kernel, stride) != 0;
}

void xad_depthwise_plane(xad_cpu_level level, const float *input, int in_height, int in_width,
                         const float *weight, int kernel, float bias,
                         float *output, int out_height, int out_width,
                         int stride, int pad_top, int pad_left) {
    plane_kernel plane = choose_plane_kernel(level, kernel, stride);
    if (plane == 0) return;
    plane_source source = {input, in_height, in_width, weight, bias, pad_top, pad_left};
    plane(&source, output, out_height, out_width);
}

#else

int xad_depthwise_plane_supports(xad_cpu_level level, int kernel, int stride) {
    (void)level;
    (void)kernel;
    (void)stride;
    return 0;
}

void xad_depthwise_plane(xad_cpu_level level, const float *input, int in_height, int in_width,
                         const float *weight, int kernel, float bias,
                         float *output, int out_height, int out_width,
                         int stride, int pad_top, int pad_left) {
    (void)level, (void)input, (void)in_height, (void)in_width, (void)weight, (void)kernel, (void)bias;
    (void)output, (void)out_height, (void)out_width, (void)stride, (void)pad_top, (void)pad_left;
}

#endif
