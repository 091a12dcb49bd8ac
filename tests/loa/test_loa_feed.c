/*
 * test_loa_feed.c: the payment speaker's reading of the announcements
 * body (what is kept, what is left out and counted, the order), its
 * times (unix seconds and RFC 3339), and the clips an amount becomes.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "loa.h"

static int parse(const char *body, struct feed_reply *r)
{
    memset(r, 0, sizeof *r);
    return feed_parse(body, strlen(body), r);
}

static void test_body(void)
{
    struct feed_reply r;

    CHECK_INT(parse("{\"announcements\":[]}", &r), 0);
    CHECK_INT(r.n, 0);
    CHECK_INT(r.max_id, 0);
    free(r.items);

    CHECK_INT(parse("{\"announcements\":["
                    "{\"id\":7,\"amount\":125000,\"at\":1796612400,"
                    "\"words\":\"x\"},"
                    "{\"id\":5,\"amount\":15000,"
                    "\"at\":\"2026-12-07T17:30:00Z\"},"
                    "{\"id\":9,\"amount\":\"12000\",\"at\":1},"
                    "{\"id\":10,\"amount\":0,\"at\":1},"
                    "{\"id\":11,\"amount\":-5,\"at\":1},"
                    "{\"id\":12,\"amount\":1000000000000001,\"at\":1},"
                    "{\"id\":13,\"amount\":1000,\"at\":\"yesterday\"},"
                    "{\"id\":-1,\"amount\":1000,\"at\":1},"
                    "{\"amount\":1000,\"at\":1},"
                    "{\"id\":14,\"amount\":1000}]}",
                    &r),
              0);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.skipped, 8);
    CHECK_INT(r.max_id, 14); /* malformed ones are not asked for again */
    if (r.n == 2) {
        CHECK_INT(r.items[0].id, 5); /* sorted by id */
        CHECK_INT(r.items[0].amount, 15000);
        CHECK_INT(r.items[0].at, 1796664600);
        CHECK_INT(r.items[1].id, 7);
        CHECK_INT(r.items[1].at, 1796612400);
    }
    free(r.items);

    CHECK_INT(parse("", &r), -1);
    CHECK_INT(parse("[]", &r), -1);
    CHECK_INT(parse("{\"announcements\":{}}", &r), -1);
    CHECK_INT(parse("{\"announcements\":[], \"announcements\":[]}", &r), -1);
    CHECK_INT(parse("{\"error\":{\"code\":\"x\",\"message\":\"y\"}}", &r), -1);
}

static void test_time(void)
{
    int64_t t = 42;

    CHECK_INT(feed_parse_time("1970-01-01T00:00:00Z", &t), 0);
    CHECK_INT(t, 0);
    CHECK_INT(feed_parse_time("2000-02-29T12:34:56Z", &t), 0);
    CHECK_INT(t, 951827696);
    CHECK_INT(feed_parse_time("2026-12-07T17:30:00.123Z", &t), 0);
    CHECK_INT(t, 1796664600);
    CHECK_INT(feed_parse_time("2026-12-07T17:30:00+00:00", &t), 0);
    CHECK_INT(t, 1796664600);
    t = 42;
    CHECK_INT(feed_parse_time("2026-12-07T17:30:00+07:00", &t), -1);
    CHECK_INT(feed_parse_time("2026-12-07T17:30:00", &t), -1);
    CHECK_INT(feed_parse_time("2026-13-07T17:30:00Z", &t), -1);
    CHECK_INT(feed_parse_time("2026-12-07T24:00:00Z", &t), -1);
    CHECK_INT(feed_parse_time("2026-12-07T17:30:00.Z", &t), -1);
    CHECK_INT(feed_parse_time("20261207T173000Z", &t), -1);
    CHECK_INT(t, 42);
}

static void test_clips(void)
{
    const char *names[LOA_MAX_CLIPS];
    int n = clips_announcement(1050000, names, LOA_MAX_CLIPS);
    static const char *const want[] = {"beep",  "gap",   "da-nhan", "mot",
                                       "trieu", "khong", "tram",    "nam",
                                       "muoi",  "nghin", "dong"};

    CHECK_INT(n, 11);
    for (int i = 0; i < n && i < 11; i++)
        CHECK_STR(names[i], want[i]);
    n = clips_announcement(21024, names, LOA_MAX_CLIPS);
    CHECK_INT(n, 13);
    if (n == 13) {
        CHECK_STR(names[5], "mot-sac");
        CHECK_STR(names[11], "tu");
    }
    CHECK_INT(clips_announcement(15, names, LOA_MAX_CLIPS), 6);
    CHECK_STR(names[3], "muoi-huyen");
    CHECK_STR(names[4], "lam");
    CHECK_INT(clips_announcement(1050000, names, 5), -1);
    /* every amount up to 10^15 has a clip for each of its words */
    int bad = 0;
    for (int64_t a = 1; a <= INT64_C(1000000000000000); a = a * 7 + 3)
        bad += clips_announcement(a, names, LOA_MAX_CLIPS) < 0;
    for (int64_t a = 0; a < 100000; a++)
        bad += clips_announcement(a, names, LOA_MAX_CLIPS) < 0;
    CHECK_INT(bad, 0);
}

int main(void)
{
    test_body();
    test_time();
    test_clips();
    return TEST_END();
}
