"""Kemendagri region codes: provinces, kabupaten/kota, kecamatan, and Depok's kelurahan.

Everything is keyed by the dotted code (``32.76.02.1008``), never by name: names repeat
(Depok has two kelurahan named Curug). :meth:`Regions.search` matches names and the old
spellings listed in ``kelurahan_aliases.csv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from ektp_station.resources import resource_path

__all__ = ["LEVELS", "Region", "Regions", "default_regions"]

LEVELS: Final = ("provinsi", "kabupaten", "kota", "kecamatan", "kelurahan")
_CITY_LEVELS: Final = frozenset({"kabupaten", "kota"})
_NOT_ALNUM = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Search key: case-folded, without spaces or punctuation ("Sogae'adu" ~ "sogaeadu")."""
    return _NOT_ALNUM.sub("", text.casefold())


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    level: str
    name: str
    parent_code: str | None
    aliases: tuple[str, ...] = ()


class Regions:
    """An immutable index of regions by code. Build with :meth:`load` (the bundled data,
    read once) or :meth:`from_csv` / the constructor (other data, e.g. in tests)."""

    def __init__(
        self, regions: Iterable[Region], aliases: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        by_code: dict[str, Region] = {}
        for region in regions:
            by_code[region.code] = region
        for code, names in (aliases or {}).items():
            if code in by_code:
                old = by_code[code]
                merged = tuple(dict.fromkeys((*old.aliases, *names)))
                by_code[code] = Region(old.code, old.level, old.name, old.parent_code, merged)
        self._by_code: dict[str, Region] = dict(sorted(by_code.items()))
        children: dict[str, list[Region]] = {}
        for region in self._by_code.values():
            if region.parent_code is not None:
                children.setdefault(region.parent_code, []).append(region)
        self._children = {code: tuple(items) for code, items in children.items()}
        self._search_keys: list[tuple[Region, tuple[str, ...]]] | None = None

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def load(cls) -> Regions:
        """The bundled Kemendagri data (read once per process, then shared: it is immutable)."""
        return default_regions()

    @classmethod
    def from_csv(cls, region_files: Iterable[Path], alias_file: Path | None = None) -> Regions:
        """Read ``code,level,name,parent_code`` files (later files win on the same code) and an
        optional ``code,alias`` file."""
        regions: list[Region] = []
        for path in region_files:
            with path.open(encoding="utf-8", newline="") as f:
                rows = csv.reader(f)
                columns = {name: index for index, name in enumerate(next(rows, []))}
                at = [columns[name] for name in ("code", "level", "name", "parent_code")]
                for row in rows:
                    if not row:
                        continue
                    code, level, name, parent = (row[i].strip() for i in at)
                    regions.append(Region(code, level, name, parent or None))
        aliases: dict[str, list[str]] = {}
        if alias_file is not None:
            with alias_file.open(encoding="utf-8", newline="") as f:
                for entry in csv.DictReader(f):
                    aliases.setdefault(entry["code"].strip(), []).append(entry["alias"].strip())
        return cls(regions, aliases)

    # --- lookups by code ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def name(self, code: str) -> str | None:
        region = self._by_code.get(code)
        return region.name if region else None

    def level(self, code: str) -> str | None:
        region = self._by_code.get(code)
        return region.level if region else None

    def parent(self, code: str) -> Region | None:
        region = self._by_code.get(code)
        if region is None or region.parent_code is None:
            return None
        return self._by_code.get(region.parent_code)

    def children(self, code: str) -> tuple[Region, ...]:
        """The regions directly under ``code``, ordered by code."""
        return self._children.get(code, ())

    def _is(self, code: str, levels: Iterable[str]) -> bool:
        region = self._by_code.get(code)
        return region is not None and region.level in levels

    def is_province(self, code: str) -> bool:
        return self._is(code, ("provinsi",))

    def is_kabupaten(self, code: str) -> bool:
        """True for a known kabupaten *or* kota (both sit at digits 3-4 of a NIK)."""
        return self._is(code, _CITY_LEVELS)

    def is_kecamatan(self, code: str) -> bool:
        return self._is(code, ("kecamatan",))

    def is_kelurahan(self, code: str) -> bool:
        return self._is(code, ("kelurahan",))

    def kecamatan_of(self, city_code: str) -> tuple[Region, ...]:
        return tuple(r for r in self.children(city_code) if r.level == "kecamatan")

    def kelurahan_of(self, kecamatan_code: str) -> tuple[Region, ...]:
        return tuple(r for r in self.children(kecamatan_code) if r.level == "kelurahan")

    def path(self, code: str) -> tuple[Region, ...]:
        """From the province down to ``code`` (empty if unknown)."""
        chain: list[Region] = []
        region = self._by_code.get(code)
        while region is not None:
            chain.append(region)
            region = self._by_code.get(region.parent_code) if region.parent_code else None
        return tuple(reversed(chain))

    # --- search ---------------------------------------------------------------------------

    def _keys(self) -> list[tuple[Region, tuple[str, ...]]]:
        """Each region with its search keys (name, then aliases); built on the first search."""
        if self._search_keys is None:
            self._search_keys = [
                (region, (_key(region.name), *(_key(a) for a in region.aliases)))
                for region in self._by_code.values()
            ]
        return self._search_keys

    def search(
        self, text: str, within: str | None = None, *, level: str | None = None
    ) -> list[Region]:
        """Regions whose name or old spelling contains ``text`` (case, spaces and punctuation
        ignored). ``within`` keeps those under a code (``"32.76"``); ``level`` keeps one level.
        Exact matches come first, then names starting with the text, then the rest; ties by
        code. Blank text matches everything that passes the filters."""
        wanted = _key(text)
        prefix = None if within is None else within.rstrip(".") + "."
        ranked: list[tuple[int, str, Region]] = []
        for region, keys in self._keys():
            if prefix is not None and not region.code.startswith(prefix):
                continue
            if level is not None and region.level != level:
                continue
            rank = _rank(wanted, keys)
            if rank is not None:
                ranked.append((rank, region.code, region))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [region for _, _, region in ranked]


def _rank(wanted: str, keys: tuple[str, ...]) -> int | None:
    best: int | None = None
    for key in keys:
        if key == wanted:
            rank = 0
        elif key.startswith(wanted):
            rank = 1
        elif wanted in key:
            rank = 2
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


@cache
def default_regions() -> Regions:
    """The bundled data: every province, kabupaten/kota and kecamatan, plus Depok's kelurahan."""
    return Regions.from_csv(
        [resource_path("data", "kecamatan_nasional.csv"), resource_path("data", "depok.csv")],
        resource_path("data", "kelurahan_aliases.csv"),
    )
