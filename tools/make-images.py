#!/usr/bin/env python3
"""Draws the pictures of the sample site, webroot/images/.

    python3 tools/make-images.py

Needs nothing but Python 3's standard library: the PNG files are written with zlib and
struct, and the JPEG file with the small baseline encoder below (a DCT, the quality-scaled
quantisation tables of the JPEG standard, and Huffman tables built for this picture).

The pictures are drawn here from shapes and gradients: no third-party artwork. They are part
of this workbook and under its licence, MIT OR Apache-2.0.

This script documents how the files were made; it is not a build step. The tests use the
committed files, so rerun it only to change a picture, then look at the result and commit it.
Its output is meant to be the same on every run (a newer zlib could compress differently).

- images/request-response.png  a client, a server and the two messages of HTTP (RGB)
- images/sunset.jpg            a sunset over hills: smooth gradients, what JPEG is good at
- images/icons/server.png      a 32x32 icon of the server, on a transparent background (RGBA)
"""

import math
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "webroot" / "images"
NOTE = "Drawn by tools/make-images.py for the Web Protocols workbook; MIT OR Apache-2.0."

# ---------------------------------------------------------------------------------------------
# Drawing: a canvas of RGBA pixels, shapes sampled several times per pixel for smooth edges.


class Canvas:
    def __init__(self, width, height, background, samples=4):
        self.width, self.height, self.samples = width, height, samples
        self.pixels = [list(background) for _ in range(width * height)]

    def fill(self, shape, colour):
        """Paints `colour` (RGBA, alpha 0-255) over `shape`, a pair of a test `inside(x, y)`
        (x and y in pixels) and the box (x0, y0, x1, y1) that holds the shape."""
        inside, (x0, y0, x1, y1) = shape
        n = self.samples
        offsets = [(i + 0.5) / n for i in range(n)]
        for y in range(max(0, math.floor(y0)), min(self.height, math.ceil(y1))):
            for x in range(max(0, math.floor(x0)), min(self.width, math.ceil(x1))):
                hits = sum(inside(x + dx, y + dy) for dy in offsets for dx in offsets)
                if hits:
                    self.blend(x, y, colour, hits / (n * n))

    def blend(self, x, y, colour, coverage):
        pixel = self.pixels[y * self.width + x]
        a = colour[3] / 255 * coverage
        out_a = a + pixel[3] / 255 * (1 - a)
        for c in range(3):
            mixed = colour[c] * a + pixel[c] * (pixel[3] / 255) * (1 - a)
            pixel[c] = round(mixed / out_a) if out_a else 0
        pixel[3] = round(out_a * 255)

    def rows(self, channels):
        for y in range(self.height):
            row = self.pixels[y * self.width:(y + 1) * self.width]
            yield bytes(v for pixel in row for v in pixel[:channels])


def rect(x0, y0, x1, y1):
    return (lambda x, y: x0 <= x < x1 and y0 <= y < y1), (x0, y0, x1, y1)


def rounded(x0, y0, x1, y1, r):
    def inside(x, y):
        if not (x0 <= x < x1 and y0 <= y < y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return inside, (x0, y0, x1, y1)


def circle(cx, cy, r):
    return (lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r), (cx - r, cy - r, cx + r, cy + r)


def triangle(a, b, c):
    def side(p, q, x, y):
        return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])

    def inside(x, y):
        s = (side(a, b, x, y), side(b, c, x, y), side(c, a, x, y))
        return all(v >= 0 for v in s) or all(v <= 0 for v in s)
    xs, ys = (a[0], b[0], c[0]), (a[1], b[1], c[1])
    return inside, (min(xs), min(ys), max(xs), max(ys))


def rgba(hex_colour, alpha=255):
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF, alpha)


# The colours of the drawing. The testkit's browser tests look for TEAL and ORANGE in a
# screenshot of the page, so the page's own style must not use them.
INK = rgba("#263238")
TEAL = rgba("#00897b")
ORANGE = rgba("#f57c00")
SCREEN = rgba("#e0f2f1")
LIGHT = rgba("#b2dfdb")
BACKGROUND = rgba("#ffffff")


def draw_server(canvas, x, y, scale):
    """A server tower: a dark box with three drive bays and their lights."""
    s = scale
    canvas.fill(rounded(x, y, x + 22 * s, y + 30 * s, 2.5 * s), INK)
    for i in range(3):
        top = y + (4 + 8.5 * i) * s
        canvas.fill(rounded(x + 3 * s, top, x + 19 * s, top + 6 * s, 1 * s), LIGHT)
        canvas.fill(circle(x + 15.5 * s, top + 3 * s, 1.4 * s), TEAL)


def draw_laptop(canvas, x, y, scale):
    s = scale
    canvas.fill(rounded(x + 3 * s, y, x + 33 * s, y + 21 * s, 2 * s), INK)
    canvas.fill(rect(x + 5 * s, y + 2 * s, x + 31 * s, y + 19 * s), SCREEN)
    canvas.fill(rounded(x, y + 21 * s, x + 36 * s, y + 24.5 * s, 1.2 * s), INK)
    # A page on the screen: a heading bar and three lines of text.
    canvas.fill(rect(x + 8 * s, y + 5 * s, x + 20 * s, y + 7 * s), ORANGE)
    for i in range(3):
        top = y + (9.5 + 2.8 * i) * s
        canvas.fill(rect(x + 8 * s, top, x + (28 - 4 * i) * s, top + 1.2 * s), LIGHT)


def arrow(canvas, x0, x1, y, colour, thickness=6, head=16):
    """A horizontal arrow from x0 to x1 (either way round)."""
    direction = 1 if x1 > x0 else -1
    shaft_end = x1 - direction * head
    canvas.fill(rect(min(x0, shaft_end), y - thickness / 2, max(x0, shaft_end),
                     y + thickness / 2), colour)
    canvas.fill(triangle((x1, y), (shaft_end, y - head * 0.7), (shaft_end, y + head * 0.7)),
                colour)


def request_response():
    """The client asks (orange, left to right), the server answers (teal, right to left)."""
    canvas = Canvas(480, 104, BACKGROUND)
    draw_laptop(canvas, 20, 16, 3)
    draw_server(canvas, 394, 12, 2.6)
    arrow(canvas, 140, 380, 37, ORANGE)
    canvas.fill(rounded(214, 23, 306, 51, 6), ORANGE)  # the request, a little envelope
    canvas.fill(triangle((214, 25), (306, 25), (260, 41)), rgba("#ffb74d"))
    arrow(canvas, 380, 140, 78, TEAL)
    canvas.fill(rounded(222, 63, 298, 93, 4), TEAL)  # the response, a page
    for i in range(3):
        canvas.fill(rect(232, 70 + 7 * i, 288 - 12 * i, 73 + 7 * i), SCREEN)
    return canvas


def server_icon():
    canvas = Canvas(32, 32, (0, 0, 0, 0))
    draw_server(canvas, 5, 1, 1)
    return canvas


def sunset(width=320, height=200):
    """A photograph-like scene, as YCbCr-ready RGB rows: sky, sun, sea of hills."""
    horizon = 0.62 * height
    sun_x, sun_y, sun_r = 0.68 * width, 0.50 * height, 0.11 * height
    top, glow = (38, 50, 110), (250, 160, 80)
    hills = [  # (base height, amplitude, wavelength, phase, colour)
        (0.70, 0.06, 0.90, 0.3, (92, 58, 96)),
        (0.80, 0.05, 0.55, 1.7, (58, 38, 72)),
        (0.90, 0.04, 0.35, 4.1, (32, 24, 46)),
    ]
    pixels = []
    for y in range(height):
        for x in range(width):
            t = min(y / horizon, 1.0) ** 1.6
            colour = [top[c] + (glow[c] - top[c]) * t for c in range(3)]
            d = math.hypot(x - sun_x, y - sun_y)
            if d < sun_r * 3:  # the sun and the haze around it
                halo = max(0.0, 1 - d / (sun_r * 3)) ** 2 * 0.6
                disc = min(1.0, max(0.0, sun_r + 0.5 - d))
                colour = [v + (255 - v) * halo for v in colour]
                sun = (255, 236, 170)
                colour = [v + (sun[c] - v) * disc for c, v in enumerate(colour)]
            for base, amplitude, wavelength, phase, shade in hills:
                ridge = height * (base - amplitude * math.sin(x / (wavelength * width)
                                                              * math.tau + phase))
                cover = min(1.0, max(0.0, y - ridge + 0.5))
                colour = [v + (shade[c] - v) * cover for c, v in enumerate(colour)]
            pixels.append(tuple(min(255, max(0, round(v))) for v in colour))
    return width, height, pixels


# ---------------------------------------------------------------------------------------------
# PNG: a signature, then chunks (length, type, data, CRC-32): IHDR, tEXt, IDAT (the zlib
# stream of filtered rows), IEND.


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filtered(row, previous, bpp):
    """The five PNG filters of `row`; the one with the smallest sum of magnitudes wins."""
    candidates = []
    for kind in range(5):
        out = bytearray([kind])
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            predictor = (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]
            out.append((value - predictor) & 0xFF)
        candidates.append(out)
    return min(candidates, key=lambda f: sum(v if v < 128 else 256 - v for v in f[1:]))


def write_png(path, canvas, alpha):
    channels = 4 if alpha else 3
    data = bytearray()
    previous = bytes(canvas.width * channels)
    for row in canvas.rows(channels):
        data += filtered(row, previous, channels)
        previous = row
    header = struct.pack(">IIBBBBB", canvas.width, canvas.height, 8, 6 if alpha else 2, 0, 0, 0)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
           + chunk(b"tEXt", b"Comment\0" + NOTE.encode("ascii"))
           + chunk(b"IDAT", zlib.compress(bytes(data), 9)) + chunk(b"IEND", b""))
    path.write_bytes(png)


# ---------------------------------------------------------------------------------------------
# JPEG, baseline: 8x8 blocks of Y, Cb and Cr (no subsampling), each transformed by the DCT,
# divided by a quantisation table and written in zig-zag order with Huffman codes.

LUMA_TABLE = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]
CHROMA_TABLE = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
] + [99] * 32
# Zig-zag order walks the anti-diagonals, turning at the edges: down-left on odd ones.
ZIGZAG = sorted(range(64), key=lambda i: (i // 8 + i % 8,
                                          (i // 8) if (i // 8 + i % 8) % 2 else (i % 8)))
COS = [[math.cos((2 * x + 1) * u * math.pi / 16) for x in range(8)] for u in range(8)]


def scaled(table, quality):
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, (q * scale + 50) // 100)) for q in table]


def dct(block):
    """The 2-D DCT of a 64-value block (row-major), as in the JPEG standard."""
    def c(u):
        return math.sqrt(0.5) if u == 0 else 1.0
    rows = [[sum(block[y * 8 + x] * COS[u][x] for x in range(8)) for u in range(8)]
            for y in range(8)]
    return [c(u) * c(v) / 4 * sum(rows[y][u] * COS[v][y] for y in range(8))
            for v in range(8) for u in range(8)]


def category(value):
    return abs(value).bit_length()


def low_bits(value):
    size = category(value)
    return value if value >= 0 else value + (1 << size) - 1


def symbols_of(coefficients, previous_dc):
    """The (table, symbol, extra bits value, extra bits size) list of one block."""
    out = []
    diff = coefficients[0] - previous_dc
    out.append(("dc", category(diff), low_bits(diff), category(diff)))
    run = 0
    for value in coefficients[1:]:
        if value == 0:
            run += 1
            continue
        while run > 15:
            out.append(("ac", 0xF0, 0, 0))
            run -= 16
        out.append(("ac", (run << 4) | category(value), low_bits(value), category(value)))
        run = 0
    if run:
        out.append(("ac", 0x00, 0, 0))
    return out


def huffman_table(frequencies):
    """Code lengths for `frequencies` (symbol -> count), limited to 16 bits and never using
    the all-ones code, the way the JPEG standard's annex K builds them. Returns (counts of
    codes per length 1..16, symbols in code order)."""
    freq = [0] * 257
    for symbol, count in frequencies.items():
        freq[symbol] = count
    freq[256] = 1  # a reserved symbol takes the all-ones code, and is dropped at the end
    size = [0] * 257
    others = [-1] * 257
    while True:
        live = [s for s in range(257) if freq[s] > 0]
        if len(live) < 2:
            break
        # The two least frequent; on a tie the larger symbol, so the reserved one goes deepest.
        v1 = min(live, key=lambda s: (freq[s], -s))
        v2 = min((s for s in live if s != v1), key=lambda s: (freq[s], -s))
        freq[v1] += freq[v2]
        freq[v2] = 0
        for v in (v1, v2):
            size[v] += 1
            while others[v] >= 0:
                v = others[v]
                size[v] += 1
        while others[v1] >= 0:
            v1 = others[v1]
        others[v1] = v2
    bits = [0] * 33
    for s in range(257):
        if size[s]:
            bits[size[s]] += 1
    for i in range(32, 16, -1):
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2
            bits[i - 1] += 1
            bits[j + 1] += 2
            bits[j] -= 1
    longest = max(i for i in range(17) if bits[i])
    bits[longest] -= 1
    order = [s for length in range(1, 33) for s in range(256) if size[s] == length]
    return bits[1:17], order


def codes_of(counts, order):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            codes[order[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class BitWriter:
    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def write(self, value, size):
        self.acc = (self.acc << size) | (value & ((1 << size) - 1))
        self.n += size
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)  # byte stuffing: 0xFF in the data is followed by 0x00
        self.acc &= (1 << self.n) - 1

    def finish(self):
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with one bits
        return bytes(self.out)


def segment(marker, data):
    return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data


def write_jpeg(path, width, height, pixels, quality=80):
    assert width % 8 == 0 and height % 8 == 0, "whole blocks keep the encoder short"
    tables = [scaled(LUMA_TABLE, quality), scaled(CHROMA_TABLE, quality)]
    planes = [[], [], []]
    for r, g, b in pixels:
        planes[0].append(0.299 * r + 0.587 * g + 0.114 * b - 128)
        planes[1].append(-0.168736 * r - 0.331264 * g + 0.5 * b)
        planes[2].append(0.5 * r - 0.418688 * g - 0.081312 * b)
    blocks = []  # (component, symbols) in interleaved order: Y, Cb, Cr of each 8x8 square
    dc = [0, 0, 0]
    for by in range(0, height, 8):
        for bx in range(0, width, 8):
            for component, plane in enumerate(planes):
                block = [plane[(by + y) * width + bx + x] for y in range(8) for x in range(8)]
                table = tables[min(component, 1)]
                coefficients = dct(block)
                quantised = [round(coefficients[i] / table[i]) for i in ZIGZAG]
                blocks.append((component, symbols_of(quantised, dc[component])))
                dc[component] = quantised[0]
    # Count the symbols of each table (luma: tables 0, chroma: tables 1), then build codes.
    frequencies = {(kind, t): {} for kind in ("dc", "ac") for t in (0, 1)}
    for component, symbols in blocks:
        for kind, symbol, _, _ in symbols:
            counts = frequencies[(kind, min(component, 1))]
            counts[symbol] = counts.get(symbol, 0) + 1
    huffman = {key: huffman_table(counts) for key, counts in frequencies.items()}
    codes = {key: codes_of(*table) for key, table in huffman.items()}
    writer = BitWriter()
    for component, symbols in blocks:
        for kind, symbol, extra, size in symbols:
            code, length = codes[(kind, min(component, 1))][symbol]
            writer.write(code, length)
            if size:
                writer.write(extra, size)
    out = bytearray(b"\xff\xd8")  # start of image
    out += segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += segment(0xFE, NOTE.encode("ascii"))
    for t, table in enumerate(tables):
        out += segment(0xDB, bytes([t]) + bytes(table[i] for i in ZIGZAG))
    out += segment(0xC0, struct.pack(">BHHB", 8, height, width, 3)
                   + bytes([1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]))
    for (kind, t), (counts, order) in huffman.items():
        out += segment(0xC4, bytes([(0 if kind == "dc" else 0x10) | t]) + bytes(counts)
                       + bytes(order))
    out += segment(0xDA, bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]))
    out += writer.finish()
    out += b"\xff\xd9"  # end of image
    path.write_bytes(out)


def main():
    (IMAGES / "icons").mkdir(parents=True, exist_ok=True)
    write_png(IMAGES / "request-response.png", request_response(), alpha=False)
    write_png(IMAGES / "icons" / "server.png", server_icon(), alpha=True)
    write_jpeg(IMAGES / "sunset.jpg", *sunset())
    for path in sorted(IMAGES.rglob("*.*")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
