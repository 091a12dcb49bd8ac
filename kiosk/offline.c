/*
 * offline.c: the kiosk's on-disk state: atomic file replacement, the
 * cached directory parser, the fsync'd append-only journal (cash records,
 * offline intents, "sent" markers, confirmed payments for the day's
 * totals) and the pool of payment codes reserved ahead from the server.
 */
#define _DEFAULT_SOURCE
#include "offline.h"
#include "kiosk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "paycode.h"

#define READ_MAX (16 * 1024 * 1024) /* the directory, 16 MiB at most */
#define JOURNAL  "journal.jsonl"
#define CODES    "codes.json"

int offline_mkdirs(const char *dir)
{
    char p[KIOSK_PATH_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(p))
        return -OFFLINE_E_IO;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return -OFFLINE_E_IO;
        p[i] = c;
    }
    return 0;
}

static int path_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int offline_write_atomic(const char *dir, const char *name, const void *data,
                         size_t len)
{
    char path[KIOSK_PATH_MAX], tmp[KIOSK_PATH_MAX + 8];
    int fd;

    if (path_join(path, sizeof(path), dir, name) < 0)
        return -OFFLINE_E_IO;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -OFFLINE_E_IO;
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        close(fd);
        unlink(tmp);
        return -OFFLINE_E_IO;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        return -OFFLINE_E_IO;
    }
    fsync_dir(dir);
    return 0;
}

int offline_read(const char *dir, const char *name, char **out, size_t *len)
{
    char path[KIOSK_PATH_MAX];
    FILE *f;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = -OFFLINE_E_IO;

    if (path_join(path, sizeof(path), dir, name) < 0)
        return -OFFLINE_E_IO;
    f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? -OFFLINE_E_EMPTY : -OFFLINE_E_IO;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 8192;
            char *nb;
            if (nc > READ_MAX + 4096 + 1)
                goto fail;
            nb = realloc(buf, nc);
            if (!nb) {
                rc = -OFFLINE_E_NOMEM;
                goto fail;
            }
            buf = nb;
            cap = nc;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096) {
            if (ferror(f))
                goto fail;
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    fclose(f);
    free(buf);
    return rc;
}

static void copy_str(char *dst, size_t cap, const json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, cap, "%s", s ? s : "");
}

static int64_t json_money(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    return -1;
}

void offline_dir_free(struct kiosk_directory *d)
{
    free(d->payers);
    free(d->fees);
    free(d->invoices);
    memset(d, 0, sizeof(*d));
}

/* The code of the directory's i-th payer (paycode_at_fn). */
static const char *dir_code_at(const void *list, size_t i)
{
    return ((const struct kiosk_directory *)list)->payers[i].code;
}

int offline_dir_find(const struct kiosk_directory *d, const char *typed,
                     size_t *index)
{
    int rc = paycode_find(typed, dir_code_at, d, d->n_payers, index);

    if (rc == -PAYCODE_E_AMBIGUOUS)
        return -OFFLINE_E_AMBIGUOUS;
    return rc < 0 ? -OFFLINE_E_EMPTY : 0;
}

size_t offline_dir_suggest(const struct kiosk_directory *d, const char *typed,
                           size_t *out, size_t max)
{
    return paycode_suggest(typed, dir_code_at, d, d->n_payers, out, max);
}

/* One entry of payers[].invoices into `in`; 0 or -1 (not acceptable). */
static int dir_invoice(const json_t *v, struct kiosk_dir_invoice *in)
{
    json_t *id = json_object_get(v, "id");
    int64_t amount, paid;

    if (!json_is_object(v) || !json_is_integer(id) ||
        json_integer_value(id) <= 0)
        return -1;
    in->id = json_integer_value(id);
    copy_str(in->label, sizeof(in->label), json_object_get(v, "label"));
    copy_str(in->period, sizeof(in->period), json_object_get(v, "period"));
    in->due = json_money(json_object_get(v, "due"));
    if (in->due < 0) {
        /* no "due": amount - paid */
        amount = json_money(json_object_get(v, "amount"));
        paid = json_money(json_object_get(v, "paid"));
        if (amount <= 0 || amount > MONEY_MAX || paid < 0 || paid >= amount)
            return -1;
        in->due = amount - paid;
    }
    return in->due > 0 && in->due <= MONEY_MAX ? 0 : -1;
}

int offline_dir_parse(const char *json, size_t len, struct kiosk_directory *d)
{
    json_t *root = json_loadb(json, len, 0, NULL), *org, *bank, *payers, *fees,
           *v, *invs;
    struct kiosk_directory nd;
    size_t i, n_inv = 0;
    int rc = -OFFLINE_E_PARSE;

    memset(&nd, 0, sizeof(nd));
    if (!json_is_object(root))
        goto fail;
    org = json_object_get(root, "org");
    if (!json_is_object(org))
        org = root;
    copy_str(nd.org_name, sizeof(nd.org_name), json_object_get(org, "name"));
    copy_str(nd.org_kind, sizeof(nd.org_kind), json_object_get(org, "kind"));
    bank = json_object_get(org, "bank");
    if (json_is_object(bank))
        copy_str(nd.bin, sizeof(nd.bin), json_object_get(bank, "bin"));
    else
        copy_str(nd.bin, sizeof(nd.bin), json_object_get(org, "bank_bin"));
    copy_str(nd.account, sizeof(nd.account), json_object_get(org, "account"));
    nd.collector_pins = json_is_true(json_object_get(root, "collector_pins"));
    copy_str(nd.account_name, sizeof(nd.account_name),
             json_object_get(org, "account_name"));
    payers = json_object_get(root, "payers");
    fees = json_object_get(root, "fees");
    if (!json_is_array(payers))
        goto fail;
    nd.n_payers = json_array_size(payers);
    nd.payers = calloc(nd.n_payers + 1, sizeof(*nd.payers));
    nd.n_fees = json_is_array(fees) ? json_array_size(fees) : 0;
    nd.fees = calloc(nd.n_fees + 1, sizeof(*nd.fees));
    json_array_foreach(payers, i, v)
    {
        invs = json_object_get(v, "invoices");
        if (invs && !json_is_array(invs))
            goto fail;
        if (invs)
            nd.has_invoices = 1;
        n_inv += json_array_size(invs);
    }
    nd.invoices = calloc(n_inv + 1, sizeof(*nd.invoices));
    if (!nd.payers || !nd.fees || !nd.invoices) {
        rc = -OFFLINE_E_NOMEM;
        goto fail;
    }
    json_array_foreach(payers, i, v)
    {
        struct kiosk_dir_payer *p = &nd.payers[i];
        const char *c = json_string_value(json_object_get(v, "code"));
        if (!c || strlen(c) > KIOSK_CODE_MAX)
            goto fail;
        snprintf(p->code, sizeof(p->code), "%s", c);
        copy_str(p->name, sizeof(p->name), json_object_get(v, "name"));
        copy_str(p->category, sizeof(p->category),
                 json_object_get(v, "category"));
        if (!p->category[0])
            copy_str(p->category, sizeof(p->category),
                     json_object_get(v, "kind"));
        copy_str(p->group, sizeof(p->group), json_object_get(v, "class"));
        p->is_class = p->group[0] != '\0';
        if (!p->is_class)
            copy_str(p->group, sizeof(p->group), json_object_get(v, "zone"));
        for (const char *q = c; *q; q++) {
            if (*q >= 'A' && *q <= 'Z' && !strchr(nd.letters, *q) &&
                strlen(nd.letters) + 1 < sizeof(nd.letters)) {
                size_t l = strlen(nd.letters);
                nd.letters[l] = *q;
                nd.letters[l + 1] = '\0';
            }
        }
        p->inv_first = nd.n_invoices;
        invs = json_object_get(v, "invoices");
        for (size_t j = 0; j < json_array_size(invs); j++) {
            if (dir_invoice(json_array_get(invs, j),
                            &nd.invoices[nd.n_invoices]) < 0)
                goto fail;
            nd.n_invoices++;
            p->inv_count++;
        }
        if (!strcmp(p->category, "student"))
            nd.has_school = 1;
        else if (!strcmp(p->category, "stall"))
            nd.has_market = 1;
    }
    json_array_foreach(fees, i, v)
    {
        struct kiosk_dir_fee *f = &nd.fees[i];
        copy_str(f->label, sizeof(f->label), json_object_get(v, "label"));
        copy_str(f->category, sizeof(f->category),
                 json_object_get(v, "category"));
        f->amount = json_money(json_object_get(v, "amount"));
        if (f->amount <= 0 || f->amount > MONEY_MAX)
            goto fail;
    }
    /* Keypad letters in alphabetical order. */
    for (size_t a = 0; nd.letters[a]; a++)
        for (size_t b = a + 1; nd.letters[b]; b++)
            if (nd.letters[b] < nd.letters[a]) {
                char t = nd.letters[a];
                nd.letters[a] = nd.letters[b];
                nd.letters[b] = t;
            }
    if (!strcmp(nd.org_kind, "school"))
        nd.has_school = 1;
    if (!strcmp(nd.org_kind, "market"))
        nd.has_market = 1;
    nd.loaded = 1;
    json_decref(root);
    offline_dir_free(d);
    *d = nd;
    return 0;
fail:
    free(nd.payers);
    free(nd.fees);
    free(nd.invoices);
    json_decref(root);
    return rc;
}

int journal_append(const char *dir, const json_t *rec)
{
    char path[KIOSK_PATH_MAX];
    char *line = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    struct stat st;
    int fd, is_new, rc = -OFFLINE_E_IO;

    if (!line)
        return -OFFLINE_E_NOMEM;
    if (path_join(path, sizeof(path), dir, JOURNAL) < 0)
        goto out;
    is_new = stat(path, &st) < 0;
    fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    if (!is_new && st.st_size > 0) {
        char last;
        if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
            write_all(fd, "\n", 1) < 0)
            goto close;
    }
    if (write_all(fd, line, strlen(line)) < 0 || write_all(fd, "\n", 1) < 0)
        goto close;
    if (fsync(fd) < 0)
        goto close;
    rc = 0;
close:
    close(fd);
    if (rc == 0 && is_new)
        fsync_dir(dir);
out:
    free(line);
    return rc;
}

/* Every journal record (broken lines skipped), as a new array. */
static json_t *journal_load(const char *dir)
{
    char *buf = NULL, *p, *nl;
    size_t len;
    json_t *arr = json_array();

    if (!arr)
        return NULL;
    if (offline_read(dir, JOURNAL, &buf, &len) < 0)
        return arr;
    for (p = buf; p < buf + len; p = nl + 1) {
        json_t *rec;
        nl = strchr(p, '\n');
        if (!nl)
            break; /* a torn last line: never acknowledged, ignore */
        rec = json_loadb(p, (size_t)(nl - p), 0, NULL);
        if (json_is_object(rec))
            json_array_append_new(arr, rec);
        else
            json_decref(rec);
    }
    free(buf);
    return arr;
}

/* Is there a record of type `type` ("sent", "rejected") for `key`? */
static int key_marked(const json_t *arr, const char *key, const char *type)
{
    size_t i;
    json_t *r;

    json_array_foreach(arr, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "t"));
        const char *k = json_string_value(json_object_get(r, "key"));
        if (t && k && !strcmp(t, type) && !strcmp(k, key))
            return 1;
    }
    return 0;
}

static int key_sent(const json_t *arr, const char *key)
{
    return key_marked(arr, key, "sent") || key_marked(arr, key, "rejected");
}

static int is_replayable(const json_t *r)
{
    const char *t = json_string_value(json_object_get(r, "t"));
    return t && (!strcmp(t, "cash") || !strcmp(t, "intent"));
}

/*
 * The last "needs_pin" or "pin" record for `key` (a PIN the server refused,
 * a PIN typed again), or NULL: the record waits for its collector while
 * that is a "needs_pin".
 */
static const json_t *key_pin_state(const json_t *arr, const char *key)
{
    const json_t *last = NULL, *r;
    size_t i;

    json_array_foreach(arr, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "t"));
        const char *k = json_string_value(json_object_get(r, "key"));
        if (t && k && !strcmp(k, key) &&
            (!strcmp(t, "needs_pin") || !strcmp(t, "pin")))
            last = r;
    }
    return last;
}

static int key_needs_pin(const json_t *arr, const char *key)
{
    const json_t *st = key_pin_state(arr, key);
    return st &&
           !strcmp(json_string_value(json_object_get(st, "t")), "needs_pin");
}

/*
 * The oldest unsent record matching `needs_pin` (1: waiting for its
 * collector's PIN, 0: ready to send), a copy carrying the last PIN typed
 * for it, in *rec; how many match in *count (NULL: stop at the first).
 */
static int journal_find(const char *dir, int needs_pin, json_t **rec,
                        int *count)
{
    json_t *arr = journal_load(dir), *r;
    size_t i;
    int n = 0;

    if (!arr)
        return -OFFLINE_E_NOMEM;
    *rec = NULL;
    json_array_foreach(arr, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "key"));
        const json_t *st;
        if (!is_replayable(r) || !k || key_sent(arr, k) ||
            key_needs_pin(arr, k) != needs_pin)
            continue;
        n++;
        if (*rec == NULL) {
            *rec = json_deep_copy(r);
            st = key_pin_state(arr, k);
            if (*rec && st && json_object_get(st, "pin"))
                json_object_set(*rec, "pin", json_object_get(st, "pin"));
            if (*rec && needs_pin)
                json_object_set(*rec, "refused", (json_t *)st);
        }
        if (count == NULL)
            break;
    }
    json_decref(arr);
    if (count)
        *count = n;
    return *rec ? 0 : -OFFLINE_E_EMPTY;
}

int journal_next_pending(const char *dir, json_t **rec)
{
    return journal_find(dir, 0, rec, NULL);
}

int journal_next_needs_pin(const char *dir, json_t **rec, int *count)
{
    return journal_find(dir, 1, rec, count);
}

int journal_is_sent(const char *dir, const char *key)
{
    json_t *arr = journal_load(dir);
    int s = arr ? key_sent(arr, key) : 0;
    json_decref(arr);
    return s;
}

int journal_sums(const char *dir, int64_t since, int64_t until,
                 struct journal_sums *out)
{
    json_t *arr = journal_load(dir), *r;
    struct journal_sums js;
    size_t i;

    if (!arr)
        return -OFFLINE_E_NOMEM;
    memset(&js, 0, sizeof(js));
    json_array_foreach(arr, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "t"));
        const char *k = json_string_value(json_object_get(r, "key"));
        json_int_t at = json_integer_value(json_object_get(r, "at"));
        json_int_t amt = json_integer_value(json_object_get(r, "amount"));
        int ok_amt = amt > 0 && amt <= MONEY_MAX;
        if (!t)
            continue;
        if (is_replayable(r) && k && !key_sent(arr, k)) {
            js.pending++;
            js.needs_pin += key_needs_pin(arr, k);
            if (!strcmp(t, "cash") && ok_amt &&
                money_add(js.pending_cash, amt, &js.pending_cash) < 0)
                goto overflow;
        }
        if (at < since || at >= until || !ok_amt)
            continue;
        if (!strcmp(t, "cash") && !(k && key_marked(arr, k, "rejected"))) {
            if (money_add(js.cash, amt, &js.cash) < 0)
                goto overflow;
            js.n_cash++;
        } else if (!strcmp(t, "paid")) {
            if (money_add(js.transfer, amt, &js.transfer) < 0)
                goto overflow;
            js.n_transfer++;
        }
    }
    json_decref(arr);
    *out = js;
    return 0;
overflow:
    json_decref(arr);
    return -OFFLINE_E_PARSE;
}

int journal_totals(const char *dir, int64_t since, int64_t *transfer,
                   int64_t *cash, int *pending)
{
    struct journal_sums js;
    int rc = journal_sums(dir, since, INT64_MAX, &js);

    if (rc < 0)
        return rc;
    *transfer = js.transfer;
    *cash = js.cash;
    *pending = js.pending;
    return 0;
}

int journal_compact(const char *dir, int64_t since)
{
    json_t *arr = journal_load(dir), *keep = json_array(), *r;
    size_t i, len = 0;
    char *buf = NULL;
    int rc = -OFFLINE_E_NOMEM, dropped = 0;

    if (!arr || !keep)
        goto out;
    /* First the records worth keeping, then the markers of those. */
    json_array_foreach(arr, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "t"));
        const char *k = json_string_value(json_object_get(r, "key"));
        json_int_t at = json_integer_value(json_object_get(r, "at"));
        int want = 0;
        if (is_replayable(r))
            want = (k && !key_sent(arr, k)) || at >= since;
        else if (t && !strcmp(t, "paid"))
            want = at >= since;
        /* a collector's PIN stays only while its record waits */
        if (want && k && key_sent(arr, k))
            json_object_del(r, "pin");
        if (want)
            json_array_append(keep, r);
    }
    json_array_foreach(arr, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "t"));
        const char *k = json_string_value(json_object_get(r, "key"));
        size_t j;
        json_t *kr;
        if (!t || !k ||
            (strcmp(t, "sent") && strcmp(t, "rejected") &&
             strcmp(t, "needs_pin") && strcmp(t, "pin")))
            continue;
        if (!strcmp(t, "pin") && key_sent(arr, k))
            continue;
        json_array_foreach(keep, j, kr)
        {
            const char *kk = json_string_value(json_object_get(kr, "key"));
            if (is_replayable(kr) && kk && !strcmp(kk, k)) {
                json_array_append(keep, r);
                break;
            }
        }
    }
    dropped = (int)(json_array_size(arr) - json_array_size(keep));
    json_array_foreach(keep, i, r)
    {
        char *line = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
        size_t n;
        char *nb;
        if (!line)
            goto out;
        n = strlen(line);
        nb = realloc(buf, len + n + 2);
        if (!nb) {
            free(line);
            goto out;
        }
        buf = nb;
        memcpy(buf + len, line, n);
        buf[len + n] = '\n';
        len += n + 1;
        free(line);
    }
    rc = offline_write_atomic(dir, JOURNAL, buf ? buf : "", len);
    if (rc == 0)
        rc = dropped;
out:
    free(buf);
    json_decref(keep);
    json_decref(arr);
    return rc;
}

#define VN_OFFSET 25200 /* Vietnam: UTC+7 all year */

int64_t offline_day_start(int64_t t)
{
    int64_t v = t + VN_OFFSET;
    int64_t day = v >= 0 ? v / 86400 : -((-v + 86399) / 86400);

    return day * 86400 - VN_OFFSET;
}

void offline_day(int64_t t, char out[11])
{
    time_t v = (time_t)(offline_day_start(t) + VN_OFFSET);
    struct tm tm;

    if (!gmtime_r(&v, &tm) || tm.tm_year < 0 || tm.tm_year > 8099 ||
        strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "0000-00-00");
}

static json_t *codes_load(const char *dir)
{
    char *buf = NULL;
    size_t len;
    json_t *root, *arr;

    if (offline_read(dir, CODES, &buf, &len) < 0)
        return json_array();
    root = json_loadb(buf, len, 0, NULL);
    free(buf);
    arr = json_object_get(root, "codes");
    if (!json_is_array(arr)) {
        json_decref(root);
        return json_array();
    }
    json_incref(arr);
    json_decref(root);
    return arr;
}

static int codes_save(const char *dir, json_t *arr)
{
    json_t *root = json_pack("{s:O}", "codes", arr);
    char *s = root ? json_dumps(root, JSON_COMPACT) : NULL;
    int rc =
        s ? offline_write_atomic(dir, CODES, s, strlen(s)) : -OFFLINE_E_NOMEM;
    free(s);
    json_decref(root);
    return rc;
}

int codes_count(const char *dir)
{
    json_t *arr = codes_load(dir);
    int n = arr ? (int)json_array_size(arr) : 0;
    json_decref(arr);
    return n;
}

int codes_add(const char *dir, const json_t *codes)
{
    json_t *arr = codes_load(dir), *v;
    size_t i;
    int rc;

    if (!arr)
        return -OFFLINE_E_NOMEM;
    json_array_foreach(codes, i, v)
    {
        const char *c = json_string_value(v);
        if (!c)
            c = json_string_value(json_object_get(v, "code"));
        if (!c || !c[0] || strlen(c) > 25)
            continue;
        for (const char *q = c; *q; q++)
            if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
                goto next;
        json_array_append_new(arr, json_string(c));
    next:;
    }
    rc = codes_save(dir, arr);
    json_decref(arr);
    return rc;
}

int codes_take(const char *dir, char *out, size_t cap)
{
    json_t *arr = codes_load(dir);
    const char *c;
    int rc;

    if (!arr)
        return -OFFLINE_E_NOMEM;
    char code[32];

    c = json_string_value(json_array_get(arr, 0));
    if (!c || strlen(c) >= cap || strlen(c) >= sizeof(code)) {
        json_decref(arr);
        return -OFFLINE_E_EMPTY;
    }
    snprintf(code, sizeof(code), "%s", c);
    json_array_remove(arr, 0);
    rc = codes_save(dir, arr);
    json_decref(arr);
    if (rc == 0)
        snprintf(out, cap, "%s", code);
    return rc;
}
