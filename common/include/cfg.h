/*
 * cfg.h: INI configuration files, parsed with inih and kept in memory as
 * (section, key, value, line) entries, with typed getters whose errors
 * name the file and the line ("server.conf:12: [http] port: ...").
 */
#ifndef CHOPAY_CFG_H
#define CHOPAY_CFG_H

#include <stddef.h>
#include <stdint.h>

/* A loaded configuration; opaque. */
struct cfg;

enum cfg_error {
    CFG_OK = 0,
    CFG_E_IO,        /* cannot open or read the file */
    CFG_E_SYNTAX,    /* not INI: a line is not [section], key = value or a
                        comment */
    CFG_E_DUPLICATE, /* a key twice in one section, or an indented line
                        (inih's multi-line values are not supported) */
    CFG_E_LIMIT,     /* file, line or entry count beyond the limits below,
                        or a NUL byte */
    CFG_E_NOMEM,     /* out of memory */
    CFG_E_VALUE,     /* a value of the wrong type ("80x" for a number) */
    CFG_E_RANGE,     /* a number outside the allowed range */
    CFG_E_UNKNOWN    /* a key or section no one asked for (a typo) */
};

#define CFG_MAX_FILE    (1024 * 1024) /* bytes in a configuration file */
#define CFG_MAX_ENTRIES 4096          /* key = value lines */

/*
 * Load the INI file at `path`. Syntax (inih's): "[section]" lines,
 * "key = value" or "key: value" lines (white space around key and value
 * trimmed), comment lines starting with ';' or '#', and " ;" starting a
 * comment after a value. Keys before any section are in section "".
 * Lines are limited to inih's buffer (about 200 bytes). On success *out
 * gets a new configuration (free with cfg_free()) and 0 is returned;
 * otherwise a negated enum cfg_error, *out is untouched, and `err`
 * (capacity `err_cap`, may be NULL) gets "PATH:LINE: reason".
 */
int cfg_load(const char *path, struct cfg **out, char *err, size_t err_cap);

/*
 * As cfg_load(), from `len` bytes at `text`; `name` (e.g. "built-in
 * defaults") stands for the file name in messages.
 */
int cfg_load_buffer(const char *name, const char *text, size_t len,
                    struct cfg **out, char *err, size_t err_cap);

/* Free a configuration; cfg_free(NULL) does nothing. */
void cfg_free(struct cfg *cfg);

/*
 * The value of `key` in `section` ("" for keys before any section),
 * compared without regard to ASCII case, or `def` when absent (or when
 * cfg is NULL). The string belongs to cfg.
 */
const char *cfg_get(const struct cfg *cfg, const char *section, const char *key,
                    const char *def);

/* The line where `key` of `section` is set, or 0 when it is not. */
int cfg_line(const struct cfg *cfg, const char *section, const char *key);

/* The file name given to cfg_load() (or the buffer's name). */
const char *cfg_name(const struct cfg *cfg);

/*
 * The value of `key` as a decimal integer within [min, max]: *out gets
 * it, or `def` when the key is absent (def is not range-checked). On a
 * malformed value (anything but an optional '-' and digits) returns
 * -CFG_E_VALUE, out of range -CFG_E_RANGE; *out is then untouched and
 * err says "FILE:LINE: [section] key: 'VALUE' ...".
 */
int cfg_get_int64(const struct cfg *cfg, const char *section, const char *key,
                  int64_t def, int64_t min, int64_t max, int64_t *out,
                  char *err, size_t err_cap);

/*
 * The value of `key` as a boolean (yes/no, true/false, on/off, 1/0, any
 * case): *out gets 1 or 0, or `def` when absent; -CFG_E_VALUE otherwise.
 */
int cfg_get_bool(const struct cfg *cfg, const char *section, const char *key,
                 int def, int *out, char *err, size_t err_cap);

/*
 * Reject what no one reads: every entry must match one of `allowed`, a
 * NULL-terminated list of "section.key" ("http.port", ".key" for keys
 * before any section) or "section.*" (any key of that section), compared
 * without regard to ASCII case. Returns 0 or -CFG_E_UNKNOWN with err
 * "FILE:LINE: unknown key 'prot' in [http]" for the first stray entry.
 */
int cfg_check_keys(const struct cfg *cfg, const char *const *allowed, char *err,
                   size_t err_cap);

#endif
