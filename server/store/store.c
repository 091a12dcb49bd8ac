/*
 * store.c: what every storage backend shares: opening a backend by URL
 * and the per-thread "last error" the handlers turn into an error body.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store.h"

static _Thread_local char err_code[32] = "ok";
static _Thread_local char err_msg[256] = "";

void store_set_error(const char *code, const char *fmt, ...)
{
    va_list ap;

    snprintf(err_code, sizeof(err_code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
    va_end(ap);
}

const char *store_error_message(void)
{
    return err_msg;
}

const char *store_error_code(void)
{
    return err_code;
}

/*
 * What the store connects to for database URL `url` into *out: the file
 * path of an SQLite URL, or a PostgreSQL URL as it is. 0 or
 * -STORE_E_USAGE.
 */
static int url_path(const char *url, const char **out)
{
    const char *path = url;

    if (strncmp(url, "sqlite://", 9) == 0)
        path = url + 9;
    else if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strncmp(url, "postgres://", 11) == 0 ||
             strncmp(url, "postgresql://", 13) == 0) {
        path = url;
    } else if (strstr(url, "://") != NULL) {
        store_set_error("unsupported", "unknown database URL scheme");
        return -STORE_E_USAGE;
    }
    if (*path == '\0') {
        store_set_error("usage", "empty database path");
        return -STORE_E_USAGE;
    }
    *out = path;
    return 0;
}

int store_open(const char *url, int pool, struct store **out)
{
    const char *path = NULL;
    int rc = url_path(url, &path);

    return rc != 0 ? rc : store_db_open(path, pool, out);
}

int store_open_readonly(const char *url, int pool, struct store **out)
{
    const char *path = NULL;
    int rc = url_path(url, &path);

    return rc != 0 ? rc : store_db_open_readonly(path, pool, out);
}

/* Append the `n` bytes at `s` to out (cap bytes, *len used). */
static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + 1 >= cap)
        return;
    if (n > cap - 1 - *len)
        n = cap - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

void store_url_shown(const char *url, char *out, size_t cap)
{
    const char *p = url, *auth = strstr(url, "://");
    size_t len = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (strncmp(url, "postgres://", 11) != 0 &&
        strncmp(url, "postgresql://", 13) != 0) {
        put(out, cap, &len, url, strlen(url));
        return;
    }
    if (auth != NULL) {
        const char *host = auth + 3, *end = host + strcspn(host, "/?#");
        const char *at = memchr(host, '@', (size_t)(end - host));
        const char *colon =
            at != NULL ? memchr(host, ':', (size_t)(at - host)) : NULL;

        if (colon != NULL) {
            put(out, cap, &len, url, (size_t)(colon + 1 - url));
            put(out, cap, &len, "***", 3);
            p = at;
        }
    }
    for (;;) {
        const char *pw = strstr(p, "password=");

        if (pw == NULL)
            break;
        put(out, cap, &len, p, (size_t)(pw + 9 - p));
        put(out, cap, &len, "***", 3);
        p = pw + 9 + strcspn(pw + 9, "& ");
    }
    put(out, cap, &len, p, strlen(p));
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}
