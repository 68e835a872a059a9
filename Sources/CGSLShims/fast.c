/* The simulation's inner loops in C: normal draws from the xoshiro256** stream by a
 * 256-layer ziggurat, and a radix sort of doubles. Both are exact: the ziggurat's tables are
 * computed to 60 digits by scripts/ziggurat-tables.py, the sort orders by value (-0 before +0,
 * equal values adjacent) and never loses or changes a value. */
#include <math.h>
#include <string.h>
#include "CGSLShims.h"
#include "ziggurat_tables.h"

static inline uint64_t next64(vbq_xoshiro_state *st) { return vbq_xoshiro_next(st->s); }

/* Uniform on [0, 1) and on (0, 1), 53 random bits. */
static inline double uniform01(vbq_xoshiro_state *st) { return (double)(next64(st) >> 11) * 0x1.0p-53; }
static inline double uniform_pos(vbq_xoshiro_state *st) { return ((double)(next64(st) >> 11) + 0.5) * 0x1.0p-53; }

/* The rest of a draw whose first 64-bit output u fell outside its layer's rectangle: the
 * wedge or tail test, then fresh draws until one is accepted (about 1.2% of draws get here). */
static double __attribute__((noinline)) std_normal_slow(vbq_xoshiro_state *st, uint64_t u) {
    for (;;) {
        const unsigned i = (unsigned)(u & 0xFF);
        const uint64_t j = u >> 11;
        const double sign = (u & 0x100) ? -1.0 : 1.0;
        double x = (double)(int64_t)j * vbq_zig_w[i];
        if (j < vbq_zig_k[i]) return sign * x;
        if (i == 0) {
            /* The tail beyond r (Marsaglia 1964). */
            double a, b;
            do {
                a = -log(uniform_pos(st)) / vbq_zig_r;
                b = -log(uniform_pos(st));
            } while (b + b < a * a);
            return sign * (vbq_zig_r + a);
        }
        /* The wedge between the rectangle and the curve. */
        const double y = vbq_zig_f[i] + uniform01(st) * (vbq_zig_f[i + 1] - vbq_zig_f[i]);
        if (y < exp(-0.5 * x * x)) return sign * x;
        u = next64(st);
    }
}

/* x with its sign bit flipped when bit 8 of u is set: -x exactly, without a branch (the sign is
 * a fair coin, so a branch on it is mispredicted on every other draw). */
static inline double with_sign(double x, uint64_t u) {
    uint64_t b;
    memcpy(&b, &x, 8);
    b ^= (u & 0x100) << 55;
    memcpy(&x, &b, 8);
    return x;
}

/* One standard normal. Bits 0-7 of a 64-bit draw pick the layer, bit 8 the sign, bits 11-63
 * the position within the layer; about 98.8% of draws are accepted at the first test. */
static inline double std_normal(vbq_xoshiro_state *st) {
    const uint64_t u = next64(st);
    const unsigned i = (unsigned)(u & 0xFF);
    const uint64_t j = u >> 11;
    if (__builtin_expect(j < vbq_zig_k[i], 1)) return with_sign((double)(int64_t)j * vbq_zig_w[i], u);
    return std_normal_slow(st, u);
}

double vbq_normal(gsl_rng *r) { return std_normal((vbq_xoshiro_state *)r->state); }

void vbq_normal_fill(gsl_rng *r, double mean, double sd, double *out, size_t n) {
    /* The state in four locals, so it stays in registers (the rare slow path gets a copy): the
     * same steps as vbq_xoshiro_next, the same values as n calls of vbq_normal. */
    vbq_xoshiro_state *state = (vbq_xoshiro_state *)r->state;
    uint64_t s0 = state->s[0], s1 = state->s[1], s2 = state->s[2], s3 = state->s[3];
    for (size_t k = 0; k < n; k++) {
        const uint64_t x5 = s1 * 5;
        const uint64_t u = ((x5 << 7) | (x5 >> 57)) * 9;
        const uint64_t t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = (s3 << 45) | (s3 >> 19);
        const unsigned i = (unsigned)(u & 0xFF);
        const uint64_t j = u >> 11;
        double z;
        if (__builtin_expect(j < vbq_zig_k[i], 1)) {
            z = with_sign((double)(int64_t)j * vbq_zig_w[i], u);
        } else {
            vbq_xoshiro_state slow = {{s0, s1, s2, s3}};
            z = std_normal_slow(&slow, u);
            s0 = slow.s[0]; s1 = slow.s[1]; s2 = slow.s[2]; s3 = slow.s[3];
        }
        out[k] = mean + sd * z;
    }
    state->s[0] = s0; state->s[1] = s1; state->s[2] = s2; state->s[3] = s3;
}

void vbq_resample(gsl_rng *r, const double *src, uint32_t nsrc, double *out, size_t nout) {
    /* The state in four locals, as in vbq_normal_fill; the quotient by the constant scale as a
     * multiply: for 32-bit x and d, floor(x / d) = floor(M x / 2^64) with M = ceil(2^64 / d)
     * (Lemire, Kaser & Kurz 2019, "Faster remainder by direct computation"), so the draws are
     * gsl_rng_uniform_int's. */
    vbq_xoshiro_state *state = (vbq_xoshiro_state *)r->state;
    uint64_t s[4] = {state->s[0], state->s[1], state->s[2], state->s[3]};
    const uint32_t scale = 0xFFFFFFFFu / nsrc;
    const uint64_t magic = UINT64_MAX / scale + 1;       /* ceil(2^64 / scale); scale >= 1 */
    for (size_t i = 0; i < nout; i++) {
        uint32_t k;
        do {
            const uint64_t x = vbq_xoshiro_next(s) >> 32;
            k = scale == 1 ? (uint32_t)x : (uint32_t)(((unsigned __int128)magic * x) >> 64);
        } while (k >= nsrc);
        out[i] = src[k];
    }
    state->s[0] = s[0]; state->s[1] = s[1]; state->s[2] = s[2]; state->s[3] = s[3];
}

/* Doubles as unsigned keys in the same order: flip every bit of negatives, the sign of the rest. */
static inline uint64_t key_of(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return (u & 0x8000000000000000ULL) ? ~u : (u ^ 0x8000000000000000ULL);
}
static inline double value_of(uint64_t k) {
    uint64_t u = (k & 0x8000000000000000ULL) ? (k ^ 0x8000000000000000ULL) : ~k;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void insertion_sort(double *a, size_t n) {
    for (size_t i = 1; i < n; i++) {
        const double v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) { a[j] = a[j - 1]; j--; }
        a[j] = v;
    }
}

/* The array's own memory as a second buffer of keys (so the sorts need n words of scratch). */
typedef uint64_t __attribute__((may_alias)) alias_u64;

/* Puts keys that ended in `src` back into `a` as doubles (src may be a's own memory). */
static void keys_to_values(double *a, const alias_u64 *src, size_t n, uint64_t offset) {
    alias_u64 *own = (alias_u64 *)(void *)a;
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = src[i] + offset;
        const double v = value_of(k);
        if (src == own) memcpy(&a[i], &v, 8); else a[i] = v;
    }
}

/* LSD radix sort on the keys, 8 bits a pass, passes whose byte is the same in every key skipped. */
static void radix_sort(double *a, size_t n, uint64_t *scratch) {
    alias_u64 *src = scratch, *dst = (alias_u64 *)(void *)a;
    uint32_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = key_of(a[i]);
        src[i] = k;
        for (int d = 0; d < 8; d++) count[d][(k >> (8 * d)) & 0xFF]++;
    }
    for (int d = 0; d < 8; d++) {
        uint32_t *c = count[d];
        if (c[(src[0] >> (8 * d)) & 0xFF] == n) continue;
        uint32_t sum = 0;
        for (int b = 0; b < 256; b++) { const uint32_t t = c[b]; c[b] = sum; sum += t; }
        for (size_t i = 0; i < n; i++) {
            const uint64_t k = src[i];
            dst[c[(k >> (8 * d)) & 0xFF]++] = k;
        }
        alias_u64 *t = src; src = dst; dst = t;
    }
    keys_to_values(a, src, n, 0);
}

/* Large arrays: the doubles become order-preserving integer keys,
 * offset by the smallest: an LSD radix sort on the 32 most significant bits of the offset
 * keys (four 8-bit passes, no branches), then an insertion pass that orders the keys equal in
 * those bits — about n compares, since such keys are within 2^-31 of the range of each other.
 * If that pass has to move much (many near-equal values), the full 64-bit radix sort finishes. */
static void radix32_sort(double *a, size_t n, uint64_t *scratch) {
    alias_u64 *src = scratch, *dst = (alias_u64 *)(void *)a;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = key_of(a[i]);
        src[i] = k;
        if (k < kmin) kmin = k;
        if (k > kmax) kmax = k;
    }
    const uint64_t range = kmax - kmin;
    if (range == 0) return;
    const int shift = range >> 32 ? 64 - __builtin_clzll(range) - 32 : 0;
    uint32_t count[4][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        const uint64_t d = (src[i] - kmin) >> shift;
        src[i] -= kmin;
        count[0][d & 0xFF]++;
        count[1][(d >> 8) & 0xFF]++;
        count[2][(d >> 16) & 0xFF]++;
        count[3][(d >> 24) & 0xFF]++;
    }
    for (int p = 0; p < 4; p++) {
        uint32_t *c = count[p];
        const int at = shift + 8 * p;
        if (c[(src[0] >> at) & 0xFF] == n) continue;
        uint32_t sum = 0;
        for (int b = 0; b < 256; b++) { const uint32_t t = c[b]; c[b] = sum; sum += t; }
        for (size_t i = 0; i < n; i++) {
            const uint64_t k = src[i];
            dst[c[(k >> at) & 0xFF]++] = k;
        }
        alias_u64 *t = src; src = dst; dst = t;
    }
    size_t moves = 0;
    if (shift > 0) {
        for (size_t i = 1; i < n; i++) {
            const uint64_t v = src[i];
            size_t j = i;
            while (j > 0 && src[j - 1] > v) { src[j] = src[j - 1]; j--; moves++; }
            src[j] = v;
            if (moves > 8 * n) break;
        }
    }
    keys_to_values(a, src, n, kmin);
    if (moves > 8 * n) radix_sort(a, n, scratch);
}

/* Moderate arrays: 2n buckets of equal width between the smallest and largest value, then an
 * insertion sort that only moves values within their bucket — O(n) for samples of continuous
 * distributions; when some bucket holds more than 64 values (heavy tails, ties) the radix sort
 * takes over, so no input costs more than a few passes over the data. */
static int bucket_sort(double *a, size_t n, uint64_t *scratch) {
    double lo = a[0], hi = a[0];
    int nan = a[0] != a[0];
    for (size_t i = 1; i < n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]; nan |= a[i] != a[i]; }
    if (nan || !(hi - lo < INFINITY)) return 0;    /* NaN, or infinities: the radix sort */
    if (!(hi > lo)) return 1;                      /* all equal */
    const size_t nb = 2 * n;                       /* half the values land alone in a bucket */
    const double scale = (double)nb / (hi - lo);
    if (!(scale < 1e300)) return 0;
    uint32_t *count = (uint32_t *)scratch;         /* 2n + 1 counts, then n doubles */
    double *out = (double *)(scratch + n + 2);
    memset(count, 0, (nb + 1) * sizeof(uint32_t));
    uint32_t most = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((a[i] - lo) * scale);
        if (b >= nb) b = nb - 1;
        if (++count[b] > most) most = count[b];
    }
    if (most > 64) return 0;
    uint32_t sum = 0;
    for (size_t b = 0; b < nb; b++) { const uint32_t t = count[b]; count[b] = sum; sum += t; }
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((a[i] - lo) * scale);
        if (b >= nb) b = nb - 1;
        out[count[b]++] = a[i];
    }
    insertion_sort(out, n);
    memcpy(a, out, n * sizeof(double));
    return 1;
}

/* Ascending, by value; equal values compare equal as in any comparison sort (-0 and +0
 * included), so the result is the same as any correct sort's. scratch holds 2n + 4 words up
 * to 4096 values and n above (the radix sorts use the array itself as their second buffer). Up to 32 values: insertion
 * sort; up to 4096: the bucket sort; above: the 32-bit radix sort (the fastest of the three
 * at each size on this kind of data, measured by bench/). */
void vbq_sort_doubles(double *a, size_t n, uint64_t *scratch) {
    if (n < 2) return;
    if (n <= 32) { insertion_sort(a, n); return; }
    if (n <= 4096 && bucket_sort(a, n, scratch)) return;
    radix32_sort(a, n, scratch);
}

/* Both classes sorted together, then one branch-free pass over their joint order that hands
 * each class back sorted and sums what the AUC, DeLong's variance and the Youden search need
 * (ClassMerge.run's arithmetic, so the same integers). The joint sort: each score gets
 * a 16-bit key, its place on a grid of 65,536 steps between the smallest and the largest score
 * ((v − lo)·scale rounds monotonically, so a smaller key means a smaller score), packed above
 * its index; two byte-wise radix passes order the packed words by key; an insertion pass orders
 * scores that share a key (about one pair in a cohort of 256, so it is almost never entered).
 * With two equal scores the classes come back sorted but the sums are not taken (the grouped
 * merge does them); with NaN, infinities, an empty class, more than 4096 scores or crowded keys
 * each class is sorted alone. */
int vbq_sort_classes(double *x, size_t n1, double *y, size_t n0, uint64_t *scratch, double *tied, int32_t *below,
                     vbq_merge_stats *stats) {
    const size_t n = n1 + n0;
    if (n1 == 0 || n0 == 0 || n > 4096) goto separately;
    double lo = x[0], hi = x[0];
    int nan = 0;
    for (size_t i = 0; i < n1; i++) { const double v = x[i]; lo = v < lo ? v : lo; hi = v > hi ? v : hi; nan |= v != v; }
    for (size_t j = 0; j < n0; j++) { const double v = y[j]; lo = v < lo ? v : lo; hi = v > hi ? v : hi; nan |= v != v; }
    if (nan || !(hi > lo) || !(hi - lo < INFINITY)) goto separately;   /* NaN, all equal, infinities */
    const double scale = 65536.0 / (hi - lo);
    if (!(scale < 1e300)) goto separately;
    double *val = (double *)scratch;                               /* n: the scores in joint order */
    double *src = val + n;                                         /* n: x then y */
    uint32_t *a = (uint32_t *)(src + n);                           /* n packed words, */
    uint32_t *b = a + n + (n & 1);                                 /* n more for the radix passes */
    double *xs = (double *)(b + n + (n & 1));                      /* n1 + 1: the classes sorted */
    double *ys = xs + n1 + 1;                                      /* n0 + 1 */
    /* K after each score: n words, written in step with the reads of val, so placed half a page
     * away from them (a store 4 KiB from a later load makes the load wait for it). */
    int64_t *kat = (int64_t *)(ys + n0 + 1);
    kat += ((2048 - (((uintptr_t)kat - (uintptr_t)val) & 4095)) & 4095) / 8;
    int32_t *eb = below ? below : (int32_t *)(kat + n);            /* n0 + 1 (ends by 6n + 528) */
    uint32_t c0[256], c1[256];
    memset(c0, 0, sizeof c0);
    memset(c1, 0, sizeof c1);
    memcpy(src, x, n1 * sizeof(double));
    memcpy(src + n1, y, n0 * sizeof(double));
    for (size_t p = 0; p < n; p++) {
        const double t = (src[p] - lo) * scale;
        const uint32_t key = t < 65535.0 ? (uint32_t)t : 65535u;
        a[p] = key << 16 | (uint32_t)p;
        c0[key & 0xFF]++;
        c1[key >> 8]++;
    }
    uint32_t s0 = 0, s1 = 0;
    for (int d = 0; d < 256; d++) {
        const uint32_t t0 = c0[d], t1 = c1[d];
        c0[d] = s0; c1[d] = s1; s0 += t0; s1 += t1;
    }
    for (size_t p = 0; p < n; p++) { const uint32_t w = a[p]; b[c0[(w >> 16) & 0xFF]++] = w; }
    for (size_t p = 0; p < n; p++) { const uint32_t w = b[p]; a[c1[w >> 24]++] = w; }
    for (size_t p = 0; p < n; p++) val[p] = src[a[p] & 0xFFFF];
    /* Scores that share a key: insertion, moving the packed word (index) with the score; two
     * equal scores are found on the way (a score is either above the one before it, or equal to
     * it, or moved down to just above a smaller or an equal one). */
    /* Scores crowded into few keys (one far-out score stretches the grid) would make this
     * quadratic: past 8n moves each class is sorted alone, so no input costs more than a few
     * passes. */
    int equal = 0;
    size_t moves = 0;
    for (size_t p = 1; p < n; p++) {
        const double v = val[p];
        if (val[p - 1] < v) continue;
        const uint32_t w = a[p];
        size_t q = p;
        while (q > 0 && val[q - 1] > v) { val[q] = val[q - 1]; a[q] = a[q - 1]; q--; }
        val[q] = v; a[q] = w;
        equal |= q > 0 && val[q - 1] == v;
        moves += p - q;
        if (moves > 8 * n) goto separately;
    }
    /* The pass, free of branches: the running counts, the placement sums, and K after each
     * score (K starts at n1·n0, all test-positive, falls by n0 at an event and rises by n1 at a
     * non-event, so only a non-event can reach the best); then the ties are picked out. */
    uint64_t s10 = 0, q10 = 0, s01 = 0, q01 = 0;
    int64_t k = (int64_t)(n1 * n0), best = k;
    const int64_t up = (int64_t)n1, down = -(int64_t)n0;
    size_t i = 0, j = 0;
    for (size_t p = 0; p < n; p++) {
        const double v = val[p];
        const uint64_t e = (a[p] & 0xFFFF) < n1;      /* 1: event */
        const uint64_t m = 0 - e;                    /* all ones at an event: masks, not branches */
        xs[i] = v; ys[j] = v;                        /* the one not advanced is overwritten later, */
        eb[j] = (int32_t)i;                          /* as is this at an event */
        const uint64_t te = 2 * (uint64_t)j, tn = 2 * (uint64_t)(n1 - i);
        s10 += te & m; q10 += (te * te) & m;
        s01 += tn & ~m; q01 += (tn * tn) & ~m;
        i += e; j += 1 - e;
        k += (int64_t)(((uint64_t)down & m) | ((uint64_t)up & ~m));
        const int64_t kp = (int64_t)(((uint64_t)INT64_MIN & m) | ((uint64_t)k & ~m));
        kat[p] = kp;
        best = kp > best ? kp : best;
    }
    /* A tie at position p: i events before it and j = p + 1 − i non-events up to it, with
     * K = n1·n0 − n0·i + n1·j, so i = (n1·n0 + n1·(p + 1) − K) / n exactly. */
    int64_t ties = 0;
    if (tied && best > (int64_t)(n1 * n0)) {
        for (size_t p = 0; p < n; p++) {
            if (kat[p] != best) continue;
            const int64_t ie = ((int64_t)(n1 * n0) + (int64_t)n1 * (int64_t)(p + 1) - best) / (int64_t)n;
            tied[3 * ties] = val[p]; tied[3 * ties + 1] = (double)ie; tied[3 * ties + 2] = (double)((int64_t)p + 1 - ie);
            ties++;
        }
    }
    memcpy(x, xs, n1 * sizeof(double));
    memcpy(y, ys, n0 * sizeof(double));
    if (equal) return 0;                             /* sorted, but ties need the grouped merge */
    stats->halves10 = s10; stats->squares10 = q10; stats->halves01 = s01; stats->squares01 = q01;
    stats->best = best; stats->ties = tied ? ties : 0;
    return 1;
separately:
    vbq_sort_doubles(x, n1, scratch);
    vbq_sort_doubles(y, n0, scratch);
    return 0;
}
