/*
 * bench_payref.c: payment-code matching speed. `ref find` calls per second
 * over realistic bank descriptions (half with a code, half without),
 * Vietnamese folding throughput in MB/s, p50/p99 latency per call, the
 * false-positive and recovery rates on a million generated descriptions,
 * and peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../tests/unit/payref_corpus.h"
#include "payref.h"
#include "vntext.h"

enum { NDESC = 10000, DESC_CAP = 512, ROUNDS = 50, RATE_N = 1000000 };

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void percentiles(double *ns, size_t n, const char *what)
{
    qsort(ns, n, sizeof ns[0], cmp_double);
    printf("%-22s p50 %8.0f ns   p99 %8.0f ns   max %8.0f ns\n", what,
           ns[n / 2], ns[n * 99 / 100], ns[n - 1]);
}

int main(void)
{
    static char desc[NDESC][DESC_CAP];
    static size_t dlen[NDESC];
    static double lat[NDESC];
    static char out[DESC_CAP];
    struct corpus_rng r = {2026};
    char code[PAYREF_MAX + 1], got[PAYREF_MAX + 1];
    struct rusage ru;
    size_t i, k, bytes = 0, found = 0, fp = 0, lost = 0;
    double t0, t1;
    volatile size_t sink = 0;

    for (i = 0; i < NDESC; i++) {
        const char *c = NULL;

        if (i % 2 == 0) {
            payref_from_number("CP", corpus_next(&r) % PAYREF_NUMBERS, code);
            c = code;
        }
        dlen[i] = corpus_description(&r, c, desc[i], DESC_CAP);
        bytes += dlen[i];
    }
    printf("corpus: %d descriptions, mean %.0f bytes, half with a code\n",
           NDESC, (double)bytes / NDESC);

    /* ref find throughput */
    t0 = now_s();
    for (k = 0; k < ROUNDS; k++)
        for (i = 0; i < NDESC; i++)
            found += payref_find(desc[i], dlen[i], NULL, got) == 0;
    t1 = now_s();
    printf("ref find:   %10.0f calls/s  (%.1f MB/s, %zu found of %d)\n",
           (double)ROUNDS * NDESC / (t1 - t0),
           (double)ROUNDS * (double)bytes / (t1 - t0) / 1e6, found / ROUNDS,
           NDESC);

    /* text fold throughput */
    t0 = now_s();
    for (k = 0; k < ROUNDS; k++)
        for (i = 0; i < NDESC; i++) {
            size_t n = 0;

            vntext_fold(desc[i], dlen[i], out, sizeof out, &n);
            sink += n;
        }
    t1 = now_s();
    printf("text fold:  %10.0f calls/s  (%.1f MB/s)\n",
           (double)ROUNDS * NDESC / (t1 - t0),
           (double)ROUNDS * (double)bytes / (t1 - t0) / 1e6);

    /* latency per call */
    for (i = 0; i < NDESC; i++) {
        t0 = now_s();
        sink += (size_t)payref_find(desc[i], dlen[i], NULL, got);
        lat[i] = (now_s() - t0) * 1e9;
    }
    percentiles(lat, NDESC, "ref find latency:");
    for (i = 0; i < NDESC; i++) {
        t0 = now_s();
        sink += (size_t)vntext_fold(desc[i], dlen[i], out, sizeof out, NULL);
        lat[i] = (now_s() - t0) * 1e9;
    }
    percentiles(lat, NDESC, "text fold latency:");

    /* payref_new (RAND_bytes) */
    t0 = now_s();
    for (i = 0; i < 200000; i++)
        if (payref_new("CP", got) != 0)
            return 1;
    t1 = now_s();
    printf("ref new:    %10.0f codes/s\n", 200000 / (t1 - t0));

    /* Rates on a million fresh descriptions of each kind. */
    for (i = 0; i < RATE_N; i++) {
        size_t n = corpus_description(&r, NULL, out, sizeof out);

        fp += payref_find(out, n, NULL, got) == 0;
        payref_from_number("CP", corpus_next(&r) % PAYREF_NUMBERS, code);
        n = corpus_description(&r, code, out, sizeof out);
        lost += payref_find(out, n, NULL, got) != 0 || strcmp(got, code);
    }
    printf("false positives: %zu of %d code-free descriptions\n", fp, RATE_N);
    printf("lost codes:      %zu of %d descriptions with a code\n", lost,
           RATE_N);

    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    return sink == 0xFFFFFFFF;
}
