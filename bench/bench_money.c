/*
 * bench_money.c: money_parse() and money_format() throughput, with the
 * per-call latency p50/p99 taken over batches of 1000 calls (one call is
 * too short for the clock), and peak RSS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "money.h"

#define BATCH   1000
#define BATCHES 2000

static const char *const inputs[] = {
    "15000",
    "15.000",
    "15.000 \xe2\x82\xab",
    "15.000\xc4\x91",
    "15,000 VND",
    "1.234.000 VN\xc4\x90",
    "-5.000",
    "15000.00",
    "15.000,00",
    "250.000 \xc4\x91",
    "1.500.000 \xe2\x82\xab",
    "499.999.999",
};
#define NINPUTS (sizeof inputs / sizeof *inputs)

static double now(void)
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

/* Print ops/s and per-call p50/p99 from per-batch times (seconds). */
static void report(const char *what, double *batch, double total)
{
    qsort(batch, BATCHES, sizeof *batch, cmp_double);
    printf("%-22s %12.0f ops/s   p50 %6.1f ns   p99 %6.1f ns\n", what,
           (double)BATCH * BATCHES / total, batch[BATCHES / 2] / BATCH * 1e9,
           batch[BATCHES * 99 / 100] / BATCH * 1e9);
}

int main(void)
{
    static double batch[BATCHES];
    volatile int64_t sink = 0;
    char buf[MONEY_FORMAT_MAX];
    struct rusage ru;
    double t0, total;
    uint64_t x = 88172645463325252u;

    /* the inputs parse, or the numbers mean nothing */
    for (size_t i = 0; i < NINPUTS; i++) {
        int64_t v;
        if (money_parse(inputs[i], &v) != 0) {
            fprintf(stderr, "bench input '%s' does not parse\n", inputs[i]);
            return 1;
        }
    }

    total = 0;
    for (int b = 0; b < BATCHES; b++) {
        t0 = now();
        for (int i = 0; i < BATCH; i++) {
            int64_t v = 0;
            money_parse(inputs[(size_t)i % NINPUTS], &v);
            sink += v;
        }
        batch[b] = now() - t0;
        total += batch[b];
    }
    report("money_parse", batch, total);

    total = 0;
    for (int b = 0; b < BATCHES; b++) {
        t0 = now();
        for (int i = 0; i < BATCH; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            money_format((int64_t)(x % 1000000000000u), buf, sizeof buf);
            sink += buf[0];
        }
        batch[b] = now() - t0;
        total += batch[b];
    }
    report("money_format", batch, total);

    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %ld KiB (checksum %lld)\n", ru.ru_maxrss, (long long)sink);
    return 0;
}
