/*
 * bank.c: the bank directory, parsed once (pthread_once) from the copy of
 * assets/banks.csv compiled into the library. Strict RFC 4180 CSV with
 * validation of every field; an invalid embedded file is a programmer
 * error and aborts at first use, with the line and the reason.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"

/* scripts/embed.sh output: the bytes of assets/banks.csv plus a NUL. */
extern const unsigned char bank_csv_data[];
extern const size_t bank_csv_data_len;

#define NFIELDS   5
#define SHORT_MAX 64  /* bytes in a short name */
#define CODE_MAX  32  /* bytes in a VietQR code */
#define NAME_MAX_ 256 /* bytes in a full name */
#define KEY_MAX   128 /* bytes in a normalised lookup key */

static const char *const header[NFIELDS] = {"bin", "short_name", "code", "name",
                                            "vietqr"};

/* A parsed directory: `banks` sorted by BIN, strings inside `storage`. */
struct directory {
    struct bank *banks; /* n entries, sorted by bin */
    size_t n;           /* number of banks */
    char *storage;      /* unescaped field text, NUL-terminated */
};

static struct directory dir;
static pthread_once_t dir_once = PTHREAD_ONCE_INIT;

/*
 * Write "line N: what: detail" into err (capacity cap); line 0 and a NULL
 * detail are left out. Returns -1.
 */
static int fail(char *err, size_t cap, int line, const char *what,
                const char *detail)
{
    if (err && cap && line > 0)
        snprintf(err, cap, "line %d: %s%s%s", line, what, detail ? ": " : "",
                 detail ? detail : "");
    else if (err && cap)
        snprintf(err, cap, "%s%s%s", what, detail ? ": " : "",
                 detail ? detail : "");
    return -1;
}

/*
 * 1 when the string is valid UTF-8 (no overlongs, surrogates or code
 * points beyond U+10FFFF) without control characters.
 */
static int valid_text(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    while (*s) {
        unsigned char c = *s;
        size_t n;
        unsigned long cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F)
                return 0;
            s++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

/*
 * [s, s+len) with ASCII letters lower-cased and white space removed, into
 * key; -1 when it does not fit.
 */
static int normalise(const char *s, size_t len, char key[KEY_MAX])
{
    size_t k = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (k + 1 >= KEY_MAX)
            return -1;
        key[k++] = (char)c;
    }
    key[k] = '\0';
    return 0;
}

/*
 * 1 when the normalised `key` names bank b: its code, its whole short
 * name, or one of the '/'-separated names in it ("LienVietPostBank /
 * LPBank" answers to "LPBank" too).
 */
static int bank_has_key(const struct bank *b, const char *key)
{
    char k2[KEY_MAX];
    const char *s = b->short_name, *slash;

    if (!key[0])
        return 0;
    if (normalise(b->code, strlen(b->code), k2) == 0 && strcmp(k2, key) == 0)
        return 1;
    if (normalise(s, strlen(s), k2) == 0 && strcmp(k2, key) == 0)
        return 1;
    while ((slash = strchr(s, '/')) != NULL) {
        if (normalise(s, (size_t)(slash - s), k2) == 0 && strcmp(k2, key) == 0)
            return 1;
        s = slash + 1;
    }
    return s != b->short_name && normalise(s, strlen(s), k2) == 0 &&
           strcmp(k2, key) == 0;
}

/*
 * Read one CSV field at csv[*pos] (RFC 4180: quoted with "" for a quote,
 * or bare without quotes, CR, LF or comma) into storage at *w. Leaves
 * *pos on the delimiter. Returns 0 or -1 with err set.
 */
static int read_field(const char *csv, size_t len, size_t *pos, char *store,
                      size_t *w, int line, char *err, size_t cap)
{
    size_t p = *pos, o = *w;

    if (p < len && csv[p] == '"') {
        for (p++;; p++) {
            if (p >= len)
                return fail(err, cap, line, "unterminated quoted field", NULL);
            if (csv[p] == '"') {
                if (p + 1 < len && csv[p + 1] == '"') {
                    store[o++] = '"';
                    p++;
                    continue;
                }
                p++;
                break;
            }
            if (csv[p] == '\n' || csv[p] == '\r')
                return fail(err, cap, line, "line break inside a field", NULL);
            store[o++] = csv[p];
        }
        if (p < len && csv[p] != ',' && csv[p] != '\n' && csv[p] != '\r')
            return fail(err, cap, line, "text after a closing quote", NULL);
    } else {
        while (p < len && csv[p] != ',' && csv[p] != '\n' && csv[p] != '\r') {
            if (csv[p] == '"')
                return fail(err, cap, line, "quote inside a bare field", NULL);
            store[o++] = csv[p++];
        }
    }
    store[o++] = '\0';
    *pos = p;
    *w = o;
    return 0;
}

/* Check the five fields of data line `line`; fill *b. */
static int check_record(char *f[NFIELDS], int line, struct bank *b, char *err,
                        size_t cap)
{
    size_t i;

    for (i = 0; f[0][i]; i++)
        if (f[0][i] < '0' || f[0][i] > '9')
            break;
    if (i != 6 || f[0][i])
        return fail(err, cap, line, "BIN is not six digits", f[0]);
    for (i = 1; i < NFIELDS; i++)
        if (!valid_text(f[i]))
            return fail(err, cap, line,
                        "not valid UTF-8 text (or control characters)",
                        header[i]);
    if (strlen(f[1]) > SHORT_MAX)
        return fail(err, cap, line, "short name too long", f[1]);
    if (strlen(f[2]) > CODE_MAX)
        return fail(err, cap, line, "code too long", f[2]);
    if (!f[3][0] || strlen(f[3]) > NAME_MAX_)
        return fail(err, cap, line, "name empty or too long", f[0]);
    if (strcmp(f[4], "0") != 0 && strcmp(f[4], "1") != 0)
        return fail(err, cap, line, "vietqr is not 0 or 1", f[4]);
    b->bin = f[0];
    b->short_name = f[1];
    b->code = f[2];
    b->name = f[3];
    b->vietqr = f[4][0] == '1';
    return 0;
}

static int by_bin(const void *a, const void *b)
{
    return strcmp(((const struct bank *)a)->bin, ((const struct bank *)b)->bin);
}

/*
 * Each bank's lookup names (code, short name and its '/' parts) must not
 * name another bank, or bank_lookup() would depend on the order.
 */
static int check_names(const struct bank *banks, size_t n, char *err,
                       size_t cap)
{
    char key[KEY_MAX], msg[KEY_MAX + 64];

    for (size_t i = 0; i < n; i++) {
        const char *names[2] = {banks[i].code, banks[i].short_name};
        for (int k = 0; k < 2; k++) {
            const char *s = names[k], *end;
            do {
                end = k ? strchr(s, '/') : NULL;
                size_t len = end ? (size_t)(end - s) : strlen(s);
                if (normalise(s, len, key) < 0)
                    return fail(err, cap, 0, "name too long", s);
                for (size_t j = 0; j < n && key[0]; j++) {
                    if (j != i && bank_has_key(&banks[j], key)) {
                        snprintf(msg, sizeof msg, "'%s' names BIN %s and %s",
                                 key, banks[i].bin, banks[j].bin);
                        if (err && cap)
                            snprintf(err, cap, "%s", msg);
                        return -1;
                    }
                }
                s = end ? end + 1 : NULL;
            } while (s);
        }
    }
    return 0;
}

/* Parse and validate csv[0, len) into *d. Returns 0 or -1 with err set. */
static int parse(const char *csv, size_t len, struct directory *d, char *err,
                 size_t cap)
{
    struct directory nd = {NULL, 0, NULL};
    size_t pos = 0, w = 0, alloc = 0;
    int line = 1;

    if (memchr(csv, '\0', len)) {
        fail(err, cap, 0, "NUL byte in the file", NULL);
        goto fail;
    }
    /* Unquoting only shrinks a field, and each field's NUL takes the place
     * of the delimiter after it, but for the last one: len + 2 suffices. */
    nd.storage = malloc(len + 2);
    if (!nd.storage) {
        fail(err, cap, 0, "out of memory", NULL);
        goto fail;
    }
    if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as spreadsheets write it */
    while (pos < len) {
        char *f[NFIELDS];
        int nf = 0;
        for (;;) {
            if (nf == NFIELDS) {
                fail(err, cap, line, "more than five fields", NULL);
                goto fail;
            }
            f[nf++] = nd.storage + w;
            if (read_field(csv, len, &pos, nd.storage, &w, line, err, cap))
                goto fail;
            if (pos < len && csv[pos] == ',') {
                pos++;
                continue;
            }
            break;
        }
        if (pos < len && csv[pos] == '\r')
            pos++;
        if (pos < len && csv[pos] != '\n') {
            fail(err, cap, line, "bare carriage return", NULL);
            goto fail;
        }
        pos++; /* the '\n', or past the end */
        if (nf == 1 && !f[0][0]) {
            fail(err, cap, line, "empty line", NULL);
            goto fail;
        }
        if (nf != NFIELDS) {
            fail(err, cap, line, "expected five fields", NULL);
            goto fail;
        }
        if (line == 1) {
            for (int i = 0; i < NFIELDS; i++) {
                if (strcmp(f[i], header[i]) != 0) {
                    fail(err, cap, line,
                         "header is not bin,short_name,code,name,vietqr", NULL);
                    goto fail;
                }
            }
        } else {
            if (nd.n == alloc) {
                size_t na = alloc ? 2 * alloc : 64;
                struct bank *nb = realloc(nd.banks, na * sizeof *nb);
                if (!nb) {
                    fail(err, cap, line, "out of memory", NULL);
                    goto fail;
                }
                nd.banks = nb;
                alloc = na;
            }
            if (check_record(f, line, &nd.banks[nd.n], err, cap) < 0)
                goto fail;
            for (size_t j = 0; j < nd.n; j++) {
                if (strcmp(nd.banks[j].bin, f[0]) == 0) {
                    fail(err, cap, line, "duplicate BIN", f[0]);
                    goto fail;
                }
            }
            nd.n++;
        }
        line++;
    }
    if (line == 1) {
        fail(err, cap, 1, "no header", NULL);
        goto fail;
    }
    if (nd.n == 0) {
        fail(err, cap, line, "no banks", NULL);
        goto fail;
    }
    qsort(nd.banks, nd.n, sizeof *nd.banks, by_bin);
    if (check_names(nd.banks, nd.n, err, cap) < 0)
        goto fail;
    *d = nd;
    return 0;
fail:
    free(nd.banks);
    free(nd.storage);
    return -1;
}

int bank_csv_validate(const char *csv, size_t len, size_t *count, char *err,
                      size_t err_cap)
{
    struct directory d;

    if (!csv) {
        if (err && err_cap)
            snprintf(err, err_cap, "no data");
        return -1;
    }
    if (parse(csv, len, &d, err, err_cap) < 0)
        return -1;
    if (count)
        *count = d.n;
    free(d.banks);
    free(d.storage);
    return 0;
}

static void load(void)
{
    char err[256];

    if (parse((const char *)bank_csv_data, bank_csv_data_len, &dir, err,
              sizeof err) < 0) {
        fprintf(stderr,
                "chopay: the compiled-in assets/banks.csv is "
                "invalid: %s\n",
                err);
        abort();
    }
}

static const struct directory *get(void)
{
    pthread_once(&dir_once, load);
    return &dir;
}

size_t bank_count(void)
{
    return get()->n;
}

const struct bank *bank_at(size_t i)
{
    const struct directory *d = get();

    return i < d->n ? &d->banks[i] : NULL;
}

const struct bank *bank_by_bin(const char *bin)
{
    const struct directory *d = get();
    struct bank key;

    if (!bin || strlen(bin) != 6)
        return NULL;
    key.bin = bin;
    return bsearch(&key, d->banks, d->n, sizeof *d->banks, by_bin);
}

const struct bank *bank_lookup(const char *name)
{
    const struct directory *d = get();
    const struct bank *b;
    char key[KEY_MAX];

    if (!name)
        return NULL;
    if ((b = bank_by_bin(name)) != NULL)
        return b;
    if (normalise(name, strlen(name), key) < 0 || !key[0])
        return NULL;
    for (size_t i = 0; i < d->n; i++)
        if (bank_has_key(&d->banks[i], key))
            return &d->banks[i];
    return NULL;
}
