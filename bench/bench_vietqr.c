/*
 * bench_vietqr.c: VietQR codec speed. Payloads encoded and decoded per
 * second and QR matrices built per second (libqrencode, ECL M, 8-bit mode),
 * each run for about 1.5 s in timed batches; per-op latency p50/p99 comes
 * from the batch times. Ends with the process's peak RSS.
 */
#include "vietqr.h"

#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define RUN_NS      1500000000LL /* per benchmark */
#define MAX_BATCHES 200000

static double batch_ns[MAX_BATCHES]; /* per-op ns of each batch */
static volatile unsigned sink;       /* keeps results alive */

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sample payloads to encode (cycled through). */
static const struct vietqr_request reqs[] = {
    {"970436", "0011001932418", VIETQR_TO_ACCOUNT, 0, NULL, 0},
    {"970415", "113366668888", VIETQR_TO_ACCOUNT, 50000, "CPA7K2QF9XC", 0},
    {"970418", "9704180012345678", VIETQR_TO_CARD, 0, NULL, 0},
    {"970407", "1903123456789012345", VIETQR_TO_ACCOUNT, 499999999,
     "ABCDEFGHIJKLMNOPQRSTUVWXY", 0},
};
#define NREQ (sizeof(reqs) / sizeof(reqs[0]))

static char payloads[NREQ][VIETQR_MAX_PAYLOAD];

typedef void (*op_fn)(size_t i);

static void op_encode(size_t i)
{
    char out[VIETQR_MAX_PAYLOAD];

    if (vietqr_encode(&reqs[i % NREQ], out, sizeof(out)) != 0)
        abort();
    sink += (unsigned char)out[60];
}

static void op_decode(size_t i)
{
    struct vietqr_fields f;
    struct vietqr_report rep;
    const char *p = payloads[i % NREQ];

    if (vietqr_decode(p, strlen(p), &f, &rep) != 0)
        abort();
    sink += (unsigned)f.amount;
}

static void op_qr(size_t i)
{
    QRcode *qr = QRcode_encodeString8bit(payloads[i % NREQ], 0, QR_ECLEVEL_M);

    if (!qr)
        abort();
    sink += qr->data[0];
    QRcode_free(qr);
}

static void run(const char *name, op_fn op, int batch)
{
    int64_t start = now_ns(), total = 0;
    size_t nb = 0, ops = 0;

    while (total < RUN_NS && nb < MAX_BATCHES) {
        int64_t t0 = now_ns(), dt;
        for (int k = 0; k < batch; k++)
            op(ops + (size_t)k);
        dt = now_ns() - t0;
        ops += (size_t)batch;
        batch_ns[nb++] = (double)dt / batch;
        total = now_ns() - start;
    }
    qsort(batch_ns, nb, sizeof(batch_ns[0]), cmp_double);
    printf("%-14s %10.0f ops/s  p50 %8.0f ns  p99 %8.0f ns  (%zu ops, "
           "batches of %d)\n",
           name, (double)ops * 1e9 / (double)total, batch_ns[nb / 2],
           batch_ns[(nb * 99) / 100], ops, batch);
}

int main(void)
{
    struct rusage ru;

    for (size_t i = 0; i < NREQ; i++)
        if (vietqr_encode(&reqs[i], payloads[i], sizeof(payloads[i])) != 0)
            return 1;
    run("vietqr encode", op_encode, 64);
    run("vietqr decode", op_decode, 64);
    run("qr matrix (M)", op_qr, 4);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %ld KiB\n", ru.ru_maxrss);
    return 0;
}
