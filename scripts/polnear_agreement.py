#!/usr/bin/env python3
"""How often PolNeAR's annotators agree on who said a quotation: the
human side of the quote stage's speaker accuracy.

    python3 scripts/polnear_agreement.py ../shared/data/polnear/train

Some articles of a split were annotated by several people (16 of train's
840 by all six annotators). For every ordered pair of annotators (A, B)
of such an article, each of A's attributions whose content carries a
quotation mark and has a Source is scored as `eval quotes` scores a
prediction against B as gold: it counts when it overlaps a quoted content
of B that has a Source, and is right when A's Source overlaps one of those
Sources. Prints the pooled agreement and each annotator's agreement with
the others. The quotation marks and the "carries a mark" test (a mark
inside the content or right beside it) are those of
`src/eval/quotes.rs`. Standard library only.
"""

from __future__ import annotations

import collections
import os
import sys

MARKS = set("“”\"«»„‘")

Pieces = list[tuple[int, int]]


def parse(ann: str, text: str) -> list[tuple[Pieces, Pieces | None, bool]]:
    """(content, source, quoted) of every attribution of a brat file."""
    spans: dict[str, tuple[Pieces, bool]] = {}
    out = []
    for line in ann.splitlines():
        if "\t" not in line:
            continue
        ident, rest = line.split("\t", 1)
        if ident.startswith("T"):
            kind_and_offsets = rest.split("\t")[0].split(" ", 1)
            pieces = []
            for piece in kind_and_offsets[1].split(";"):
                start_end = piece.split()
                if len(start_end) >= 2:
                    pieces.append((int(start_end[0]), int(start_end[1])))
            quoted = any(
                any(c in MARKS for c in text[max(s - 1, 0) : min(e + 1, len(text))])
                for s, e in pieces
            )
            spans[ident] = (pieces, quoted)
        elif ident.startswith("E"):
            content = source = None
            for arg in rest.split():
                if arg.startswith("Content:"):
                    content = spans.get(arg[len("Content:") :])
                elif arg.startswith("Source:"):
                    source = spans.get(arg[len("Source:") :])
            if content:
                out.append((content[0], source[0] if source else None, content[1]))
    return out


def overlap(a: Pieces, b: Pieces) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def main(splits: list[str]) -> None:
    right: collections.Counter[str] = collections.Counter()
    scored: collections.Counter[str] = collections.Counter()
    articles = 0
    for split in splits:
        files = collections.defaultdict(list)
        for name in sorted(os.listdir(os.path.join(split, "attributions"))):
            if name.endswith(".ann"):
                files[name.rsplit("_", 1)[0]].append(name)
        for article, names in sorted(files.items()):
            if len(names) < 2:
                continue
            articles += 1
            with open(os.path.join(split, "text", article + ".txt"), encoding="utf-8") as f:
                text = f.read()
            by = {}
            for name in names:
                with open(os.path.join(split, "attributions", name), encoding="utf-8") as f:
                    by[name.rsplit("_", 1)[1][: -len(".ann")]] = parse(f.read(), text)
            for a, predicted in by.items():
                for b, gold in by.items():
                    if a == b:
                        continue
                    for content, source, quoted in predicted:
                        if not quoted or source is None:
                            continue
                        sources = [g[1] for g in gold if g[2] and g[1] and overlap(content, g[0])]
                        if not sources:
                            continue
                        scored[a] += 1
                        right[a] += any(overlap(source, s) for s in sources)
    total_right, total = sum(right.values()), sum(scored.values())
    print(
        f"{articles} articles with several annotators; speaker agreement on quoted contents, "
        f"all ordered pairs: {total_right / max(total, 1):.4f} ({total_right}/{total})"
    )
    for a in sorted(scored):
        print(f"  {a} against the others: {right[a] / scored[a]:.4f} ({right[a]}/{scored[a]})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
