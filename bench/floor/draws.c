/* The floor under a mechanistic cohort: the 27 random numbers a patient draws (20 uniforms and
 * 7 normals, the generator's count whatever the parameters) for 256 patients, in the tightest
 * C loop over vbqlab's own generator (xoshiro256** and its 256-layer ziggurat), with no model
 * stage at all. Build and run from the repository's root (bench/README.md):
 *
 *   clang -O2 -I Sources/CGSLShims/include bench/floor/draws.c Sources/CGSLShims/fast.c \
 *       Sources/CGSLShims/xoshiro.c -lgsl -lgslcblas -lm -o /tmp/vbq-draws && /tmp/vbq-draws
 */
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <gsl/gsl_rng.h>
#include "CGSLShims.h"

static double seconds(struct timespec a, struct timespec b) { return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9; }

int main(void) {
    gsl_rng *r = gsl_rng_alloc(vbq_rng_xoshiro256ss());
    vbq_rng_set_state(r, 1, 2, 3, 4);
    const long cohorts = 100000;
    double sink = 0, patient[27], normals[7 * 256];
    struct timespec a, b;
    for (int repeat = 0; repeat < 3; repeat++) {
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long c = 0; c < cohorts; c++) {
            for (int p = 0; p < 256; p++) {
                for (int k = 0; k < 20; k++) patient[k] = vbq_uniform(r);
                for (int k = 20; k < 27; k++) patient[k] = vbq_normal(r);
                sink += patient[c % 27];
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        const double draws = seconds(a, b) / cohorts;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long c = 0; c < cohorts; c++) { vbq_normal_fill(r, 0, 1, normals, 7 * 256); sink += normals[c % (7 * 256)]; }
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("27 draws for each of 256 patients: %.2f us a cohort (%.1f ns a patient); their 7 x 256 normals alone, in one fill: %.2f us\n",
               draws * 1e6, draws / 256 * 1e9, seconds(a, b) / cohorts * 1e6);
    }
    gsl_rng_free(r);
    return sink == 42.0;    /* keeps the draws from being optimised away */
}
