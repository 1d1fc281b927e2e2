"""A small QR reader for the tests (versions 1-6, byte mode), written from ISO/IEC 18004 and
independent of the encoder: format bits (BCH-checked), unmasking, the zig-zag walk, block
de-interleaving, the byte segment. It reads a PNG drawn at a known scale and quiet zone."""
from __future__ import annotations

import io

from PIL import Image

# version -> level -> (EC codewords a block, [(blocks, data codewords a block), ...])
BLOCKS = {
    1: {"L": (7, [(1, 19)]), "M": (10, [(1, 16)]), "Q": (13, [(1, 13)]), "H": (17, [(1, 9)])},
    2: {"L": (10, [(1, 34)]), "M": (16, [(1, 28)]), "Q": (22, [(1, 22)]), "H": (28, [(1, 16)])},
    3: {"L": (15, [(1, 55)]), "M": (26, [(1, 44)]), "Q": (18, [(2, 17)]), "H": (22, [(2, 13)])},
    4: {"L": (20, [(1, 80)]), "M": (18, [(2, 32)]), "Q": (26, [(2, 24)]), "H": (16, [(4, 9)])},
    5: {"L": (26, [(1, 108)]), "M": (24, [(2, 43)]), "Q": (18, [(2, 15), (2, 16)]), "H": (22, [(2, 11), (2, 12)])},
    6: {"L": (18, [(2, 68)]), "M": (16, [(4, 27)]), "Q": (24, [(4, 19)]), "H": (28, [(4, 15)])},
}
LEVELS = {1: "L", 0: "M", 3: "Q", 2: "H"}
MASKS = [lambda i, j: (i + j) % 2 == 0, lambda i, j: i % 2 == 0, lambda i, j: j % 3 == 0,
         lambda i, j: (i + j) % 3 == 0, lambda i, j: (i // 2 + j // 3) % 2 == 0,
         lambda i, j: (i * j) % 2 + (i * j) % 3 == 0, lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
         lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0]


def modules(png: bytes, scale: int, border: int) -> list[list[int]]:
    """The dark (1) and light (0) modules of a QR PNG, sampled at each module's centre."""
    img = Image.open(io.BytesIO(png)).convert("L")
    n = img.width // scale - 2 * border
    return [[int(img.getpixel(((border + j) * scale + scale // 2, (border + i) * scale + scale // 2)) < 128)
             for j in range(n)] for i in range(n)]


def _format(m) -> tuple[str, int]:
    cells = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, 14 - i) for i in range(9, 15)]
    raw = sum(m[r][c] << k for k, (r, c) in enumerate(cells)) ^ 0x5412
    data = raw >> 10
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    assert rem & 0x3FF == raw & 0x3FF, "format bits fail their BCH check"
    return LEVELS[data >> 3], data & 7


def _function(n: int, version: int) -> list[list[bool]]:
    f = [[False] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            f[i][j] = (i < 9 and j < 9) or (i < 9 and j >= n - 8) or (i >= n - 8 and j < 9) or i == 6 or j == 6
    if version >= 2:
        p = n - 7
        for i in range(p - 2, p + 3):
            for j in range(p - 2, p + 3):
                f[i][j] = True
    return f


def read(m: list[list[int]]) -> str:
    """The text of a QR code's modules (``m[row][col]``, no quiet zone)."""
    n = len(m)
    version = (n - 17) // 4
    assert n == 17 + 4 * version and version in BLOCKS, f"size {n} is not a version 1-6 symbol"
    level, mask = _format(m)
    f = _function(n, version)
    bits = []
    right = n - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(n):
            for k in range(2):
                j = right - k
                i = n - 1 - vert if ((right + 1) & 2) == 0 else vert
                if not f[i][j]:
                    bits.append(m[i][j] ^ int(MASKS[mask](i, j)))
        right -= 2
    words = [int("".join(map(str, bits[k:k + 8])), 2) for k in range(0, len(bits) - 7, 8)]
    _, groups = BLOCKS[version][level]
    sizes = [d for count, d in groups for _ in range(count)]
    blocks, it = [[] for _ in sizes], iter(words)
    for k in range(max(sizes)):
        for b, size in enumerate(sizes):
            if k < size:
                blocks[b].append(next(it))
    stream = "".join(f"{w:08b}" for b in blocks for w in b)
    assert stream[:4] == "0100", f"mode {stream[:4]} is not byte mode"
    length = int(stream[4:12], 2)
    return bytes(int(stream[12 + 8 * k:20 + 8 * k], 2) for k in range(length)).decode()
