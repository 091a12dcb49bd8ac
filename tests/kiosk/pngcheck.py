#!/usr/bin/env python3
"""pngcheck.py: pixel checks on the kiosk's screenshots, without PIL.
Decodes 8-bit RGB/RGBA non-interlaced PNGs (what SDL_image writes).

  pngcheck.py size FILE                    -> "W H"
  pngcheck.py frac FILE X0 Y0 X1 Y1 R G B TOL
        fraction (0..1) of pixels in the box within TOL of colour R,G,B
  pngcheck.py ink FILE X0 Y0 X1 Y1 R G B TOL
        fraction of pixels in the box NOT within TOL of R,G,B (text drawn)
  pngcheck.py bw FILE X0 Y0 X1 Y1
        fraction of pixels in the box that are pure black or pure white
  pngcheck.py blob FILE R G B TOL
        the largest 4-connected area of pixels within TOL of R,G,B:
        "CX CY W H N" (centre, size and pixel count; "0 0 0 0 0" if none),
        e.g. where a person would tap a button of that colour
Boxes are fractions of the width/height (0..1), so checks hold at any size.
"""
import struct
import sys
import zlib


def load(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG: " + path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or ctype not in (2, 6) or inter:
                raise SystemExit("unsupported PNG format")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def box(w, h, a):
    x0, y0, x1, y1 = (float(v) for v in a)
    return int(x0 * w), int(y0 * h), max(int(x1 * w), 1), max(int(y1 * h), 1)


def pixels(img, b):
    w, h, bpp, rows = img
    x0, y0, x1, y1 = b
    for y in range(y0, min(y1, h)):
        row = rows[y]
        for x in range(x0, min(x1, w)):
            i = x * bpp
            yield row[i], row[i + 1], row[i + 2]


def blob(img, r, g, b, tol):
    w, h, bpp, rows = img
    mask = bytearray(w * h)
    for y in range(h):
        row = rows[y]
        for x in range(w):
            i = x * bpp
            if (abs(row[i] - r) <= tol and abs(row[i + 1] - g) <= tol and
                    abs(row[i + 2] - b) <= tol):
                mask[y * w + x] = 1
    best = (0, 0, 0, 0, 0)
    for start in range(w * h):
        if mask[start] != 1:
            continue
        mask[start] = 2
        stack, n = [start], 0
        x0, y0, x1, y1 = w, h, -1, -1
        while stack:
            p = stack.pop()
            n += 1
            x, y = p % w, p // w
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
            for q in ((p - 1) if x > 0 else -1, (p + 1) if x < w - 1 else -1,
                      p - w, p + w):
                if 0 <= q < w * h and mask[q] == 1:
                    mask[q] = 2
                    stack.append(q)
        if n > best[4]:
            best = ((x0 + x1) // 2, (y0 + y1) // 2, x1 - x0 + 1, y1 - y0 + 1,
                    n)
    return best


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    img = load(path)
    w, h = img[0], img[1]
    if cmd == "size":
        print(w, h)
        return
    if cmd == "blob":
        print(*blob(img, *(int(v) for v in sys.argv[3:7])))
        return
    b = box(w, h, sys.argv[3:7])
    n = hit = 0
    if cmd in ("frac", "ink"):
        r, g, bl, tol = (int(v) for v in sys.argv[7:11])
        for p in pixels(img, b):
            n += 1
            near = (abs(p[0] - r) <= tol and abs(p[1] - g) <= tol and
                    abs(p[2] - bl) <= tol)
            hit += near if cmd == "frac" else not near
    elif cmd == "bw":
        for p in pixels(img, b):
            n += 1
            hit += p in ((0, 0, 0), (255, 255, 255))
    else:
        raise SystemExit("unknown command " + cmd)
    print("%.4f" % (hit / n if n else 0.0))


if __name__ == "__main__":
    main()
