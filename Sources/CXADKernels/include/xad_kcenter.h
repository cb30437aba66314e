#ifndef XAD_KCENTER_H
#define XAD_KCENTER_H

#include <stdint.h>

/// Greedy k-centre selection (farthest-point sampling) of the rows of `points` (`rows` x `dims`,
/// row-major): with row `first` as the first centre, up to `count` times take the row farthest
/// (Euclidean) from every centre taken so far, the lowest row index among equal distances. The
/// taken rows are written to `selected` in order (`first` not among them); the selection stops
/// early when every remaining row lies on a centre.
///
/// Exact: the same rows as the plain algorithm, which updates every row's distance after each
/// step, though most distances are never computed. Only the rows whose distance is among the
/// largest (the candidates) are updated at each step; the others are brought up to date in one
/// pass for many new centres at once, when the farthest candidate is no longer known to be
/// farther than every other row. That pass skips a row for a new centre c when the row's own
/// centre g lies at least twice the row's distance from c (triangle inequality). Squared
/// distances throughout; the kernel is AVX-512, AVX2 or portable C by `xad_cpu_level_get()`, and
/// the catch-up pass splits the rows among `threads` threads.
///
/// Returns the number of rows written to `selected` (at most `count`), or -1 when memory for the
/// working arrays cannot be allocated. `first` must be in `0..<rows`.
int64_t xad_kcenter_greedy(const float *points, int64_t rows, int64_t dims, int64_t first, int64_t count,
                           int64_t threads, int64_t *selected);

#endif
