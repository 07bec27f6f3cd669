#!/usr/bin/env python3
"""Draws the package icon (src/ParamikoJump/icon.png, 128x128): three hops joined left to right, the middle one a
bastion with a shield, on a rounded square. Standard library only: python3 docs/package/make-icon.py"""
import math
import os
import struct
import zlib

SIZE, SCALE = 128, 4                      # drawn 4x larger, then averaged down: smooth edges
N = SIZE * SCALE
BACKGROUND = (20, 52, 94)
LINK = (120, 180, 235)
HOP = (255, 255, 255)
BASTION = (255, 176, 32)


def inside_rounded_square(x, y, radius):
    cx = min(max(x, radius), N - radius)
    cy = min(max(y, radius), N - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def distance_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


hops = [(0.18, 0.62), (0.50, 0.38), (0.82, 0.62)]
hops = [(x * N, y * N) for x, y in hops]
hop_radius, bastion_radius, link_width = 0.085 * N, 0.125 * N, 0.035 * N


def colour(x, y):
    if not inside_rounded_square(x, y, 0.2 * N):
        return None
    (ax, ay), (bx, by), (cx, cy) = hops
    if math.hypot(x - bx, y - by) <= bastion_radius:
        # a shield on the bastion: a pointed arch in the background colour
        sx, sy = (x - bx) / bastion_radius, (y - by) / bastion_radius
        if abs(sx) <= 0.45 and -0.5 <= sy <= 0.55 - abs(sx) * 0.9:
            return BACKGROUND
        return BASTION
    for hx, hy in (hops[0], hops[2]):
        if math.hypot(x - hx, y - hy) <= hop_radius:
            return HOP
    if min(distance_to_segment(x, y, ax, ay, bx, by), distance_to_segment(x, y, bx, by, cx, cy)) <= link_width / 2:
        return LINK
    return BACKGROUND


rows = []
for row in range(SIZE):
    line = bytearray([0])
    for column in range(SIZE):
        r = g = b = a = 0
        for sy in range(SCALE):
            for sx in range(SCALE):
                c = colour(column * SCALE + sx + 0.5, row * SCALE + sy + 0.5)
                if c:
                    r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
        n = SCALE * SCALE
        line += bytes([r // a, g // a, b // a, 255 * a // n] if a else [0, 0, 0, 0])
    rows.append(bytes(line))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "ParamikoJump", "icon.png")
with open(target, "wb") as f:
    f.write(png)
print(os.path.normpath(target), len(png), "bytes")
