/*
 * test_cfg.c: the INI configuration layer over inih: values, case,
 * defaults, typed getters with ranges, unknown keys, and every error with
 * the "FILE:LINE: reason" it must give. Files are real, made by mkstemp.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "harness.h"

static char tmp_path[64];

/* Write `text` (len bytes) to a new temporary file; its path in tmp_path. */
static int write_tmp(const char *text, size_t len)
{
    strcpy(tmp_path, "/tmp/chopay-test-cfg-XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0)
        return -1;
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

static const char good[] =
    "; chopay server configuration\n"                                 /* 1 */
    "# another comment\n"                                             /* 2 */
    "top = level\n"                                                   /* 3 */
    "\n"                                                              /* 4 */
    "[server]\n"                                                      /* 5 */
    "listen = 127.0.0.1\n"                                            /* 6 */
    "port = 8080\n"                                                   /* 7 */
    "debug = Yes\n"                                                   /* 8 */
    "name = Ch\xe1\xbb\xa3 B\xe1\xba\xbfn Th\xc3\xa0nh ; a comment\n" /* 9 */
    "timeout: 30\n"                                                   /* 10 */
    "fee = -15000\n"                                                  /* 11 */
    "[ Store ]\n"                                                     /* 12 */
    "path = /var/lib/chopay/db.sqlite\n"                              /* 13 */
    "empty =\n";                                                      /* 14 */

static void test_good_file(void)
{
    struct cfg *cfg = NULL;
    char err[256] = "";
    int64_t v = 0;
    int b = -1;

    CHECK_INT(write_tmp(good, sizeof good - 1), 0);
    CHECK_INT(cfg_load(tmp_path, &cfg, err, sizeof err), 0);
    if (err[0])
        fprintf(stderr, "%s\n", err);
    CHECK(cfg != NULL);
    if (!cfg)
        goto out;
    CHECK_STR(cfg_name(cfg), tmp_path);
    CHECK_STR(cfg_get(cfg, "", "top", NULL), "level");
    CHECK_STR(cfg_get(cfg, "server", "listen", NULL), "127.0.0.1");
    CHECK_STR(cfg_get(cfg, "SERVER", "Listen", NULL), "127.0.0.1");
    CHECK_STR(cfg_get(cfg, "server", "name", NULL),
              "Ch\xe1\xbb\xa3 B\xe1\xba\xbfn Th\xc3\xa0nh");
    CHECK_STR(cfg_get(cfg, "server", "timeout", NULL), "30");
    CHECK_STR(cfg_get(cfg, "store", "path", NULL), "/var/lib/chopay/db.sqlite");
    CHECK_STR(cfg_get(cfg, "store", "empty", "def"), "");
    CHECK_STR(cfg_get(cfg, "server", "missing", "def"), "def");
    CHECK_STR(cfg_get(cfg, "nosection", "port", "def"), "def");
    CHECK(cfg_get(cfg, "server", "missing", NULL) == NULL);
    CHECK(cfg_get(cfg, "", "port", NULL) == NULL); /* not in [server] */
    CHECK_INT(cfg_line(cfg, "server", "port"), 7);
    CHECK_INT(cfg_line(cfg, "store", "path"), 13);
    CHECK_INT(cfg_line(cfg, "server", "missing"), 0);

    CHECK_INT(
        cfg_get_int64(cfg, "server", "port", 80, 1, 65535, &v, err, sizeof err),
        0);
    CHECK_INT(v, 8080);
    CHECK_INT(
        cfg_get_int64(cfg, "server", "fee", 0, -100000, 0, &v, err, sizeof err),
        0);
    CHECK_INT(v, -15000);
    CHECK_INT(
        cfg_get_int64(cfg, "server", "workers", 4, 1, 64, &v, err, sizeof err),
        0);
    CHECK_INT(v, 4); /* default */
    CHECK_INT(cfg_get_bool(cfg, "server", "debug", 0, &b, err, sizeof err), 0);
    CHECK_INT(b, 1);
    CHECK_INT(cfg_get_bool(cfg, "server", "tls", 0, &b, err, sizeof err), 0);
    CHECK_INT(b, 0);

    /* range error names file, line, section and key */
    v = 77;
    err[0] = '\0';
    CHECK_INT(
        cfg_get_int64(cfg, "server", "port", 80, 1, 1024, &v, err, sizeof err),
        -CFG_E_RANGE);
    CHECK_INT(v, 77);
    char want[160];
    snprintf(want, sizeof want,
             "%s:7: [server] port: 8080 is out of range 1..1024", tmp_path);
    CHECK_STR(err, want);
    /* a string is not a number */
    CHECK_INT(
        cfg_get_int64(cfg, "server", "listen", 0, 0, 10, &v, err, sizeof err),
        -CFG_E_VALUE);
    snprintf(want, sizeof want,
             "%s:6: [server] listen: '127.0.0.1' is not a whole number",
             tmp_path);
    CHECK_STR(err, want);
    CHECK_INT(cfg_get_bool(cfg, "server", "port", 0, &b, err, sizeof err),
              -CFG_E_VALUE);
    CHECK(strstr(err, ":7: [server] port: '8080' is not yes/no") != NULL);

    /* unknown keys */
    static const char *const allowed[] = {
        ".top",         "server.listen", "server.port",
        "server.debug", "server.name",   "server.timeout",
        "server.fee",   "store.*",       NULL};
    CHECK_INT(cfg_check_keys(cfg, allowed, err, sizeof err), 0);
    static const char *const fewer[] = {".top", "server.listen", "server.prot",
                                        "store.*", NULL};
    CHECK_INT(cfg_check_keys(cfg, fewer, err, sizeof err), -CFG_E_UNKNOWN);
    snprintf(want, sizeof want, "%s:7: unknown key 'port' in [server]",
             tmp_path);
    CHECK_STR(err, want);
    static const char *const no_top[] = {"server.*", "store.*", NULL};
    CHECK_INT(cfg_check_keys(cfg, no_top, err, sizeof err), -CFG_E_UNKNOWN);
    CHECK(strstr(err, ":3: unknown key 'top' in []") != NULL);
    CHECK_INT(cfg_check_keys(cfg, NULL, err, sizeof err), -CFG_E_UNKNOWN);
out:
    cfg_free(cfg);
    unlink(tmp_path);
}

static void test_numbers(void)
{
    static const char text[] = "[n]\n"
                               "a = 9223372036854775807\n"
                               "b = -9223372036854775808\n"
                               "c = 9223372036854775808\n"
                               "d = -0\n"
                               "e = +5\n"
                               "f = 0x10\n"
                               "g = 1e3\n"
                               "h = 1 000\n"
                               "i = -\n"
                               "j = 007\n";
    struct cfg *cfg = NULL;
    char err[200];
    int64_t v = 0;

    CHECK_INT(
        cfg_load_buffer("n.conf", text, sizeof text - 1, &cfg, err, sizeof err),
        0);
    if (!cfg)
        return;
    CHECK_INT(cfg_get_int64(cfg, "n", "a", 0, INT64_MIN, INT64_MAX, &v, err,
                            sizeof err),
              0);
    CHECK(v == INT64_MAX);
    CHECK_INT(cfg_get_int64(cfg, "n", "b", 0, INT64_MIN, INT64_MAX, &v, err,
                            sizeof err),
              0);
    CHECK(v == INT64_MIN);
    CHECK_INT(cfg_get_int64(cfg, "n", "c", 0, INT64_MIN, INT64_MAX, &v, err,
                            sizeof err),
              -CFG_E_RANGE);
    CHECK(strstr(err, "n.conf:4: [n] c: 9223372036854775808 is out of "
                      "range") != NULL);
    CHECK_INT(cfg_get_int64(cfg, "n", "d", 1, -5, 5, &v, err, sizeof err), 0);
    CHECK_INT(v, 0);
    const char *bad[] = {"e", "f", "g", "h", "i"};
    for (size_t i = 0; i < 5; i++)
        CHECK_INT(cfg_get_int64(cfg, "n", bad[i], 0, INT64_MIN, INT64_MAX, &v,
                                err, sizeof err),
                  -CFG_E_VALUE);
    CHECK_INT(cfg_get_int64(cfg, "n", "j", 0, 0, 10, &v, err, sizeof err), 0);
    CHECK_INT(v, 7);
    cfg_free(cfg);
}

static void test_errors(void)
{
    char long_line[400];
    memset(long_line, 'x', sizeof long_line);
    memcpy(long_line, "[s]\nk = ", 8);
    long_line[sizeof long_line - 1] = '\n';

    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        int rc;
        const char *err; /* exact message, with "F" as the name */
    } cases[] = {
        {"[s]\na = 1\nthis is not ini\n", 0, -CFG_E_SYNTAX,
         "F:3: syntax error (expected [section], key = value or a "
         "comment)"},
        {"[s\na = 1\n", 0, -CFG_E_SYNTAX,
         "F:1: syntax error (expected [section], key = value or a "
         "comment)"},
        {"[s]\na = 1\nb = 2\na = 3\n", 0, -CFG_E_DUPLICATE,
         "F:4: duplicate key 'a' in [s] (first set at line 2)"},
        {"[s]\na = 1\n[t]\na = 2\n[S]\nA = 3\n", 0, -CFG_E_DUPLICATE,
         "F:6: duplicate key 'A' in [S] (first set at line 2)"},
        {"[s]\na = 1\n  b = 2\n", 0, -CFG_E_DUPLICATE,
         "F:3: indented line continues 'a' (multi-line values are not "
         "supported; remove the indentation)"},
        {"[s]\na = 1\nb = x\0y\n", 18, -CFG_E_LIMIT, "F:3: NUL byte"},
        /* the first problem in the file is the one reported */
        {"junk\n[s]\na = 1\na = 2\n", 0, -CFG_E_SYNTAX,
         "F:1: syntax error (expected [section], key = value or a "
         "comment)"},
        {"[s]\na = 1\na = 2\njunk\n", 0, -CFG_E_DUPLICATE,
         "F:3: duplicate key 'a' in [s] (first set at line 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct cfg *cfg = (struct cfg *)&cases; /* must stay untouched */
        char err[256] = "";
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int rc =
            cfg_load_buffer("F", cases[i].text, len, &cfg, err, sizeof err);
        if (rc != cases[i].rc || strcmp(err, cases[i].err) != 0)
            fprintf(stderr, "cfg error case %zu: rc %d \"%s\"\n", i, rc, err);
        CHECK_INT(rc, cases[i].rc);
        CHECK_STR(err, cases[i].err);
        CHECK(cfg == (struct cfg *)&cases);
    }

    struct cfg *cfg = NULL;
    char err[256] = "";
    CHECK_INT(cfg_load_buffer("F", long_line, sizeof long_line, &cfg, err,
                              sizeof err),
              -CFG_E_LIMIT);
    CHECK(strncmp(err, "F:2: line longer than ", 22) == 0);
    CHECK(cfg == NULL);

    /* through a real file: the path is in the message */
    static const char bad[] = "[server]\nport = 80\nport = 81\n";
    CHECK_INT(write_tmp(bad, sizeof bad - 1), 0);
    CHECK_INT(cfg_load(tmp_path, &cfg, err, sizeof err), -CFG_E_DUPLICATE);
    char want[160];
    snprintf(want, sizeof want,
             "%s:3: duplicate key 'port' in [server] (first set at line 2)",
             tmp_path);
    CHECK_STR(err, want);
    unlink(tmp_path);
    CHECK(cfg == NULL);

    /* a file that is not there */
    CHECK_INT(cfg_load("/nonexistent/chopay.conf", &cfg, err, sizeof err),
              -CFG_E_IO);
    CHECK_STR(err, "/nonexistent/chopay.conf: No such file or directory");
    CHECK_INT(cfg_load(NULL, &cfg, err, sizeof err), -CFG_E_IO);
    CHECK_INT(cfg_load("/tmp", &cfg, NULL, 0) < 0, 1); /* a directory */
    CHECK(cfg == NULL);

    /* too big */
    size_t big = CFG_MAX_FILE + 1;
    char *buf = malloc(big);
    if (buf) {
        memset(buf, '\n', big);
        CHECK_INT(cfg_load_buffer("F", buf, big, &cfg, err, sizeof err),
                  -CFG_E_LIMIT);
        CHECK(strstr(err, "larger than") != NULL);
        free(buf);
    }
}

static void test_misc(void)
{
    struct cfg *cfg = NULL;
    char err[128];
    int64_t v = 0;
    int b = 0;

    cfg_free(NULL);
    CHECK_STR(cfg_get(NULL, "s", "k", "def"), "def");
    CHECK_INT(cfg_line(NULL, "s", "k"), 0);
    CHECK_INT(cfg_get_int64(NULL, "s", "k", 42, 0, 100, &v, err, sizeof err),
              0);
    CHECK_INT(v, 42);
    CHECK_INT(cfg_get_bool(NULL, "s", "k", 1, &b, err, sizeof err), 0);
    CHECK_INT(b, 1);
    CHECK_INT(cfg_check_keys(NULL, NULL, err, sizeof err), 0);

    /* empty input, CRLF line ends and a byte order mark */
    CHECK_INT(cfg_load_buffer("E", "", 0, &cfg, err, sizeof err), 0);
    CHECK(cfg != NULL);
    CHECK(cfg_get(cfg, "", "x", NULL) == NULL);
    cfg_free(cfg);
    cfg = NULL;
    static const char crlf[] = "\xef\xbb\xbf[a]\r\nk = v\r\nn = 5\r\n";
    CHECK_INT(
        cfg_load_buffer("C", crlf, sizeof crlf - 1, &cfg, err, sizeof err), 0);
    CHECK_STR(cfg_get(cfg, "a", "k", NULL), "v");
    CHECK_INT(cfg_get_int64(cfg, "a", "n", 0, 0, 9, &v, err, sizeof err), 0);
    CHECK_INT(v, 5);
    CHECK_INT(cfg_line(cfg, "a", "n"), 3);
    cfg_free(cfg);

    /* no final newline */
    cfg = NULL;
    CHECK_INT(cfg_load_buffer("N", "[a]\nk = v", 9, &cfg, err, sizeof err), 0);
    CHECK_STR(cfg_get(cfg, "a", "k", NULL), "v");
    cfg_free(cfg);
}

int main(void)
{
    test_good_file();
    test_numbers();
    test_errors();
    test_misc();
    return TEST_END();
}
