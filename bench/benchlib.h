/*
 * benchlib.h: helpers the server benchmarks share: a monotonic clock,
 * sorting latencies, libcurl write callbacks and a process's RSS.
 */
#ifndef CHOPAY_BENCHLIB_H
#define CHOPAY_BENCHLIB_H

#include <stddef.h>
#include <sys/types.h>

/* Seconds on the monotonic clock. */
double now_s(void);
/* qsort comparator of doubles, ascending. */
int cmp_d(const void *a, const void *b);

/* libcurl write callback that drops the answer. */
size_t discard(char *p, size_t sz, size_t n, void *ud);

/* An answer's first bytes, NUL-terminated (the rest is dropped). */
struct body {
    char s[8192];
    size_t n;
};
/* libcurl write callback appending to the struct body `ud`. */
size_t keep_body(char *p, size_t sz, size_t n, void *ud);

/* VmRSS of process `pid` in kB, or -1. */
long rss_kb(pid_t pid);

#endif
