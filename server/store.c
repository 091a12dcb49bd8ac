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

    return rc != 0 ? rc : store_sqlite_open(path, pool, out);
}

int store_open_readonly(const char *url, int pool, struct store **out)
{
    const char *path = NULL;
    int rc = url_path(url, &path);

    return rc != 0 ? rc : store_sqlite_open_readonly(path, pool, out);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}
