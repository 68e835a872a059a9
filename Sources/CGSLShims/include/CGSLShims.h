#ifndef VBQLAB_CGSLSHIMS_H
#define VBQLAB_CGSLSHIMS_H
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>

/// GSL's Sobol generator type (a global Swift cannot read under strict concurrency).
const gsl_qrng_type *vbq_qrng_sobol(void);

/// xoshiro256** (Blackman & Vigna 2018) registered as a gsl_rng_type, so every gsl_ran_*
/// distribution can draw from it. Its 256-bit state is set whole by vbq_rng_set_state; the
/// gsl_rng_set path (a single unsigned long seed) expands the seed with SplitMix64.
const gsl_rng_type *vbq_rng_xoshiro256ss(void);

/// Sets the full 256-bit state of a generator created from vbq_rng_xoshiro256ss().
/// An all-zero state is invalid for xoshiro and is replaced by a fixed non-zero one.
void vbq_rng_set_state(gsl_rng *r, uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);

/// The next raw 64-bit output (for tests that compare with the reference implementation).
uint64_t vbq_rng_next64(gsl_rng *r);

/// The generator's state, as gsl_rng keeps it in r->state.
typedef struct { uint64_t s[4]; } vbq_xoshiro_state;

/// One step of xoshiro256** (Blackman & Vigna 2018) on its four-word state: the one definition
/// that the gsl_rng_type (xoshiro.c), the ziggurat (fast.c) and vbq_uniform share.
static inline uint64_t vbq_xoshiro_next(uint64_t s[4]) {
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/// Uniform on [0, 1) from a vbq_rng_xoshiro256ss() generator, inline: the same value as
/// gsl_rng_uniform(r) (53 random bits of the next output), without GSL's call through the type.
static inline double vbq_uniform(gsl_rng *r) {
    return (double)(vbq_xoshiro_next((uint64_t *)r->state) >> 11) * 0x1.0p-53;
}

/// Uniform integer in 0 .. n-1 (0 < n <= 2^32 - 1) from a vbq_rng_xoshiro256ss() generator, inline:
/// the same value, from the same draws, as gsl_rng_uniform_int(r, n) — GSL divides the
/// generator's 32-bit output (the upper half of the 64-bit one) by scale = (2^32 - 1) / n and
/// draws again while the quotient is n or more — without GSL's two calls per draw.
static inline uint32_t vbq_uniform_int(gsl_rng *r, uint32_t n) {
    const uint32_t scale = 0xFFFFFFFFu / n;
    uint32_t k;
    do { k = (uint32_t)(vbq_xoshiro_next((uint64_t *)r->state) >> 32) / scale; } while (k >= n);
    return k;
}

/// out[i] = src[vbq_uniform_int(r, nsrc)] for i = 0 .. nout-1, in order (a resample with
/// replacement: the same draws and values as that loop). 0 < nsrc <= 2^32 - 1.
void vbq_resample(gsl_rng *r, const double *src, uint32_t nsrc, double *out, size_t nout);

/// A standard normal from a vbq_rng_xoshiro256ss() generator by a 256-layer ziggurat (fast.c).
double vbq_normal(gsl_rng *r);

/// n draws of mean + sd * (standard normal) into out, in order.
void vbq_normal_fill(gsl_rng *r, double mean, double sd, double *out, size_t n);

/// Sorts n doubles (no NaN) ascending: insertion, bucket or radix sort by size (fast.c).
/// scratch holds 2n + 4 uint64_t for n ≤ 4096, n above.
void vbq_sort_doubles(double *a, size_t n, uint64_t *scratch);

/// What one pass over the two classes in their joint order gives (see vbq_sort_classes): the
/// DeLong placement sums in halves, and the Youden search's best K = tp·n0 + tn·n1 with its tied
/// thresholds as (score, events before, non-events up to it) triples.
typedef struct {
    uint64_t halves10, squares10, halves01, squares01;
    int64_t best, ties;
} vbq_merge_stats;

/// Sorts events x (n1) and non-events y (n0) in place, ascending. Returns 1 when it also
/// filled *stats (every score distinct), having sorted both classes together by one radix sort
/// and taken the sums in the same pass; 0 otherwise, leaving *stats unset: with equal scores
/// the classes come back sorted together, with NaN, infinities, an empty class, more than 4096
/// scores or scores crowded into few keys each is sorted alone. `tied` (room for
/// 3(n1 + n0 + 1) doubles) receives the tied thresholds when
/// not NULL; `below` (room for n0 + 1), when not NULL, the number of events below each
/// non-event (valid when 1 is returned). scratch holds 6(n1 + n0) + 528 uint64_t.
int vbq_sort_classes(double *x, size_t n1, double *y, size_t n0, uint64_t *scratch, double *tied, int32_t *below,
                     vbq_merge_stats *stats);

/// Starts `path` with `argv` (NULL-terminated) in `dir`: stdin and stdout on /dev/null, stderr
/// into a pipe whose read end goes to *stderr_read. No shell. Returns 0 or an errno value.
int vbq_spawn(const char *path, char *const argv[], const char *dir, int *stderr_read, int *pid_out);

/// GSL's generator-type globals, returned by function so Swift 6 does not see a mutable global.
static inline const gsl_rng_type *vbq_rng_mt19937(void) { return gsl_rng_mt19937; }

/// GSL's solver-type globals, likewise.
static inline const gsl_root_fsolver_type *vbq_root_brent(void) { return gsl_root_fsolver_brent; }
static inline const gsl_min_fminimizer_type *vbq_min_brent(void) { return gsl_min_fminimizer_brent; }
static inline const gsl_multimin_fminimizer_type *vbq_multimin_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }

/// GSL's version string (a C global) as a function.
static inline const char *vbq_gsl_version(void) { return gsl_version; }

/// Turns GSL's abort-on-error handler off; errors are reported through status codes.
static inline void vbq_gsl_errors_off(void) { gsl_set_error_handler_off(); }

#endif
