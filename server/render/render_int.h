/*
 * render_int.h: what the renderers in server/render/ share and nobody
 * else sees: the loaded fonts, a page being drawn (one cairo_t whatever
 * the backend), text and QR drawing helpers in page coordinates.
 */
#ifndef CHOPAY_RENDER_INT_H
#define CHOPAY_RENDER_INT_H

#include <cairo.h>

#include "render.h"

/* Every layout is designed on an A6 page (298 x 420 pt) and scaled. */
#define PAGE_W 297.64
#define PAGE_H 419.53

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* One page being drawn. */
struct page {
    cairo_surface_t *surface; /* image (PNG) or PDF surface */
    cairo_t *cr;              /* the context every layout draws with */
    int raster;               /* 1 for PNG: snap QR modules to pixels */
    struct render_buf buf;    /* the PNG/PDF bytes as they are written */
    size_t cap;               /* allocated bytes at buf.data */
    int overflow;             /* 1 when buf would pass RENDER_OUT_MAX */
};

/* Start a page for `o` (validated here), scaled so that layouts draw in
 * A6 points; `title` goes into the PDF metadata. 0 or an error. */
int page_begin(struct page *p, const struct render_opts *o, const char *title);
/* Finish the page: the PNG/PDF bytes go to the file `path` (written to a
 * temporary file, then renamed) when path is not NULL, else into *out.
 * Frees everything else in p, on error too. */
int page_end(struct page *p, const char *path, struct render_buf *out);
/* Free everything after an error in between. */
void page_abort(struct page *p);

/* Select DejaVu Sans (bold or not) at `size` pt. 0 or RENDER_E_FONT. */
int font_use(cairo_t *cr, int bold, double size);
/* Width in user units of `s` in the current font. */
double text_width(cairo_t *cr, const char *s);
/* Draw `s` with its baseline at y, aligned on x; shrinks the size (down
 * to min_size) so that it fits max_w, then cuts with "…" if still too
 * long. */
void text_fit(cairo_t *cr, const char *s, double x, double y, double max_w,
              enum align a, int bold, double size, double min_size);
/* Word-wrap `s` into at most max_lines lines of max_w, baselines from y,
 * `leading` apart. Returns the baseline after the last line. */
double text_wrap(cairo_t *cr, const char *s, double x, double y, double max_w,
                 enum align a, int bold, double size, double leading,
                 int max_lines);

/* Draw `payload` as a QR code (ECL M, byte mode, 4-module quiet zone on
 * a white square) with top-left (x, y) and side `side` in user units.
 * Returns 0 or RENDER_E_QR. */
int qr_draw(struct page *p, const char *payload, double x, double y,
            double side);

/* 0 when s is valid UTF-8 of at most RENDER_TEXT_MAX bytes, else
 * RENDER_E_ARG (so that no label built from it is ever cut). */
int utf8_ok(const char *s);

#endif
