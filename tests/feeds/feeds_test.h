/*
 * feeds_test.h: helpers for the server/feeds unit tests: whole-file reads
 * of tests/data/feeds/ and lookups in its vectors.txt (signatures computed
 * outside chopay by make_vectors.sh with openssl and python3).
 */
#ifndef CHOPAY_FEEDS_TEST_H
#define CHOPAY_FEEDS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEEDS_DATA "tests/data/feeds/"

/* Read FEEDS_DATA/name; *len gets the size. Caller frees. Exits on
 * failure: a missing data file is a broken checkout, not a test result. */
static inline char *ft_read(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof path, "%s%s", FEEDS_DATA, name);
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Value of `key` in vectors.txt (static buffer). */
static inline const char *ft_vec(const char *key)
{
    static char val[256];
    char *all = ft_read("vectors.txt", NULL), *line;
    size_t kl = strlen(key);

    val[0] = '\0';
    for (line = strtok(all, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
            snprintf(val, sizeof val, "%s", line + kl + 1);
            break;
        }
    free(all);
    if (!val[0]) {
        fprintf(stderr, "vector %s missing\n", key);
        exit(2);
    }
    return val;
}

#endif
