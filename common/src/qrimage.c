/*
 * qrimage.c: QR code PNG rendering for `chopay qr encode --png` and the
 * kiosk: libqrencode builds the module matrix (ECL M, 8-bit mode), libpng
 * writes it as a 1-bit grayscale image with a 4-module quiet zone.
 */
#include "qrimage.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *qrimage_strerror(int rc)
{
    switch (rc) {
    case QRIMAGE_OK:
        return "ok";
    case QRIMAGE_E_ARG:
        return "bad argument (empty payload or path, or scale out of range)";
    case QRIMAGE_E_ENCODE:
        return "payload cannot be encoded as a QR code";
    case QRIMAGE_E_IO:
        return "cannot write the image file";
    case QRIMAGE_E_PNG:
        return "PNG encoding failed";
    case QRIMAGE_E_NOMEM:
        return "out of memory";
    default:
        return "unknown error";
    }
}

/* Fill one packed 1-bit row (0 = black module, 1 = white). */
static void fill_row(const QRcode *qr, int scale, int y, png_bytep row,
                     int size)
{
    int my = y / scale - QRIMAGE_QUIET_ZONE;

    memset(row, 0xFF, (size_t)(size + 7) / 8);
    if (my < 0 || my >= qr->width)
        return;
    for (int x = 0; x < size; x++) {
        int mx = x / scale - QRIMAGE_QUIET_ZONE;
        if (mx >= 0 && mx < qr->width && (qr->data[my * qr->width + mx] & 1))
            row[x / 8] &= (png_byte) ~(0x80u >> (x % 8));
    }
}

/*
 * Write the rows; kept apart so that setjmp's caller has no locals that
 * change after the jump point. Returns 0 or QRIMAGE_E_PNG.
 */
static int write_png(FILE *fp, const QRcode *qr, int scale, png_bytep row,
                     int size)
{
    png_structp png;
    png_infop info;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png)
        return QRIMAGE_E_NOMEM;
    info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return QRIMAGE_E_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return QRIMAGE_E_PNG;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 1,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < size; y++) {
        fill_row(qr, scale, y, row, size);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int qrimage_write_png(const char *payload, const char *path, int scale)
{
    QRcode *qr = NULL;
    FILE *fp = NULL;
    png_bytep row = NULL;
    int size, rc;

    if (!payload || !payload[0] || !path || !path[0] || scale < 1 ||
        scale > QRIMAGE_SCALE_MAX)
        return QRIMAGE_E_ARG;
    qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);
    if (!qr)
        return QRIMAGE_E_ENCODE;
    size = (qr->width + 2 * QRIMAGE_QUIET_ZONE) * scale;
    row = malloc((size_t)(size + 7) / 8);
    if (!row) {
        rc = QRIMAGE_E_NOMEM;
        goto fail;
    }
    fp = fopen(path, "wb");
    if (!fp) {
        rc = QRIMAGE_E_IO;
        goto fail;
    }
    rc = write_png(fp, qr, scale, row, size);
    if (fclose(fp) != 0 && rc == 0)
        rc = QRIMAGE_E_IO;
    fp = NULL;
    if (rc != 0) {
        remove(path);
        goto fail;
    }
    free(row);
    QRcode_free(qr);
    return 0;
fail:
    free(row);
    QRcode_free(qr);
    return rc;
}
