"""Property-based tests of the NIK and KK rules (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from ektp_station.domain import Severity, clean_nik, default_regions, make_nik, mask_nik, parse_nik

from .helpers import PROPERTY, TODAY, check, codes, errors

REGIONS = default_regions()
KECAMATAN = sorted(r.code for r in REGIONS if r.level == "kecamatan")
PROVINCES = {r.code for r in REGIONS if r.level == "provinsi"}
SEXES = ("LAKI-LAKI", "PEREMPUAN")

kecamatan_codes = st.sampled_from(KECAMATAN)
sexes = st.sampled_from(SEXES)
serials = st.integers(min_value=1, max_value=9999)
# old enough to be recorded (17+) and younger than the 130-year limit
adult_birth_dates = st.dates(
    min_value=date(TODAY.year - 129, 1, 1), max_value=date(TODAY.year - 17, TODAY.month, 1)
)
digits16 = st.text(alphabet="0123456789", min_size=16, max_size=16)
separators = st.sampled_from([" ", ".", "-", "  ", " - ", "\t"])


def rebuild(nik: str, cuts: list[int], seps: list[str]) -> str:
    """``nik`` with separators inserted at the given cut points."""
    out, last = [], 0
    for cut, sep in zip(sorted(set(cuts)), seps, strict=False):
        out += [nik[last:cut], sep]
        last = cut
    return "".join([*out, nik[last:]])


@PROPERTY
@given(kecamatan_codes, adult_birth_dates, sexes, serials)
def test_well_formed_nik_validates_and_round_trips(
    kecamatan: str, birth: date, sex: str, serial: int
) -> None:
    nik = make_nik(kecamatan, birth, sex, serial)
    problems = check(nik=nik, birth_date=birth.isoformat(), sex=sex)
    assert codes(problems, "nik") == []
    assert problems == []

    info = parse_nik(nik)
    assert info is not None
    assert info.nik == nik
    assert info.kecamatan_code == kecamatan
    assert info.kabupaten_code == kecamatan[:5] and info.province_code == kecamatan[:2]
    assert (info.sex, info.serial) == (sex, serial)
    assert info.birth_date(century=birth.year // 100 * 100) == birth
    if birth > TODAY.replace(year=TODAY.year - 100):
        assert info.birth_date(today=TODAY) == birth  # the guess is right within 100 years


@PROPERTY
@given(digits16.map(lambda s: s[:12] + "0000"))
def test_serial_0000_is_always_rejected(nik: str) -> None:
    problems = check(nik=nik)
    assert "nik_serial_zero" in errors(problems)
    assert parse_nik(nik) is None


@PROPERTY
@given(digits16)
def test_day_rule_matches_the_table(nik: str) -> None:
    raw_day = int(nik[6:8])
    day_ok = 1 <= raw_day <= 31 or 41 <= raw_day <= 71
    assert ("nik_day_invalid" in codes(check(nik=nik), "nik")) == (not day_ok)


@PROPERTY
@given(digits16)
def test_unknown_province_is_the_only_region_error(nik: str) -> None:
    nik_errors = [c for c in errors(check(nik=nik)) if c.startswith("nik_")]
    assert ("nik_province_unknown" in nik_errors) == (nik[:2] not in PROVINCES)
    for problem in check(nik=nik):
        if problem.code in ("nik_kabupaten_unknown", "nik_kecamatan_unknown"):
            assert problem.severity is Severity.WARNING


@PROPERTY
@given(digits16, st.lists(st.integers(0, 16), max_size=5), st.lists(separators, max_size=5))
def test_separators_change_nothing(nik: str, cuts: list[int], seps: list[str]) -> None:
    typed = rebuild(nik, cuts, seps)
    assert clean_nik(typed) == nik
    assert check(nik=typed) == check(nik=nik)
    assert parse_nik(typed) == parse_nik(nik)


@PROPERTY
@given(st.text())
def test_clean_nik_is_idempotent_and_leaves_no_separators(text: str) -> None:
    cleaned = clean_nik(text)
    assert clean_nik(cleaned) == cleaned
    assert not any(ch.isspace() or ch in ".-" for ch in cleaned)


@PROPERTY
@given(digits16, st.lists(st.integers(0, 16), max_size=5), st.lists(separators, max_size=5))
def test_mask_never_reveals_the_middle_digits(nik: str, cuts: list[int], seps: list[str]) -> None:
    masked = mask_nik(rebuild(nik, cuts, seps))
    assert masked == nik[:4] + "********" + nik[12:]


@PROPERTY
@given(st.text())
def test_mask_shows_at_most_first_and_last_four(text: str) -> None:
    masked = mask_nik(text)
    cleaned = clean_nik(text)
    assert len(masked) == len(cleaned)
    shown = [i for i, ch in enumerate(masked) if ch != "*"]
    assert all(i < 4 or i >= 12 for i in shown)
    if len(cleaned) != 16:
        assert set(masked) <= {"*"}


@PROPERTY
@given(digits16, st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ '.-", min_size=3, max_size=60))
def test_messages_never_echo_the_nik_or_the_name(nik: str, name: str) -> None:
    name = "QZ" + " ".join(name.split())  # "QZ": never part of a message's own words
    for problem in check(nik=nik, kk_number=nik, full_name=name + "1", birth_place=name + "\n"):
        for message in (problem.message_id, problem.message_en):
            assert nik not in message
            assert name not in message


# --- KK ------------------------------------------------------------------------------------

kk_dates = st.dates(min_value=date(1976, 1, 1), max_value=TODAY)


def make_kk(kecamatan: str, recorded: date, serial: int) -> str:
    return f"{kecamatan.replace('.', '')}{recorded:%d%m%y}{serial:04d}"


@PROPERTY
@given(kecamatan_codes, kk_dates, serials)
def test_well_formed_kk_validates(kecamatan: str, recorded: date, serial: int) -> None:
    assert check(kk_number=make_kk(kecamatan, recorded, serial)) == []


@PROPERTY
@given(digits16)
def test_kk_province_is_the_only_hard_content_rule(kk: str) -> None:
    kk_problems = [p for p in check(kk_number=kk) if p.field == "kk_number"]
    hard = [p.code for p in kk_problems if p.severity is Severity.ERROR]
    assert hard == (["kk_province_unknown"] if kk[:2] not in PROVINCES else [])


@PROPERTY
@given(kecamatan_codes, st.integers(1, 400), serials)
def test_kk_dated_in_the_future_is_a_warning(kecamatan: str, days: int, serial: int) -> None:
    recorded = TODAY + timedelta(days=days)
    assume(recorded.year == TODAY.year)  # a later year reads as last century
    problems = check(kk_number=make_kk(kecamatan, recorded, serial))
    assert codes(problems) == ["kk_date_future"]
    assert problems[0].severity is Severity.WARNING


@PROPERTY
@given(digits16, st.sampled_from(["", "1", "123456789012345", "12345678901234567"]))
def test_kk_length_and_chars(kk: str, short: str) -> None:
    assert codes(check(kk_number=short), "kk_number") == (
        ["required"] if not short else ["kk_length"]
    )
    assert codes(check(kk_number=kk[:8] + "X" + kk[9:]), "kk_number") == ["kk_chars"]
