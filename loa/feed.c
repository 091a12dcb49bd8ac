/*
 * feed.c: the stall's announcements endpoint. One long poll per call
 * (libcurl, blocking; the speaker has nothing else to do meanwhile), the
 * reply's Date header kept as the server's clock, and a strict reader
 * for the body: an entry with a missing or wrong id, amount or time is
 * left out and counted, never spoken.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loa.h"
#include "money.h"

#define MAX_BODY (1024 * 1024)

/* The reply body as it arrives. */
struct body {
    char *buf;    /* malloc'd, NUL-terminated */
    size_t len;   /* bytes so far */
    int too_big;  /* 1: beyond MAX_BODY */
    int64_t date; /* the Date header, 0 if none */
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct body *b = ud;
    size_t n = size * nmemb;
    char *nb;

    if (b->len + n > MAX_BODY) {
        b->too_big = 1;
        return 0;
    }
    nb = realloc(b->buf, b->len + n + 1);
    if (!nb)
        return 0;
    memcpy(nb + b->len, ptr, n);
    b->buf = nb;
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct body *b = ud;
    size_t n = size * nmemb;
    char line[128];

    if (n > 5 && n < sizeof line && strncasecmp(ptr, "date:", 5) == 0) {
        memcpy(line, ptr + 5, n - 5);
        line[n - 5] = '\0';
        time_t t = curl_getdate(line, NULL);
        if (t > 0)
            b->date = (int64_t)t;
    }
    return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
    volatile int *stop = ud;

    (void)dt, (void)dn, (void)ut, (void)un;
    return stop && *stop;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int feed_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    const char *p;

    if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
        digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
        s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "z") != 0 && strcmp(p, "+00:00") != 0)
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    const struct feed_item *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int feed_parse(const char *body, size_t len, struct feed_reply *reply)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *arr = root ? json_object_get(root, "announcements") : NULL;
    size_t i, n = 0;
    json_t *e;

    reply->items = NULL;
    reply->n = reply->skipped = 0;
    reply->max_id = 0;
    if (!json_is_array(arr)) {
        json_decref(root);
        return -1;
    }
    if (json_array_size(arr) > 0) {
        reply->items = calloc(json_array_size(arr), sizeof *reply->items);
        if (!reply->items) {
            json_decref(root);
            return -1;
        }
    }
    json_array_foreach(arr, i, e)
    {
        json_t *id = json_object_get(e, "id");
        json_t *amount = json_object_get(e, "amount");
        json_t *at = json_object_get(e, "at");
        struct feed_item it = {0, 0, 0};

        if (json_is_integer(id) && json_integer_value(id) > 0) {
            it.id = json_integer_value(id);
            if (it.id > reply->max_id)
                reply->max_id = it.id;
        }
        if (json_is_integer(at))
            it.at = json_integer_value(at);
        else if (!json_is_string(at) ||
                 feed_parse_time(json_string_value(at), &it.at) != 0)
            it.at = -1;
        if (json_is_integer(amount))
            it.amount = json_integer_value(amount);
        if (it.id <= 0 || it.at < 0 || it.amount <= 0 ||
            it.amount > MONEY_MAX) {
            reply->skipped++;
            continue;
        }
        reply->items[n++] = it;
    }
    reply->n = n;
    if (n > 1)
        qsort(reply->items, n, sizeof *reply->items, by_id);
    json_decref(root);
    return 0;
}

int feed_poll(const char *url, const char *key, int64_t after, int wait,
              volatile int *stop, struct feed_reply *reply)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    struct body b = {NULL, 0, 0, 0};
    char full[LOA_PATH_MAX + 96], auth[600];
    CURLcode cc;
    int rc = -1;

    memset(reply, 0, sizeof *reply);
    if (!curl) {
        snprintf(reply->err, sizeof reply->err, "curl_easy_init failed");
        return -1;
    }
    snprintf(full, sizeof full, "%s/v1/stall/announcements?after=%lld&wait=%d",
             url, (long long)after, wait);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    hdrs = curl_slist_append(hdrs, auth);
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, full);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "chopay-loa");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)wait + 20L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &b);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stop);
    cc = curl_easy_perform(curl);
    if (cc != CURLE_OK) {
        snprintf(reply->err, sizeof reply->err, "%s",
                 b.too_big ? "reply too large" : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    reply->server_now = b.date;
    if (reply->status != 200) {
        snprintf(reply->err, sizeof reply->err, "HTTP %ld", reply->status);
        goto done;
    }
    if (feed_parse(b.buf ? b.buf : "", b.len, reply) != 0) {
        snprintf(reply->err, sizeof reply->err, "malformed reply");
        goto done;
    }
    rc = 0;
done:
    free(b.buf);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    return rc;
}
