"""Fictional residents of Kota Depok for the demo, the screenshots and the benchmarks: names,
NIKs and addresses made up by the rules (no real person), each ``n`` a different NIK."""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["RESIDENTS", "nik_for", "resident"]

#: Fictional residents of Kota Depok (name, sex, birth date, birth place, kelurahan code).
RESIDENTS: tuple[tuple[str, str, date, str, str], ...] = (
    ("SITI RAHAYU", "PEREMPUAN", date(1992, 8, 14), "DEPOK", "32.76.02.1007"),
    ("AGUS PRASETYO", "LAKI-LAKI", date(1985, 3, 2), "BOGOR", "32.76.02.1007"),
    ("DEWI LESTARI", "PEREMPUAN", date(1999, 11, 23), "JAKARTA", "32.76.02.1008"),
    ("BAMBANG HERMAWAN", "LAKI-LAKI", date(1978, 6, 9), "DEPOK", "32.76.01.1006"),
    ("NUR AINI", "PEREMPUAN", date(2008, 1, 30), "DEPOK", "32.76.02.1007"),
    ("RUDI HARTONO", "LAKI-LAKI", date(1990, 12, 5), "BEKASI", "32.76.01.1007"),
    ("FITRIANI", "PEREMPUAN", date(1995, 4, 18), "SUKABUMI", "32.76.02.1008"),
    ("HENDRA GUNAWAN", "LAKI-LAKI", date(1982, 9, 27), "DEPOK", "32.76.02.1007"),
    ("YULIA PERMATASARI", "PEREMPUAN", date(2001, 7, 11), "BANDUNG", "32.76.01.1008"),
    ("JOKO SUSILO", "LAKI-LAKI", date(1975, 2, 14), "SOLO", "32.76.02.1007"),
    ("RATNA SARI", "PEREMPUAN", date(1988, 10, 3), "DEPOK", "32.76.01.1009"),
    ("ANDI WIJAYA", "LAKI-LAKI", date(1997, 5, 21), "TANGERANG", "32.76.02.1008"),
)
OCCUPATIONS = ("KARYAWAN SWASTA", "WIRASWASTA", "PELAJAR/MAHASISWA", "MENGURUS RUMAH TANGGA")
STREETS = ("JL. MARGONDA RAYA", "JL. NUSANTARA", "GG. H. ASMAT", "JL. RAYA BOGOR", "JL. MERDEKA")


def nik_for(birth: date, sex: str, serial: int, region: str = "327602") -> str:
    day = birth.day + (40 if sex == "PEREMPUAN" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def resident(n: int) -> dict[str, Any]:
    """The ``n``-th fictional resident (a different NIK for every ``n``)."""
    name, sex, birth, place, kelurahan = RESIDENTS[n % len(RESIDENTS)]
    if n >= len(RESIDENTS):  # another person of the same family name, born a year later
        birth = birth.replace(year=birth.year + n // len(RESIDENTS))
        family = ("UTAMI", "LESTARI", "RAHMAWATI") if sex == "PEREMPUAN" else ("PUTRA", "SAPUTRA")
        name = f"{name.split()[0]} {family[n % len(family)]}"
    return {
        "nik": nik_for(birth, sex, 100 + n, "".join(kelurahan.split(".")[:3])),
        "kk_number": f"3276021203{150000 + n * 7:06d}",
        "full_name": name,
        "birth_place": place,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "blood_type": ("O", "A", "B", "AB")[n % 4],
        "religion": ("ISLAM", "ISLAM", "KRISTEN", "ISLAM", "KATOLIK")[n % 5],
        "marital_status": "BELUM KAWIN" if birth.year > 1998 else "KAWIN",
        "occupation": OCCUPATIONS[n % len(OCCUPATIONS)],
        "citizenship": "WNI",
        "address": f"{STREETS[n % len(STREETS)]} NO. {3 + n * 4}",
        "rt": f"{1 + n % 9:03d}",
        "rw": f"{1 + n % 12:03d}",
        "kelurahan_code": kelurahan,
        "phone": None,
    }
