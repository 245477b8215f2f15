#!/usr/bin/env python3
"""Quotes the service finds on real web pages it was not trained for, for
judging by hand (docs/quotes.md, "Out of domain").

Runs `newsenrich enrich --html` over every page of the trafilatura
evaluation set (../shared/data/trafilatura-eval), keeps the pages detected
as English, and prints how many quotes they give, then a seeded random
sample of the quotes from news sites (the hosts listed in NEWS below, and
the "hard::" pages of news outlets) as numbered lines: kind, speaker, E when
the speaker resolved to an entity, cue, confidence and the quote's first
60 characters. The sample is the same on every run for the same binary, so
a judgement of it can be checked by someone else.

    cargo build --release
    python3 scripts/quotes_on_pages.py target/release/newsenrich [--all] [--speech]

With --all the sample is drawn from the quotes of every English page
instead of the news sites' only; with --speech from the quotes of
confidence 0.5 and up only (reported speech, attitudes left out).
"""

import json
import os
import random
import re
import subprocess
import sys

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "trafilatura-eval")

# News outlets among the English pages of the set (hosts without "www.").
NEWS = set(
    """abc13.com abc7news.com axios.com bbc.com bostonherald.com californiaglobe.com cbsnews.com
    citylimits.org corkbeo.ie dailymail.co.uk economist.com edition.cnn.com fivethirtyeight.com
    gothamist.com harpers.org independent.co.uk japantimes.co.jp kaieteurnewsonline.com kxan.com
    latimes.com metrotimes.com miamitodaynews.com msn.com newrepublic.com nymag.com nytimes.com
    observer.com phillyvoice.com politico.com reuters.com salon.com standard.co.uk telegraph.co.uk
    theatlantic.com theguardian.com theintercept.com thelocal.se timesofisrael.com twincities.com
    vancouversun.com vice.com viconsortium.com villagevoice.com wired.com wsvn.com theverge.com
    threatpost.com phys.org""".split()
)
HARD_NEWS = [
    "dw.com", "mercurynews", "jamaica", "nationnews", "stluciatimes", "haitiantimes",
    "breakingbelize", "nowgrenada", "stkittsnevis",
]


def host(url):
    return re.sub(r"^https?://(www\.)?", "", url).split("/")[0]


def is_news(url):
    if url.startswith("hard::"):
        return any(h in url for h in HARD_NEWS)
    return host(url) in NEWS


def main():
    binary = sys.argv[1]
    every = "--all" in sys.argv[2:]
    speech = "--speech" in sys.argv[2:]
    with open(os.path.join(DATA, "evaldata.json")) as f:
        pages = json.load(f)
    files = []
    for url, page in pages.items():
        for folder in ("cache", "eval"):
            path = os.path.join(DATA, folder, page["file"])
            if os.path.exists(path):
                files.append((url, path))
                break
    english, quotes, sampled = 0, 0, []
    for i in range(0, len(files), 50):
        chunk = files[i : i + 50]
        out = subprocess.run(
            [binary, "enrich", "--html"] + [p for _, p in chunk],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        for (url, _), line in zip(chunk, out):
            record = json.loads(line)
            if not record.get("language", "").startswith("en"):
                continue
            english += 1
            kept = [
                q for q in record.get("quotes", []) if not speech or q.get("confidence", 0) >= 0.5
            ]
            quotes += len(kept)
            if every or is_news(url):
                sampled.extend(kept)
    what = "quotes of 0.5 and up" if speech else "quotes"
    print(f"{english} English pages, {quotes} {what}; {len(sampled)} to sample from")
    random.seed(7 if every else 11)
    for n, q in enumerate(random.sample(sampled, min(len(sampled), 120 if every else 100)), 1):
        print(
            n, q["kind"][len("QUOTE_KIND_"):][:3], repr(q.get("speaker", "")),
            "E" if q.get("speakerEntityId") else "-", q.get("cue", ""),
            round(q.get("confidence", 0), 2), q["text"][:60].replace("\n", " "), sep="\t",
        )


if __name__ == "__main__":
    main()
