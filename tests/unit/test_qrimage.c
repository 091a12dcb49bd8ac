/*
 * test_qrimage.c: tests of the QR PNG renderer. Each image is read back
 * pixel by pixel with libpng and compared to libqrencode's matrix, and
 * decoded by Debian's zbarimg (an independent scanner) to the same payload.
 */
#include "harness.h"
#include "qrimage.h"

#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

/* Read a 1-bit grayscale PNG into a malloc'd 0/1 (1 = white) pixel map. */
static unsigned char *read_png(const char *path, int *w, int *h)
{
    png_image img;
    unsigned char *px;

    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return NULL;
    img.format = PNG_FORMAT_GRAY;
    px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&img);
        return NULL;
    }
    *w = (int)img.width;
    *h = (int)img.height;
    return px;
}

/* Compare the image with the matrix libqrencode gives for `payload`. */
static void check_pixels(const char *payload, const char *path, int scale)
{
    QRcode *qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);
    int w = 0, h = 0, bad = 0, size;
    unsigned char *px = read_png(path, &w, &h);

    CHECK(qr != NULL);
    CHECK(px != NULL);
    if (!qr || !px)
        goto out;
    size = (qr->width + 8) * scale;
    CHECK_INT(w, size);
    CHECK_INT(h, size);
    if (w != size || h != size)
        goto out;
    for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
            int mx = x / scale - 4, my = y / scale - 4, dark = 0;
            if (mx >= 0 && my >= 0 && mx < qr->width && my < qr->width)
                dark = qr->data[my * qr->width + mx] & 1;
            if ((px[y * size + x] == 0) != dark ||
                (px[y * size + x] != 0 && px[y * size + x] != 255))
                bad++;
        }
    }
    CHECK_INT(bad, 0);
out:
    free(px);
    QRcode_free(qr);
}

/* Decode the image with zbarimg; returns 0 and fills out on success. */
static int zbar(const char *path, char *out, size_t cap)
{
    char cmd[256];
    FILE *p;
    size_t n;

    snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sbinary '%s' 2>/dev/null",
             path);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return pclose(p) == 0 ? 0 : -1;
}

static void round_trip(const char *payload, int scale)
{
    char path[128], got[1024];

    snprintf(path, sizeof(path), "%s/qr-%d.png", tmpdir, scale);
    CHECK_INT(qrimage_write_png(payload, path, scale), 0);
    check_pixels(payload, path, scale);
    CHECK_INT(zbar(path, got, sizeof(got)), 0);
    CHECK_STR(got, payload);
    unlink(path);
}

int main(void)
{
    /* payloads from tests/data/vietqr-vectors.txt (vietnam-qr-pay) */
    static const char *payloads[] = {
        "00020101021138570010A00000072701270006970436011300110019324180208"
        "QRIBFTTA53037045802VN6304E0BB",
        "00020101021238630010A00000072701330006970407011919031234567890123"
        "450208QRIBFTTA530370454094999999995802VN62290825ABCDEFGHIJKLMNOPQ"
        "RSTUVWXY63041132",
        "00020101021138540010A00000072701240006970422011009876543210208QRIB"
        "FTTA53037045802VN62170813HOC PHI HS 5A63040BEC",
    };
    char path[128], big[4000];

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/chopay-qrimage-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        CHECK(0);
        return TEST_END();
    }
    if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
        fprintf(stderr, "zbarimg missing: install zbar-tools (make deps)\n");
        CHECK(0);
    }

    round_trip(payloads[0], 4);
    round_trip(payloads[1], 8);
    round_trip(payloads[2], 3);
    round_trip(payloads[0], 1);

    /* errors: nothing is written */
    snprintf(path, sizeof(path), "%s/bad.png", tmpdir);
    CHECK_INT(qrimage_write_png(NULL, path, 4), QRIMAGE_E_ARG);
    CHECK_INT(qrimage_write_png("", path, 4), QRIMAGE_E_ARG);
    CHECK_INT(qrimage_write_png(payloads[0], NULL, 4), QRIMAGE_E_ARG);
    CHECK_INT(qrimage_write_png(payloads[0], path, 0), QRIMAGE_E_ARG);
    CHECK_INT(qrimage_write_png(payloads[0], path, -3), QRIMAGE_E_ARG);
    CHECK_INT(qrimage_write_png(payloads[0], path, QRIMAGE_SCALE_MAX + 1),
              QRIMAGE_E_ARG);
    CHECK_INT(access(path, F_OK), -1);
    CHECK_INT(qrimage_write_png(payloads[0], "/nonexistent-dir/x.png", 4),
              QRIMAGE_E_IO);
    /* more than a version-40 QR holds at level M (2331 bytes) */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_INT(qrimage_write_png(big, path, 1), QRIMAGE_E_ENCODE);
    CHECK_INT(access(path, F_OK), -1);
    CHECK_STR(qrimage_strerror(QRIMAGE_E_IO), "cannot write the image file");
    CHECK_STR(qrimage_strerror(12345), "unknown error");

    rmdir(tmpdir);
    return TEST_END();
}
