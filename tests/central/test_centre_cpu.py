"""The centre's CPU cuts (issue #14) keep every answer: the record's JSON and its content hash
encoded once (the same bytes as ``content_hash``), the reference without base64's loop, the
domain's fast paths for plain text, the canonical entry id taken as it is, and PostgreSQL's
one-statement insert."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp_station.central.db import registrations
from ektp_station.central.prepare import PgBulkInsert, canonical_hash, record_json, reference_for
from ektp_station.domain import normalise, text
from ektp_station.sync.protocol import BatchEntry, content_hash

from factories import make_record

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from("A Z.,-'`\t/09"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(record=st.dictionaries(st.sampled_from(list(make_record(1))), texts | st.none()),
       operator=texts, station=texts, micro=st.integers(0, 999_999))  # fmt: skip
def test_the_hash_of_the_encoded_record_is_content_hash(
    record: dict[str, str | None], operator: str, station: str, micro: int
) -> None:
    normal = normalise(record)
    at = datetime(2026, 11, 24, 9, 30, 1, micro, tzinfo=timezone(timedelta(hours=7)))
    encoded = record_json(normal)
    assert encoded == json.dumps(normal, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_hash(station, operator, at, encoded) == content_hash(
        station_id=station, operator=operator, captured_at=at, record=normal, normalised=True
    )


def test_references_are_base32_of_the_entry_ids_sha256() -> None:
    for _ in range(500):
        entry_id = str(uuid.uuid4())
        digest = base64.b32encode(hashlib.sha256(entry_id.encode()).digest()[:10]).decode()
        groups = "-".join(digest[i : i + 4] for i in range(0, 16, 4))
        assert reference_for(entry_id) == "DPK-" + groups


def _normalise_text_slowly(value: str) -> str:
    """normalise_text as written before its plain-text path."""
    value = unicodedata.normalize("NFC", value).translate(text._LOOKALIKES)
    value = "".join(" " if c == "\t" or unicodedata.category(c) == "Zs" else c for c in value)
    return text._SPACE_RUN.sub(" ", unicodedata.normalize("NFC", value.upper())).strip()


@settings(max_examples=500, deadline=None)
@given(value=texts)
def test_plain_text_paths_answer_as_the_character_checks(value: str) -> None:
    assert text.normalise_text(value) == _normalise_text_slowly(value)
    candidates = [value, value.upper(), text.normalise_text(value)]
    fast = [
        (text.check_name("full_name", v), text.check_name("birth_place", v), text.check_address(v))
        for v in candidates
    ]
    with pytest.MonkeyPatch.context() as patched:
        never = re.compile(r"(?!)")
        patched.setattr(text, "_PLAIN_NAME", never)
        patched.setattr(text, "_PLAIN_ADDRESS", never)
        slow = [
            (text.check_name("full_name", v), text.check_name("birth_place", v),
             text.check_address(v))
            for v in candidates
        ]  # fmt: skip
    assert fast == slow


def test_dates_and_rt_rw_already_canonical_stay_as_they_are() -> None:
    record = normalise({"birth_date": "1990-08-07", "rt": "007", "rw": "120"})
    assert (record["birth_date"], record["rt"], record["rw"]) == ("1990-08-07", "007", "120")
    record = normalise({"birth_date": " 1990-8-7", "rt": "RT 7", "rw": "٠٠٧"})
    assert (record["birth_date"], record["rt"], record["rw"]) == ("1990-08-07", "007", "٠٠٧")


def test_entry_ids_in_any_spelling_are_canonical() -> None:
    canonical = str(uuid.uuid4())
    base = {"seq": 1, "operator": "SITI", "captured_at": "2026-11-24T01:00:00Z", "record": {}}
    for spelling in (
        canonical,
        canonical.upper(),
        "{" + canonical + "}",
        canonical.replace("-", ""),
    ):
        assert BatchEntry.model_validate({**base, "entry_id": spelling}).entry_id == canonical


def test_the_postgresql_insert_is_one_fixed_statement() -> None:
    bulk = PgBulkInsert(registrations, "entry_id")
    sql = bulk.statement(["entry_id", "revision", "captured_at", "record"])
    assert sql == (
        "INSERT INTO registrations (entry_id, revision, captured_at, record) SELECT * FROM "
        "unnest(CAST(%b AS VARCHAR(36)[]), CAST(%b AS INTEGER[]), "
        "CAST(%b AS TIMESTAMP WITH TIME ZONE[]), CAST(%b AS TEXT[])) "
        "ON CONFLICT DO NOTHING RETURNING entry_id"
    )
    assert bulk.statement(["entry_id", "revision", "captured_at", "record"]) is sql
    with pytest.raises(KeyError):
        bulk.statement(["entry_id); DROP TABLE registrations; --"])
