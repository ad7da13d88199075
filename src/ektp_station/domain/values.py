"""The enumerated fields' value lists and the mapping of common spellings onto them.

Labels come from ``resources/data/value_lists.csv`` (as SIAK spells them), in official order.
Two deliberate departures from the file: agama 7 is labelled
``KEPERCAYAAN TERHADAP TUHAN YME`` (the file adds "/ Lainnya"), and ``citizenship`` offers only
WNI and WNA (a KTP-el cannot record dual citizenship; see :data:`DUAL_CITIZENSHIP`).
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from typing import Final

from ektp_station.resources import resource_path

__all__ = [
    "DUAL_CITIZENSHIP",
    "ENUM_FIELDS",
    "MARRIED_OR_EVER_MARRIED",
    "canonical_value",
    "value_list",
]

# record field -> list name in value_lists.csv
ENUM_FIELDS: Final[dict[str, str]] = {
    "sex": "jenis_kelamin",
    "blood_type": "golongan_darah",
    "religion": "agama",
    "marital_status": "status_perkawinan",
    "occupation": "pekerjaan",
    "citizenship": "kewarganegaraan",
}

DUAL_CITIZENSHIP: Final = "DUA KEWARGANEGARAAN"
BLOOD_UNKNOWN: Final = "TIDAK TAHU"
KEPERCAYAAN: Final = "KEPERCAYAAN TERHADAP TUHAN YME"
MARRIED_OR_EVER_MARRIED: Final = frozenset({"KAWIN", "CERAI HIDUP", "CERAI MATI"})

_LABEL_OVERRIDES: Final[dict[tuple[str, str], str]] = {("agama", "7"): KEPERCAYAAN}
_EXCLUDED: Final[dict[str, frozenset[str]]] = {"citizenship": frozenset({DUAL_CITIZENSHIP})}

# Alternative spellings, keyed by their loose form (see _loose), per field.
_ALIASES: Final[dict[str, dict[str, str]]] = {
    "sex": {
        "L": "LAKI-LAKI",
        "LK": "LAKI-LAKI",
        "LAKI": "LAKI-LAKI",
        "LAKI2": "LAKI-LAKI",
        "PRIA": "LAKI-LAKI",
        "COWOK": "LAKI-LAKI",
        "MALE": "LAKI-LAKI",
        "M": "LAKI-LAKI",
        "P": "PEREMPUAN",
        "PR": "PEREMPUAN",
        "WANITA": "PEREMPUAN",
        "CEWEK": "PEREMPUAN",
        "FEMALE": "PEREMPUAN",
        "F": "PEREMPUAN",
    },
    "blood_type": {
        "-": BLOOD_UNKNOWN,
        "--": BLOOD_UNKNOWN,
        "?": BLOOD_UNKNOWN,
        "TIDAKDIKETAHUI": BLOOD_UNKNOWN,
        "TDKTAHU": BLOOD_UNKNOWN,
        "TIDAKTAU": BLOOD_UNKNOWN,
        "BELUMTAHU": BLOOD_UNKNOWN,
        "UNKNOWN": BLOOD_UNKNOWN,
        "0": "O",
        "0+": "O+",
        "0-": "O-",
    },
    "religion": {
        "KATOLIK": "KATHOLIK",
        "KRISTENKATOLIK": "KATHOLIK",
        "KRISTENKATHOLIK": "KATHOLIK",
        "PROTESTAN": "KRISTEN",
        "KRISTENPROTESTAN": "KRISTEN",
        "BUDDHA": "BUDHA",
        "BUDA": "BUDHA",
        "KONGHUCU": "KHONGHUCU",
        "KONGHUCHU": "KHONGHUCU",
        "KHONGHUCHU": "KHONGHUCU",
        "KONGHUTSU": "KHONGHUCU",
        "KEPERCAYAAN": KEPERCAYAAN,
        "KEPERCAYAANTERHADAPTUHANYANGMAHAESA": KEPERCAYAAN,
        "KEPERCAYAANTERHADAPTUHANYMELAINNYA": KEPERCAYAAN,
        "LAINNYA": KEPERCAYAAN,
    },
    "marital_status": {
        "BELUMMENIKAH": "BELUM KAWIN",
        "LAJANG": "BELUM KAWIN",
        "MENIKAH": "KAWIN",
        "SUDAHKAWIN": "KAWIN",
        "SUDAHMENIKAH": "KAWIN",
    },
    "occupation": {
        "BELUMBEKERJA": "BELUM/TIDAK BEKERJA",
        "TIDAKBEKERJA": "BELUM/TIDAK BEKERJA",
        "IRT": "MENGURUS RUMAH TANGGA",
        "IBURUMAHTANGGA": "MENGURUS RUMAH TANGGA",
        "PELAJAR": "PELAJAR/MAHASISWA",
        "MAHASISWA": "PELAJAR/MAHASISWA",
        "PNS": "PEGAWAI NEGERI SIPIL (PNS)",
        "PEGAWAINEGERISIPIL": "PEGAWAI NEGERI SIPIL (PNS)",
        "TNI": "TENTARA NASIONAL INDONESIA (TNI)",
        "POLRI": "KEPOLISIAN RI (POLRI)",
        "PETANI": "PETANI/PEKEBUN",
        "NELAYAN": "NELAYAN/PERIKANAN",
        "SWASTA": "KARYAWAN SWASTA",
        "WIRAUSAHA": "WIRASWASTA",
        "SUPIR": "SOPIR",
    },
    "citizenship": {
        "INDONESIA": "WNI",
        "WARGANEGARAINDONESIA": "WNI",
        "ASING": "WNA",
        "WARGANEGARAASING": "WNA",
        "GANDA": DUAL_CITIZENSHIP,
        "DWIKEWARGANEGARAAN": DUAL_CITIZENSHIP,
    },
}

_SEPARATORS = re.compile(r"[\s\-/.,()']+")
_SPACES = re.compile(r"\s+")


def _loose(field: str, text: str) -> str:
    """A comparison key: uppercase, without spaces (and without punctuation, except for blood
    types, where + and - carry meaning)."""
    text = text.upper()
    if field == "blood_type":
        return _SPACES.sub("", text).replace("POSITIF", "+").replace("NEGATIF", "-")
    return _SEPARATORS.sub("", text) or text.strip()


@cache
def _raw_lists() -> dict[str, tuple[tuple[str, str], ...]]:
    """list name -> ((code, label), ...) in file order."""
    lists: dict[str, list[tuple[str, str]]] = {}
    with resource_path("data", "value_lists.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name, code = row["list"], row["code"]
            label = _LABEL_OVERRIDES.get((name, code), row["name"].strip().upper())
            lists.setdefault(name, []).append((code, label))
    return {name: tuple(items) for name, items in lists.items()}


@cache
def value_list(name: str) -> tuple[str, ...]:
    """Canonical labels of one enumerated field ("religion", "sex", ...), in official order.

    Raises ``KeyError`` for a name that is not an enumerated field.
    """
    items = _raw_lists()[ENUM_FIELDS[name]]
    excluded = _EXCLUDED.get(name, frozenset())
    return tuple(label for _, label in items if label not in excluded)


@cache
def _lookup(field: str) -> dict[str, str]:
    """loose key -> canonical label, for one field (labels, list codes where allowed, aliases)."""
    table: dict[str, str] = {}
    for _, label in _raw_lists()[ENUM_FIELDS[field]]:
        table[_loose(field, label)] = label
    if field == "occupation":  # the F-1.01 form's numbers: "88" -> WIRASWASTA
        for code, label in _raw_lists()[ENUM_FIELDS[field]]:
            table[code] = label
    for alias, label in _ALIASES.get(field, {}).items():
        table.setdefault(alias, label)
    return table


@lru_cache(maxsize=4096)  # a few spellings of a few labels: the centre sees them all day
def canonical_value(field: str, text: str) -> str:
    """The canonical label for ``text`` in ``field``'s list; when nothing matches, ``text``
    uppercased with its spaces collapsed (validation then reports it). Never raises."""
    tidy = _SPACES.sub(" ", text).strip().upper()
    if not tidy:
        return ""
    key = _loose(field, tidy)
    if field == "occupation" and key.isascii() and key.isdigit():
        key = key.lstrip("0") or "0"  # "088" -> "88"
    return _lookup(field).get(key, tidy)
