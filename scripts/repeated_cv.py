#!/usr/bin/env python3
"""Repeat a trainer's cross-validation over several fold assignments and
print one row of its table per seed and the mean.

    python3 scripts/repeated_cv.py --seeds 5 --row "margin 0.25" -- \\
        target/release/newsenrich train quotes --train ../shared/data/polnear/train --cv 5

The command after `--` is run once per seed with `--fold-seed S` appended
(S = 0 .. N-1; seed 0 is the split every single-run figure in docs/ uses).
The first line of its output that starts with `--row` is kept; every
number on it is averaged over the seeds (counts too, as means). Any
`newsenrich train` command with `--cv` works: content, text-content, cues,
speech, quotes. Standard library only; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

# A number that is not part of a word ("F1" is a label, not a 1).
NUMBER = re.compile(r"(?<![A-Za-z0-9.])-?\d+(?:\.\d+)?(?![A-Za-z0-9])")


def row_of(output: str, label: str) -> str:
    """The first line of `output` that starts with `label`."""
    for line in output.splitlines():
        if line.startswith(label):
            return line
    raise SystemExit(f"no row starting with {label!r} in the output:\n{output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="fold assignments 0..N-1 (default 5)")
    parser.add_argument("--row", required=True, help="the label the table row starts with")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the trainer command with --cv K")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or "--cv" not in command:
        parser.error("give the trainer command after --, with --cv K")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")

    rows: list[list[float]] = []
    width = len(args.row)
    for seed in range(args.seeds):
        run = subprocess.run(
            command + ["--fold-seed", str(seed)], capture_output=True, text=True
        )
        if run.returncode != 0:
            sys.stderr.write(run.stdout + run.stderr)
            raise SystemExit(f"seed {seed}: the command failed ({run.returncode})")
        line = row_of(run.stdout, args.row)
        # Numbers after the label only (labels hold numbers too: "margin 0.25").
        numbers = [float(n) for n in NUMBER.findall(line[width:])]
        rows.append(numbers)
        print(f"seed {seed}: {line}", flush=True)
    if any(len(r) != len(rows[0]) for r in rows):
        raise SystemExit("the row has a different shape under different seeds")
    means = [sum(col) / len(col) for col in zip(*rows)]
    spread = [max(col) - min(col) for col in zip(*rows)]
    print(f"mean of {args.seeds}: " + " ".join(f"{m:.4f}" for m in means))
    print(f"range of {args.seeds}: " + " ".join(f"{s:.4f}" for s in spread))


if __name__ == "__main__":
    main()
