#include "CGSLShims.h"

static inline uint64_t xoshiro_next(vbq_xoshiro_state *st) { return vbq_xoshiro_next(st->s); }

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void fix_zero(vbq_xoshiro_state *st) {
    if ((st->s[0] | st->s[1] | st->s[2] | st->s[3]) == 0) {
        uint64_t x = 0;
        for (int i = 0; i < 4; i++) st->s[i] = splitmix64(&x);
    }
}

static void vbq_set(void *vstate, unsigned long int seed) {
    vbq_xoshiro_state *st = (vbq_xoshiro_state *)vstate;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++) st->s[i] = splitmix64(&x);
    fix_zero(st);
}

/* GSL integer interface: 32-bit outputs (the upper half of the 64-bit output). */
static unsigned long int vbq_get(void *vstate) {
    return (unsigned long int)(xoshiro_next((vbq_xoshiro_state *)vstate) >> 32);
}

/* Uniform on [0, 1) with 53 random bits. */
static double vbq_get_double(void *vstate) {
    return (double)(xoshiro_next((vbq_xoshiro_state *)vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type vbq_xoshiro_type = {
    "xoshiro256**",
    0xffffffffUL,
    0,
    sizeof(vbq_xoshiro_state),
    &vbq_set,
    &vbq_get,
    &vbq_get_double
};

const gsl_rng_type *vbq_rng_xoshiro256ss(void) { return &vbq_xoshiro_type; }

void vbq_rng_set_state(gsl_rng *r, uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
    vbq_xoshiro_state *st = (vbq_xoshiro_state *)r->state;
    st->s[0] = s0; st->s[1] = s1; st->s[2] = s2; st->s[3] = s3;
    fix_zero(st);
}

uint64_t vbq_rng_next64(gsl_rng *r) {
    return xoshiro_next((vbq_xoshiro_state *)r->state);
}

const gsl_qrng_type *vbq_qrng_sobol(void) { return gsl_qrng_sobol; }
