#include "xad_kcenter.h"
#include "xad_cpu.h"

#include <float.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define XAD_X86 1
#endif

/// The squared Euclidean distance of two `dims`-float rows.
typedef float (*squared_distance_fn)(const float *x, const float *y, int64_t dims);

static inline float squared_distance_portable(const float *x, const float *y, int64_t dims) {
    // Eight partial sums, so the compiler may vectorise without reordering a single sum.
    float lanes[8] = {0};
    int64_t d = 0;
    for (; d + 8 <= dims; d += 8) {
        for (int l = 0; l < 8; l++) {
            float difference = x[d + l] - y[d + l];
            lanes[l] += difference * difference;
        }
    }
    float total = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
    for (; d < dims; d++) total += (x[d] - y[d]) * (x[d] - y[d]);
    return total;
}

#ifdef XAD_X86
__attribute__((target("avx2,fma")))
static inline float squared_distance_avx2(const float *x, const float *y, int64_t dims) {
    __m256 sum = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 8 <= dims; d += 8) {
        __m256 difference = _mm256_sub_ps(_mm256_loadu_ps(x + d), _mm256_loadu_ps(y + d));
        sum = _mm256_fmadd_ps(difference, difference, sum);
    }
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    float total = _mm_cvtss_f32(_mm_add_ss(half, _mm_movehdup_ps(half)));
    for (; d < dims; d++) total += (x[d] - y[d]) * (x[d] - y[d]);
    return total;
}

__attribute__((target("avx512f")))
static inline float squared_distance_avx512(const float *x, const float *y, int64_t dims) {
    __m512 sum = _mm512_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= dims; d += 16) {
        __m512 difference = _mm512_sub_ps(_mm512_loadu_ps(x + d), _mm512_loadu_ps(y + d));
        sum = _mm512_fmadd_ps(difference, difference, sum);
    }
    if (d < dims) {
        __mmask16 tail = (__mmask16)((1u << (dims - d)) - 1);
        __m512 difference = _mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + d), _mm512_maskz_loadu_ps(tail, y + d));
        sum = _mm512_fmadd_ps(difference, difference, sum);
    }
    return _mm512_reduce_add_ps(sum);
}
#endif

enum { BLOCK = 64 };

/// `dots[j] = (row - origin) . block[., j]` for the `BLOCK` columns of `block` (`dims` x `BLOCK`,
/// row-major): one row against a block of centres at once, the loop over columns vectorised.
typedef void (*block_dots_fn)(const float *row, const float *origin, const float *block, int64_t dims, float *dots);

#define XAD_BLOCK_DOTS(name, attributes)                                                          \
    attributes static void name(const float *row, const float *origin, const float *block,       \
                                int64_t dims, float *dots) {                                     \
        float sums[BLOCK] = {0};                                                                  \
        for (int64_t d = 0; d < dims; d++) {                                                      \
            float value = row[d] - origin[d];                                                     \
            const float *column = block + d * BLOCK;                                              \
            for (int j = 0; j < BLOCK; j++) sums[j] += value * column[j];                         \
        }                                                                                         \
        memcpy(dots, sums, sizeof sums);                                                          \
    }

XAD_BLOCK_DOTS(block_dots_portable, )
#ifdef XAD_X86
XAD_BLOCK_DOTS(block_dots_avx2, __attribute__((target("avx2,fma"))))
XAD_BLOCK_DOTS(block_dots_avx512, __attribute__((target("avx512f"))))
#endif

/// A row's squared distance to its nearest centre, and the row: ordered farthest first, then
/// lowest row first (the order in which the plain algorithm would take them).
typedef struct {
    float distance;
    int32_t row;
} ranked_row;

static int ranks_before(ranked_row a, ranked_row b) {
    return a.distance > b.distance || (a.distance == b.distance && a.row < b.row);
}

/// Reorders `items` so that the one at `nth` is where a full sort by `ranks_before` puts it,
/// those before it rank before it and those after it do not (Hoare's selection).
static void select_nth(ranked_row *items, int64_t count, int64_t nth) {
    int64_t low = 0, high = count - 1;
    while (low < high) {
        ranked_row pivot = items[low + (high - low) / 2];
        int64_t i = low, j = high;
        while (i <= j) {
            while (ranks_before(items[i], pivot)) i++;
            while (ranks_before(pivot, items[j])) j--;
            if (i <= j) {
                ranked_row swap = items[i]; items[i] = items[j]; items[j] = swap;
                i++; j--;
            }
        }
        if (nth <= j) high = j;
        else if (nth >= i) low = i;
        else return;
    }
}

/// The selection's working state. `minimum[r]` is row r's squared distance to its nearest
/// centre among those applied to it, `owner[r]` that centre's position in `centres`. Candidates
/// have every centre applied; the others every centre before `applied`, so their `minimum` is
/// an upper bound, and none of them ranks before `bound`.
typedef struct {
    const float *points;
    int64_t rows, dims;
    squared_distance_fn distance;
    block_dots_fn blockDots;
    /// One thread's share of a catch-up pass (a `row_range *`), for this CPU.
    void *(*applyBlock)(void *);
    /// The rows' mean, and each centre's squared distance from it: inter-centre distances are
    /// taken as |g - o|^2 + |c - o|^2 - 2 (g - o).(c - o), only to rule centres out.
    float *origin, *centreNorm;
    /// One block of new centres minus the origin, transposed: [dimension][block column].
    float *block;
    float *minimum;
    int32_t *owner;
    int64_t *centres;
    int64_t centreCount, applied;
    int64_t threads;
    uint8_t *isCandidate;
    int32_t *candidates;
    int64_t candidateCount, candidateLimit;
    ranked_row *ranking;
    ranked_row bound;
    /// A lower bound on the squared inter-centre distances / 4 for one block of new centres:
    /// [centre][block column].
    float *quarterGap;
} kcenter_state;

static const float *row_at(const kcenter_state *s, int64_t row) { return s->points + row * s->dims; }

/// One thread's share of a refresh: the rows `begin..<end` brought up to date with the block
/// of centres `start..<start + width`.
typedef struct {
    kcenter_state *state;
    int64_t start, width, begin, end;
} row_range;

/// `apply_block` for one instruction-set level, its distance inlined (a call per distance
/// costs as much as a short distance itself).
#define XAD_APPLY_BLOCK(name, squared_distance, attributes)                                        \
    attributes static void *name(void *argument) {                                                 \
        const row_range *range = argument;                                                         \
        kcenter_state *s = range->state;                                                           \
        int64_t start = range->start, width = range->width;                                        \
        for (int64_t r = range->begin; r < range->end; r++) {                                      \
            if (s->isCandidate[r]) continue;                                                       \
            float nearest = s->minimum[r];                                                         \
            int32_t owner = s->owner[r];                                                           \
            const float *gaps = s->quarterGap + (int64_t)owner * BLOCK;                            \
            for (int64_t c = 0; c < width; c++) {                                                  \
                /* |g - c| >= 2 |r - g| means |r - c| >= |r - g|: centre c cannot be nearer. */    \
                if (gaps[c] >= nearest) continue;                                                  \
                float d = squared_distance(row_at(s, r), row_at(s, s->centres[start + c]), s->dims); \
                if (d < nearest) {                                                                 \
                    nearest = d;                                                                   \
                    owner = (int32_t)(start + c);                                                  \
                    gaps = s->quarterGap + (int64_t)owner * BLOCK;                                 \
                }                                                                                  \
            }                                                                                      \
            s->minimum[r] = nearest;                                                               \
            s->owner[r] = owner;                                                                   \
        }                                                                                          \
        return NULL;                                                                               \
    }

XAD_APPLY_BLOCK(apply_block_portable, squared_distance_portable, )
#ifdef XAD_X86
XAD_APPLY_BLOCK(apply_block_avx2, squared_distance_avx2, __attribute__((target("avx2,fma"))))
XAD_APPLY_BLOCK(apply_block_avx512, squared_distance_avx512, __attribute__((target("avx512f"))))
#endif

/// The distance, block and catch-up kernels of this CPU's instruction-set level.
static void choose_kernels(kcenter_state *s) {
    s->distance = squared_distance_portable;
    s->blockDots = block_dots_portable;
    s->applyBlock = apply_block_portable;
#ifdef XAD_X86
    switch (xad_cpu_level_get()) {
    case XAD_CPU_AVX512:
        s->distance = squared_distance_avx512;
        s->blockDots = block_dots_avx512;
        s->applyBlock = apply_block_avx512;
        break;
    case XAD_CPU_AVX2:
        s->distance = squared_distance_avx2;
        s->blockDots = block_dots_avx2;
        s->applyBlock = apply_block_avx2;
        break;
    default: break;
    }
#endif
}

enum { MAXIMUM_THREADS = 64 };

/// `apply_block` over every row, the rows split evenly among `threads` threads (this one
/// included); a thread that cannot be started leaves its share to this one.
static void apply_block_in_parallel(kcenter_state *s, int64_t start, int64_t width) {
    int64_t threads = s->threads < 1 ? 1 : (s->threads > MAXIMUM_THREADS ? MAXIMUM_THREADS : s->threads);
    row_range ranges[MAXIMUM_THREADS];
    pthread_t workers[MAXIMUM_THREADS];
    int started[MAXIMUM_THREADS] = {0};
    for (int64_t t = 0; t < threads; t++) {
        ranges[t] = (row_range){s, start, width, s->rows * t / threads, s->rows * (t + 1) / threads};
        if (t > 0) started[t] = pthread_create(&workers[t], NULL, s->applyBlock, &ranges[t]) == 0;
    }
    s->applyBlock(&ranges[0]);
    for (int64_t t = 1; t < threads; t++) {
        if (started[t]) pthread_join(workers[t], NULL);
        else s->applyBlock(&ranges[t]);
    }
}

/// Applies the centres `applied..<centreCount` to every non-candidate row, `BLOCK` centres per
/// pass over the rows (so the rows are read once per block, not once per centre), then ranks all
/// rows again and takes the first `candidateLimit` as the candidates.
static void refresh(kcenter_state *s) {
    for (int64_t start = s->applied; start < s->centreCount; start += BLOCK) {
        int64_t end = start + BLOCK < s->centreCount ? start + BLOCK : s->centreCount, width = end - start;
        memset(s->block, 0, sizeof(float) * BLOCK * s->dims);
        for (int64_t c = 0; c < width; c++) {
            const float *centre = row_at(s, s->centres[start + c]);
            for (int64_t d = 0; d < s->dims; d++) s->block[d * BLOCK + c] = centre[d] - s->origin[d];
        }
        // The rounding of |g|^2 + |c|^2 - 2 g.c stays below (2 dims + 4) eps (|g|^2 + |c|^2);
        // subtracting that keeps the bound a lower one, so no nearer centre is ever skipped.
        float slack = (float)(2 * s->dims + 4) * FLT_EPSILON;
        float dots[BLOCK];
        for (int64_t g = 0; g < end; g++) {
            s->blockDots(row_at(s, s->centres[g]), s->origin, s->block, s->dims, dots);
            for (int64_t c = 0; c < width; c++) {
                float norms = s->centreNorm[g] + s->centreNorm[start + c];
                s->quarterGap[g * BLOCK + c] = (norms - 2 * dots[c] - slack * norms) / 4;
            }
        }
        apply_block_in_parallel(s, start, width);
    }
    s->applied = s->centreCount;

    for (int64_t j = 0; j < s->candidateCount; j++) s->isCandidate[s->candidates[j]] = 0;
    for (int64_t r = 0; r < s->rows; r++) s->ranking[r] = (ranked_row){s->minimum[r], (int32_t)r};
    s->candidateCount = s->candidateLimit < s->rows ? s->candidateLimit : s->rows;
    if (s->candidateCount < s->rows) {
        select_nth(s->ranking, s->rows, s->candidateCount);
        s->bound = s->ranking[s->candidateCount];
    } else {
        s->bound = (ranked_row){-1, (int32_t)s->rows};
    }
    for (int64_t j = 0; j < s->candidateCount; j++) {
        s->candidates[j] = s->ranking[j].row;
        s->isCandidate[s->ranking[j].row] = 1;
    }
}

/// The candidate the plain algorithm would take next, or -1 when a non-candidate might rank before it.
static int64_t farthest_candidate(const kcenter_state *s) {
    int64_t best = -1;
    for (int64_t j = 0; j < s->candidateCount; j++) {
        int32_t r = s->candidates[j];
        if (best < 0 || ranks_before((ranked_row){s->minimum[r], r}, (ranked_row){s->minimum[best], (int32_t)best})) best = r;
    }
    if (best < 0 || !ranks_before((ranked_row){s->minimum[best], (int32_t)best}, s->bound)) return -1;
    return best;
}

/// Adds `row` as a centre and updates the candidates' distances to it.
static void take(kcenter_state *s, int64_t row) {
    const float *centre = row_at(s, row);
    float norm = 0;
    for (int64_t d = 0; d < s->dims; d++) norm += (centre[d] - s->origin[d]) * (centre[d] - s->origin[d]);
    s->centreNorm[s->centreCount] = norm;
    s->centres[s->centreCount++] = row;
    for (int64_t j = 0; j < s->candidateCount; j++) {
        int32_t r = s->candidates[j];
        float d = s->distance(row_at(s, r), centre, s->dims);
        if (d < s->minimum[r]) {
            s->minimum[r] = d;
            s->owner[r] = (int32_t)(s->centreCount - 1);
        }
    }
    s->minimum[row] = 0;
}

int64_t xad_kcenter_greedy(const float *points, int64_t rows, int64_t dims, int64_t first, int64_t count,
                           int64_t threads, int64_t *selected) {
    if (count > rows) count = rows;
    if (count <= 0 || first < 0 || first >= rows) return 0;
    // Enough candidates that many steps pass between refreshes, few enough that a step stays cheap.
    int64_t limit = rows / 64 < 1024 ? 1024 : rows / 64;
    kcenter_state s = {
        .points = points, .rows = rows, .dims = dims, .threads = threads,
        .origin = calloc(dims, sizeof(float)),
        .centreNorm = malloc(sizeof(float) * (count + 1)), .block = malloc(sizeof(float) * BLOCK * dims),
        .minimum = malloc(sizeof(float) * rows), .owner = malloc(sizeof(int32_t) * rows),
        .centres = malloc(sizeof(int64_t) * (count + 1)), .isCandidate = calloc(rows, 1),
        .candidates = malloc(sizeof(int32_t) * (limit < rows ? limit : rows)), .candidateLimit = limit,
        .ranking = malloc(sizeof(ranked_row) * rows), .quarterGap = malloc(sizeof(float) * BLOCK * (count + 1)),
    };
    choose_kernels(&s);
    int64_t taken = -1;
    if (s.origin && s.centreNorm && s.block && s.minimum && s.owner && s.centres && s.isCandidate && s.candidates
        && s.ranking && s.quarterGap) {
        for (int64_t r = 0; r < rows; r++) {
            for (int64_t d = 0; d < dims; d++) s.origin[d] += row_at(&s, r)[d];
        }
        for (int64_t d = 0; d < dims; d++) s.origin[d] /= (float)rows;
        const float *start = row_at(&s, first);
        for (int64_t r = 0; r < rows; r++) {
            s.minimum[r] = s.distance(row_at(&s, r), start, dims);
            s.owner[r] = 0;
        }
        take(&s, first);
        s.applied = 1;
        refresh(&s);
        taken = 0;
        while (taken < count) {
            int64_t farthest = farthest_candidate(&s);
            if (farthest < 0) {
                refresh(&s);
                continue;
            }
            if (s.minimum[farthest] <= 0) break;
            selected[taken++] = farthest;
            take(&s, farthest);
        }
    }
    free(s.origin); free(s.centreNorm); free(s.block);
    free(s.minimum); free(s.owner); free(s.centres); free(s.isCandidate);
    free(s.candidates); free(s.ranking); free(s.quarterGap);
    return taken;
}
