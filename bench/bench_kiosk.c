/*
 * bench_kiosk.c: the kiosk, headless, against the real chopay-server
 * --demo on a loopback port: time from process start to the first frame,
 * from the intent's arrival to the QR on screen, frame (draw) times, peak
 * RSS, and CPU use while idle on the start screen. Runs the built binaries
 * next to this one ($(BUILD)/bin); says so and exits 0 when they are absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUNS 20

static char bindir[512];
static char tmpdir[] = "/tmp/bench_kiosk.XXXXXX";

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, int p)
{
    int i;

    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    i = n * p / 100;
    return v[i >= n ? n - 1 : i];
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Spawn argv with stdout/stderr to `log`; returns the pid or -1. */
static pid_t spawn(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

/* Find "NAME=" in the file and read the number after it; -1 if absent. */
static double metric(const char *log, const char *name)
{
    FILE *f = fopen(log, "r");
    char line[512], key[64];
    double v = -1;

    if (!f)
        return -1;
    snprintf(key, sizeof(key), "%s=", name);
    while (fgets(line, sizeof(line), f)) {
        char *p = strstr(line, key);
        if (p)
            v = strtod(p + strlen(key), NULL);
    }
    fclose(f);
    return v;
}

/* Run the kiosk with `script`; fills wall time and child CPU time. */
static double last_spawn_ms;

static int run_kiosk(const char *url, const char *script, const char *log,
                     double *wall_ms, double *cpu_ms, long *rss_kb)
{
    char key[600], data[600], scr[600];
#define A(x) ((char *)(x))
    char *argv[] = {NULL,
                    A("--headless"),
                    A("--no-sound"),
                    A("--timing"),
                    A("--size"),
                    A("1024x600"),
                    A("--server"),
                    (char *)url,
                    A("--key-file"),
                    key,
                    A("--data-dir"),
                    data,
                    A("--script"),
                    scr,
                    NULL};
    char kiosk[600];
    struct rusage ru;
    int status;
    double t0 = now_ms();
    pid_t pid;

    snprintf(kiosk, sizeof(kiosk), "%s/chopay-kiosk", bindir);
    snprintf(key, sizeof(key), "%s/key", tmpdir);
    snprintf(data, sizeof(data), "%s/kdata", tmpdir);
    snprintf(scr, sizeof(scr), "%s/%s", tmpdir, script);
    argv[0] = kiosk;
    last_spawn_ms = t0;
    pid = spawn(argv, log);
    if (pid < 0)
        return -1;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *wall_ms = now_ms() - t0;
    *cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    *rss_kb = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    char path[700], log[700], url[128], *slash;
    char *srv_argv[] = {
        NULL, A("--demo"), A("--listen"), A("127.0.0.1:0"), A("--data-dir"),
        NULL, NULL};
    char srv[600], sdir[600];
    double ff[RUNS], fx[RUNS], iq[RUNS], fp50[RUNS], fp99[RUNS];
    double wall, cpu, cpu_short = 0, cpu_long = 0;
    long rss, rss_max = 0;
    int n = 0, rc = 1;
    pid_t spid;
    json_t *cred;
    FILE *f;

    (void)argc;
    snprintf(bindir, sizeof(bindir), "%s", argv[0]);
    slash = strrchr(bindir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(bindir, sizeof(bindir), ".");
    strncat(bindir, "/../bin", sizeof(bindir) - strlen(bindir) - 1);
    snprintf(srv, sizeof(srv), "%s/chopay-server", bindir);
    snprintf(path, sizeof(path), "%s/chopay-kiosk", bindir);
    if (access(srv, X_OK) || access(path, X_OK)) {
        printf("bench_kiosk: %s or chopay-kiosk not built; skipped\n", srv);
        return 0;
    }
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(sdir, sizeof(sdir), "%s/srv", tmpdir);
    srv_argv[0] = srv;
    srv_argv[5] = sdir;
    snprintf(log, sizeof(log), "%s/server.log", tmpdir);
    spid = spawn(srv_argv, log);
    if (spid < 0)
        goto out;
    snprintf(path, sizeof(path), "%s/server.addr", sdir);
    for (int i = 0; i < 200 && access(path, R_OK); i++)
        usleep(50000);
    f = fopen(path, "r");
    if (!f || !fgets(url + 7, sizeof(url) - 7, f)) {
        fprintf(stderr, "bench_kiosk: server did not start\n");
        if (f)
            fclose(f);
        goto stop;
    }
    fclose(f);
    memcpy(url, "http://", 7);
    url[strcspn(url, "\r\n")] = '\0';
    snprintf(path, sizeof(path), "%s/demo-credentials.json", sdir);
    cred = json_load_file(path, 0, NULL);
    snprintf(path, sizeof(path), "%s/key", tmpdir);
    if (!cred ||
        write_file(path, json_string_value(json_object_get(
                             json_object_get(cred, "kiosks"), "CHO-TT"))) < 0) {
        json_decref(cred);
        goto stop;
    }
    json_decref(cred);
    snprintf(path, sizeof(path), "%s/pay.txt", tmpdir);
    write_file(path, "wait-screen welcome\ntype A-12\n"
                     "key Return\nwait-screen dues 10000\ntap pay-all\n"
                     "wait-screen qr 10000\ntap cancel\n"
                     "wait-screen welcome\nquit\n");
    snprintf(path, sizeof(path), "%s/idle1.txt", tmpdir);
    write_file(path, "wait 500\nquit\n");
    snprintf(path, sizeof(path), "%s/idle2.txt", tmpdir);
    write_file(path, "wait 3500\nquit\n");
    for (int i = 0; i < RUNS; i++) {
        snprintf(log, sizeof(log), "%s/run%d.log", tmpdir, i);
        if (run_kiosk(url, "pay.txt", log, &wall, &cpu, &rss) < 0) {
            fprintf(stderr, "bench_kiosk: run %d failed (see %s)\n", i, log);
            continue;
        }
        ff[n] = metric(log, "first_frame_ms");
        fx[n] = metric(log, "mono_ms") - last_spawn_ms;
        iq[n] = metric(log, "intent_to_qr_us") / 1000.0;
        fp50[n] = metric(log, "frame_p50_us") / 1000.0;
        fp99[n] = metric(log, "frame_p99_us") / 1000.0;
        if (rss > rss_max)
            rss_max = rss;
        n++;
    }
    snprintf(log, sizeof(log), "%s/idle1.log", tmpdir);
    if (run_kiosk(url, "idle1.txt", log, &wall, &cpu_short, &rss) == 0) {
        snprintf(log, sizeof(log), "%s/idle2.log", tmpdir);
        run_kiosk(url, "idle2.txt", log, &wall, &cpu_long, &rss);
    }
    printf("bench_kiosk: %d scripted payments (1024x600, headless, "
           "software renderer, real chopay-server --demo)\n",
           n);
    printf("  spawn -> first frame:              p50 %.1f ms  p99 %.1f ms\n",
           pct(fx, n, 50), pct(fx, n, 99));
    printf("  main() -> first frame:             p50 %.1f ms  p99 %.1f ms\n",
           pct(ff, n, 50), pct(ff, n, 99));
    printf("  intent reply -> QR drawn:          p50 %.2f ms  p99 %.2f ms\n",
           pct(iq, n, 50), pct(iq, n, 99));
    printf("  frame draw time:                   p50 %.2f ms  p99 %.2f ms "
           "(per-run medians/p99s, median across runs)\n",
           pct(fp50, n, 50), pct(fp99, n, 50));
    printf("  idle on the start screen: %.2f%% of one CPU (3 s)\n",
           (cpu_long - cpu_short) / 3000.0 * 100.0);
    printf("  peak RSS: %ld KiB\n", rss_max);
    rc = n == RUNS ? 0 : 1;
stop:
    kill(spid, SIGTERM);
    waitpid(spid, NULL, 0);
out:
    snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
    if (system(path) != 0)
        fprintf(stderr, "bench_kiosk: could not remove %s\n", tmpdir);
    return rc;
}
