/*
 * qrimage.h: render a QR payload (e.g. a VietQR string) to a PNG file with
 * libqrencode and libpng: error-correction level M, 8-bit (byte) mode, a
 * 4-module quiet zone, black modules on white, `scale` pixels per module.
 */
#ifndef CHOPAY_QRIMAGE_H
#define CHOPAY_QRIMAGE_H

#define QRIMAGE_QUIET_ZONE 4  /* modules of white border on each side */
#define QRIMAGE_SCALE_MAX  64 /* pixels per module, upper bound */

enum qrimage_error {
    QRIMAGE_OK = 0,
    QRIMAGE_E_ARG = -1,    /* NULL/empty payload or path, scale out of range */
    QRIMAGE_E_ENCODE = -2, /* libqrencode refused (e.g. payload too long) */
    QRIMAGE_E_IO = -3,     /* cannot create or write the file */
    QRIMAGE_E_PNG = -4,    /* libpng failed */
    QRIMAGE_E_NOMEM = -5,  /* out of memory */
};

/*
 * Write `payload` (NUL-terminated, encoded as bytes) as a QR code PNG to
 * `path`, `scale` (1..QRIMAGE_SCALE_MAX) pixels per module. The image is
 * (modules + 2 * QRIMAGE_QUIET_ZONE) * scale pixels square, 1-bit
 * grayscale. Returns 0 or a negative enum qrimage_error; on error no file
 * is left at `path` (an existing file there may have been replaced).
 */
int qrimage_write_png(const char *payload, const char *path, int scale);

/* A short English explanation of a qrimage_write_png() return value. */
const char *qrimage_strerror(int rc);

#endif
