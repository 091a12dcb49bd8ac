/*
 * harness.h: the in-tree test harness. Each test binary counts its checks
 * and ends with the line "N passed, N failed" (TEST_END); a failing check
 * prints its file, line and expression to stderr.
 */
#ifndef CHOPAY_TEST_HARNESS_H
#define CHOPAY_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int th_passed;
static int th_failed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            th_passed++;                                                       \
        } else {                                                               \
            th_failed++;                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_INT(a, b)                                                        \
    do {                                                                       \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);              \
        if (th_a_ == th_b_) {                                                  \
            th_passed++;                                                       \
        } else {                                                               \
            th_failed++;                                                       \
            fprintf(stderr, "%s:%d: %s == %s: %lld != %lld\n", __FILE__,       \
                    __LINE__, #a, #b, th_a_, th_b_);                           \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *th_a_ = (a), *th_b_ = (b);                                 \
        if (th_a_ && th_b_ && strcmp(th_a_, th_b_) == 0) {                     \
            th_passed++;                                                       \
        } else {                                                               \
            th_failed++;                                                       \
            fprintf(stderr, "%s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__,   \
                    __LINE__, #a, #b, th_a_ ? th_a_ : "(null)",                \
                    th_b_ ? th_b_ : "(null)");                                 \
        }                                                                      \
    } while (0)

/* Print the closing line and return the exit status for main(). */
#define TEST_END()                                                             \
    (printf("%d passed, %d failed\n", th_passed, th_failed), th_failed ? 1 : 0)

#endif
