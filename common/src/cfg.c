/*
 * cfg.c: INI files through inih's stream interface, so that this file
 * controls the reading: it counts lines for the messages, rejects NUL
 * bytes and over-long lines (which inih would silently split), and turns
 * inih's "first error line" into a reason.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"

/* One "key = value" line. */
struct entry {
    char *section; /* section name, "" before the first [section] */
    char *key;     /* key as written */
    char *value;   /* value, trimmed by inih */
    int line;      /* 1-based line number */
};

struct cfg {
    char *name;            /* file name for messages */
    struct entry *entries; /* n entries in file order */
    size_t n;              /* entries in use */
    size_t cap;            /* entries allocated */
};

/* State shared by the reader and the handler during one parse. */
struct parse {
    struct cfg *cfg;    /* being filled */
    const char *p;      /* next unread byte */
    const char *end;    /* end of the text */
    int line;           /* number of the line last handed to inih */
    int indented;       /* that line starts with white space */
    int err_line;       /* line of the first error found here, or 0 */
    int err_code;       /* its enum cfg_error */
    char err_text[160]; /* its reason */
};

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;

    if (!err || !cap)
        return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* Remember the first error the reader or handler finds. */
static void note(struct parse *ps, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(struct parse *ps, int code, const char *fmt, ...)
{
    va_list ap;

    if (ps->err_line)
        return;
    ps->err_line = ps->line;
    ps->err_code = code;
    va_start(ap, fmt);
    vsnprintf(ps->err_text, sizeof ps->err_text, fmt, ap);
    va_end(ap);
}

/*
 * inih's fgets-like reader: one whole line per call, or NULL at the end
 * or when the line does not fit inih's buffer of `num` bytes (stops the
 * parse; the error is noted).
 */
static char *reader(char *str, int num, void *stream)
{
    struct parse *ps = stream;
    const char *nl;
    size_t len, text;

    if (ps->err_line || ps->p >= ps->end)
        return NULL;
    nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    len = nl ? (size_t)(nl - ps->p) + 1 : (size_t)(ps->end - ps->p);
    text = len;
    if (text && ps->p[text - 1] == '\n')
        text--;
    if (text && ps->p[text - 1] == '\r')
        text--;
    ps->line++;
    /* inih needs room for the text, "\r\n" and the NUL */
    if (num < 3 || text > (size_t)num - 3) {
        note(ps, CFG_E_LIMIT, "line longer than %d bytes",
             num < 3 ? 0 : num - 3);
        return NULL;
    }
    ps->indented = len && (ps->p[0] == ' ' || ps->p[0] == '\t');
    memcpy(str, ps->p, len);
    str[len] = '\0';
    ps->p += len;
    return str;
}

static char *dup_trim(const char *s)
{
    size_t len;
    char *d;

    while (*s == ' ' || *s == '\t')
        s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

static struct entry *find(const struct cfg *cfg, const char *section,
                          const char *key)
{
    if (!cfg || !section || !key)
        return NULL;
    for (size_t i = 0; i < cfg->n; i++)
        if (strcasecmp(cfg->entries[i].section, section) == 0 &&
            strcasecmp(cfg->entries[i].key, key) == 0)
            return &cfg->entries[i];
    return NULL;
}

/* inih's callback for each key = value; 1 to go on, 0 for an error. */
static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct parse *ps = user;
    struct cfg *cfg = ps->cfg;
    struct entry e, *old;

    if (!name || !value)
        return 1; /* section starts, when inih is built to report them */
    e.section = dup_trim(section);
    if (!e.section) {
        note(ps, CFG_E_NOMEM, "out of memory");
        return 0;
    }
    old = find(cfg, e.section, name);
    if (old) {
        if (ps->indented && old == &cfg->entries[cfg->n - 1])
            note(ps, CFG_E_DUPLICATE,
                 "indented line continues '%s' (multi-line values are not "
                 "supported; remove the indentation)",
                 name);
        else
            note(ps, CFG_E_DUPLICATE,
                 "duplicate key '%s' in [%s] (first set at line %d)", name,
                 e.section, old->line);
        free(e.section);
        return 0;
    }
    if (cfg->n == CFG_MAX_ENTRIES) {
        note(ps, CFG_E_LIMIT, "more than %d entries", CFG_MAX_ENTRIES);
        free(e.section);
        return 0;
    }
    if (cfg->n == cfg->cap) {
        size_t nc = cfg->cap ? 2 * cfg->cap : 16;
        struct entry *ne = realloc(cfg->entries, nc * sizeof *ne);
        if (!ne) {
            note(ps, CFG_E_NOMEM, "out of memory");
            free(e.section);
            return 0;
        }
        cfg->entries = ne;
        cfg->cap = nc;
    }
    e.key = strdup(name);
    e.value = strdup(value);
    e.line = ps->line;
    if (!e.key || !e.value) {
        note(ps, CFG_E_NOMEM, "out of memory");
        free(e.section);
        free(e.key);
        free(e.value);
        return 0;
    }
    cfg->entries[cfg->n++] = e;
    return 1;
}

void cfg_free(struct cfg *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->entries[i].section);
        free(cfg->entries[i].key);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    free(cfg->name);
    free(cfg);
}

int cfg_load_buffer(const char *name, const char *text, size_t len,
                    struct cfg **out, char *err, size_t err_cap)
{
    struct parse ps;
    struct cfg *cfg = NULL;
    const char *nul;
    int rc;

    if (!name)
        name = "(config)";
    if (!out || (!text && len)) {
        set_err(err, err_cap, "%s: no configuration given", name);
        return -CFG_E_IO;
    }
    if (len > CFG_MAX_FILE) {
        set_err(err, err_cap, "%s: larger than %d bytes", name, CFG_MAX_FILE);
        return -CFG_E_LIMIT;
    }
    if (text && (nul = memchr(text, '\0', len)) != NULL) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        set_err(err, err_cap, "%s:%d: NUL byte", name, line);
        return -CFG_E_LIMIT;
    }
    cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->name = strdup(name))) {
        set_err(err, err_cap, "%s: out of memory", name);
        rc = -CFG_E_NOMEM;
        goto fail;
    }
    memset(&ps, 0, sizeof ps);
    ps.cfg = cfg;
    ps.p = text;
    ps.end = text ? text + len : text;
    rc = ini_parse_stream(reader, &ps, handler, &ps);
    if (ps.err_line && (rc == 0 || rc >= ps.err_line)) {
        /* our own reason, first in the file (or inih saw nothing else) */
        set_err(err, err_cap, "%s:%d: %s", name, ps.err_line, ps.err_text);
        rc = -ps.err_code;
        goto fail;
    }
    if (rc > 0) {
        set_err(err, err_cap,
                "%s:%d: syntax error (expected [section], key = value or "
                "a comment)",
                name, rc);
        rc = -CFG_E_SYNTAX;
        goto fail;
    }
    if (rc < 0) {
        set_err(err, err_cap, "%s: out of memory", name);
        rc = -CFG_E_NOMEM;
        goto fail;
    }
    *out = cfg;
    return 0;
fail:
    cfg_free(cfg);
    return rc;
}

int cfg_load(const char *path, struct cfg **out, char *err, size_t err_cap)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (!path || !out) {
        set_err(err, err_cap, "no configuration file given");
        return -CFG_E_IO;
    }
    f = fopen(path, "rb");
    if (!f) {
        set_err(err, err_cap, "%s: %s", path, strerror(errno));
        return -CFG_E_IO;
    }
    buf = malloc(CFG_MAX_FILE + 1);
    if (!buf) {
        set_err(err, err_cap, "%s: out of memory", path);
        rc = -CFG_E_NOMEM;
        goto fail;
    }
    len = fread(buf, 1, CFG_MAX_FILE + 1, f);
    if (ferror(f)) {
        set_err(err, err_cap, "%s: read error", path);
        rc = -CFG_E_IO;
        goto fail;
    }
    rc = cfg_load_buffer(path, buf, len, out, err, err_cap);
fail:
    free(buf);
    fclose(f);
    return rc;
}

const char *cfg_get(const struct cfg *cfg, const char *section, const char *key,
                    const char *def)
{
    const struct entry *e = find(cfg, section, key);

    return e ? e->value : def;
}

int cfg_line(const struct cfg *cfg, const char *section, const char *key)
{
    const struct entry *e = find(cfg, section, key);

    return e ? e->line : 0;
}

const char *cfg_name(const struct cfg *cfg)
{
    return cfg ? cfg->name : "(no configuration)";
}

int cfg_get_int64(const struct cfg *cfg, const char *section, const char *key,
                  int64_t def, int64_t min, int64_t max, int64_t *out,
                  char *err, size_t err_cap)
{
    const struct entry *e = find(cfg, section, key);
    const char *s;
    char *end;
    long long v;

    if (!e) {
        *out = def;
        return 0;
    }
    s = e->value;
    if (!((s[0] >= '0' && s[0] <= '9') ||
          (s[0] == '-' && s[1] >= '0' && s[1] <= '9'))) {
        set_err(err, err_cap, "%s:%d: [%s] %s: '%s' is not a whole number",
                cfg->name, e->line, e->section, e->key, s);
        return -CFG_E_VALUE;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end) {
        set_err(err, err_cap, "%s:%d: [%s] %s: '%s' is not a whole number",
                cfg->name, e->line, e->section, e->key, s);
        return -CFG_E_VALUE;
    }
    if (errno == ERANGE || v < min || v > max) {
        set_err(err, err_cap, "%s:%d: [%s] %s: %s is out of range %lld..%lld",
                cfg->name, e->line, e->section, e->key, s, (long long)min,
                (long long)max);
        return -CFG_E_RANGE;
    }
    *out = (int64_t)v;
    return 0;
}

int cfg_get_bool(const struct cfg *cfg, const char *section, const char *key,
                 int def, int *out, char *err, size_t err_cap)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    const struct entry *e = find(cfg, section, key);

    if (!e) {
        *out = def;
        return 0;
    }
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(e->value, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(e->value, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    set_err(err, err_cap,
            "%s:%d: [%s] %s: '%s' is not yes/no, true/false, on/off or 1/0",
            cfg->name, e->line, e->section, e->key, e->value);
    return -CFG_E_VALUE;
}

/* 1 when "section.key" pattern p allows entry e. */
static int allows(const char *p, const struct entry *e)
{
    const char *dot = strrchr(p, '.');
    size_t slen;

    if (!dot)
        return 0;
    slen = (size_t)(dot - p);
    if (strlen(e->section) != slen || strncasecmp(p, e->section, slen) != 0)
        return 0;
    return strcmp(dot + 1, "*") == 0 || strcasecmp(dot + 1, e->key) == 0;
}

int cfg_check_keys(const struct cfg *cfg, const char *const *allowed, char *err,
                   size_t err_cap)
{
    if (!cfg)
        return 0;
    for (size_t i = 0; i < cfg->n; i++) {
        const struct entry *e = &cfg->entries[i];
        size_t k;
        for (k = 0; allowed && allowed[k]; k++)
            if (allows(allowed[k], e))
                break;
        if (!allowed || !allowed[k]) {
            set_err(err, err_cap, "%s:%d: unknown key '%s' in [%s]", cfg->name,
                    e->line, e->key, e->section);
            return -CFG_E_UNKNOWN;
        }
    }
    return 0;
}
