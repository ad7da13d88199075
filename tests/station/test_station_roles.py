"""Role rules, checked in the core against the signed-in operator: what an operator may do,
what only a supervisor may, and that nothing happens without someone signed in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ektp_station.devtools.images import photo_jpeg, signature_png
from ektp_station.domain.biometrics import PARTS
from ektp_station.errors import NotAllowed, NotSignedIn, TransitionError
from ektp_station.station import Actor, Station
from ektp_station.store import State

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN, verdict
from factories import make_record


def _as_operator(station: Station) -> Station:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    return station


def _as_supervisor(station: Station) -> Station:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    return station


def _entry_in(station: Station, state: State, serial: int) -> int:
    """An entry in ``state`` (pending, rejected or conflict), captured by whoever acts."""
    seq = station.capture(make_record(serial)).entry.seq
    if state is not State.PENDING:
        verdict(station, seq, state, "rt_rw_zero" if state is State.REJECTED else "nik_registered")
    assert station.entry(seq).state is state
    return seq


# -- what an operator may do ------------------------------------------------------------------


def test_an_operator_captures_under_his_own_name(station: Station) -> None:
    _as_operator(station)

    saved = station.capture(make_record(1)).entry

    assert saved.operator == OPERATOR
    assert station.queue.audit_trail(saved.seq)[0].actor == OPERATOR


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED])
def test_an_operator_corrects_a_pending_or_rejected_entry(station: Station, state: State) -> None:
    _as_operator(station)
    seq = _entry_in(station, state, 1)

    done = station.correct(seq, fields={"address": "JL. MAWAR NO. 1"})

    assert done.fields == ["address"]
    assert done.entry.revision == 2
    assert done.entry.state is State.PENDING
    assert station.queue.audit_trail(seq)[-1].actor == OPERATOR


def test_an_operator_resends_a_rejected_entry(station: Station) -> None:
    _as_operator(station)
    seq = _entry_in(station, State.REJECTED, 1)

    again = station.resend(seq)

    assert again.state is State.PENDING
    assert again.errors == []


@pytest.mark.parametrize("state", [State.PENDING, State.REJECTED])
def test_an_operator_discards_a_pending_or_rejected_entry(station: Station, state: State) -> None:
    _as_operator(station)
    seq = _entry_in(station, state, 1)

    gone = station.discard(seq, "  salah   rekam ")

    assert gone.state is State.DISCARDED
    last = station.queue.audit_trail(seq)[-1]
    assert (last.action, last.actor, last.detail["reason"]) == (
        "discarded",
        OPERATOR,
        "salah rekam",
    )


# -- what only a supervisor may do ------------------------------------------------------------

CONFLICT_ACTIONS: dict[str, Callable[[Station, int], object]] = {
    "discard": lambda st, seq: st.discard(seq, "dobel"),
    "resolve": lambda st, seq: st.resolve(seq, "sudah di pusat"),
    "correct": lambda st, seq: st.correct(seq, fields={"address": "JL. MAWAR NO. 1"}),
    "resend": lambda st, seq: st.resend(seq),
}
CONFLICT_OUTCOME = {
    "discard": State.DISCARDED,
    "resolve": State.RESOLVED,
    "correct": State.PENDING,
    "resend": State.PENDING,
}


@pytest.mark.parametrize("action", sorted(CONFLICT_ACTIONS))
def test_an_operator_may_not_act_on_a_conflict(station: Station, action: str) -> None:
    _as_operator(station)
    seq = _entry_in(station, State.CONFLICT, 1)
    trail = station.queue.audit_trail(seq)

    with pytest.raises(NotAllowed) as refused:
        CONFLICT_ACTIONS[action](station, seq)

    assert "supervisor" in refused.value.message("id")
    after = station.entry(seq)
    assert (after.state, after.revision) == (State.CONFLICT, 1)
    assert station.queue.audit_trail(seq) == trail


@pytest.mark.parametrize("action", sorted(CONFLICT_ACTIONS))
def test_a_supervisor_acts_on_a_conflict(station: Station, action: str) -> None:
    _as_operator(station)
    seq = _entry_in(station, State.CONFLICT, 1)
    station.sign_out()
    _as_supervisor(station)

    CONFLICT_ACTIONS[action](station, seq)

    after = station.entry(seq)
    assert after.state is CONFLICT_OUTCOME[action]
    assert after.revision == (2 if action == "correct" else 1)
    assert station.queue.audit_trail(seq)[-1].actor == SUPERVISOR


SUPERVISOR_ONLY: dict[str, Callable[[Station], object]] = {
    "change_settings": lambda st: st.change_settings(st.settings.with_value("batch-size", "50")),
    "set_setting": lambda st: st.set_setting("language", "en"),
    "add_operator": lambda st: st.add_operator("OPERATOR DUA", "5678"),
    "list_operators": lambda st: st.operators(),
    "disable_operator": lambda st: st.set_operator_active(OPERATOR, False),
    "enable_operator": lambda st: st.set_operator_active(OPERATOR, True),
    "reset_pin": lambda st: st.reset_pin(SUPERVISOR, "654321"),
    "see_full_nik": lambda st: st.may_see_full_nik(),
}


@pytest.mark.parametrize("action", sorted(SUPERVISOR_ONLY))
def test_an_operator_may_not_do_what_only_a_supervisor_may(
    station: Station, action: str, data_dir: Path
) -> None:
    _as_operator(station)
    accounts = station.accounts.store.accounts()

    with pytest.raises(NotAllowed):
        SUPERVISOR_ONLY[action](station)

    assert station.accounts.store.accounts() == accounts
    assert not (data_dir / "config.json").exists()
    assert station.accounts.store.verify(SUPERVISOR, SUPERVISOR_PIN) is not None


@pytest.mark.parametrize("action", sorted(SUPERVISOR_ONLY))
def test_a_supervisor_may(station: Station, action: str) -> None:
    _as_supervisor(station)

    SUPERVISOR_ONLY[action](station)  # no NotAllowed


def test_what_the_supervisor_did_to_the_accounts_took_effect(station: Station) -> None:
    _as_supervisor(station)

    station.add_operator("OPERATOR DUA", "5678")
    station.set_operator_active(OPERATOR, False)
    station.reset_pin(SUPERVISOR, "654321")

    accounts = {o.name: o for o in station.operators()}
    assert set(accounts) == {SUPERVISOR, OPERATOR, "OPERATOR DUA"}
    assert accounts["OPERATOR DUA"].role == "operator" and accounts["OPERATOR DUA"].active
    assert not accounts[OPERATOR].active
    assert station.accounts.store.verify(SUPERVISOR, "654321") is not None
    assert station.accounts.store.verify(SUPERVISOR, SUPERVISOR_PIN) is None


def test_a_supervisor_changes_the_settings_on_disk(station: Station, data_dir: Path) -> None:
    _as_supervisor(station)

    station.set_setting("batch-size", "50")

    saved = json.loads((data_dir / "config.json").read_text(encoding="utf-8"))
    assert saved["batch_size"] == 50
    assert station.settings.batch_size == 50


# -- nobody signed in -------------------------------------------------------------------------

ENTRY_USE_CASES: dict[str, Callable[[Station, int], object]] = {
    "capture": lambda st, seq: st.capture(make_record(2)),
    "correct": lambda st, seq: st.correct(seq, fields={"address": "JL. MAWAR NO. 1"}),
    "resend": lambda st, seq: st.resend(seq),
    "discard": lambda st, seq: st.discard(seq, "dobel"),
    "resolve": lambda st, seq: st.resolve(seq, "sudah di pusat"),
}


@pytest.mark.parametrize("use_case", sorted(ENTRY_USE_CASES))
def test_nobody_signed_in_may_not_touch_the_queue(station: Station, use_case: str) -> None:
    _as_supervisor(station)
    seq = _entry_in(station, State.CONFLICT, 1)
    station.sign_out()
    count, trail = station.count(), station.queue.audit_trail(seq)

    with pytest.raises(NotSignedIn):
        ENTRY_USE_CASES[use_case](station, seq)

    assert station.count() == count
    assert station.entry(seq).state is State.CONFLICT
    assert station.queue.audit_trail(seq) == trail


def test_nobody_signed_in_may_not_import(station: Station, tmp_path: Path) -> None:
    lines = tmp_path / "batch.jsonl"
    lines.write_text(json.dumps(make_record(1)) + "\n", encoding="utf-8")

    with pytest.raises(NotSignedIn):
        station.import_file(lines)

    assert station.count() == 0


@pytest.mark.parametrize("action", sorted(SUPERVISOR_ONLY))
def test_nobody_signed_in_may_not_do_a_supervisors_work(station: Station, action: str) -> None:
    with pytest.raises(NotAllowed):  # roles.require: nobody signed in is no supervisor
        SUPERVISOR_ONLY[action](station)


def test_signing_out_ends_the_rights(station: Station) -> None:
    _as_supervisor(station)
    station.may_see_full_nik()
    station.sign_out()

    assert station.actor is None and not station.is_supervisor
    with pytest.raises(NotAllowed):
        station.may_see_full_nik()
    with pytest.raises(NotSignedIn):
        station.capture(make_record(1))


# -- the buttons and the use cases agree ------------------------------------------------------

ENTRY_ACTIONS: dict[str, Callable[[Station, int], object]] = {
    "correct": lambda st, seq: st.correct(seq, fields={"address": "JL. MAWAR NO. 1"}),
    "resend": lambda st, seq: st.resend(seq),
    "discard": lambda st, seq: st.discard(seq, "dobel"),
    "resolve": lambda st, seq: st.resolve(seq, "sudah di pusat"),
}


def _make(station: Station, state: State, serial: int) -> int:
    """An entry in any state, made by the supervisor (then signed out)."""
    station.act_as(Actor(SUPERVISOR, "supervisor"))
    if state in (State.DISCARDED, State.RESOLVED):
        seq = _entry_in(station, State.CONFLICT, serial)
        if state is State.DISCARDED:
            station.discard(seq, "dobel")
        else:
            station.resolve(seq, "sudah di pusat")
    elif state is State.SYNCED:
        seq = station.capture(make_record(serial)).entry.seq
        verdict(station, seq, State.SYNCED)
    elif state is State.UPLOADING:  # the biodata taken, a biometric part still to send
        exempt = {part: "missing" for part in PARTS if part not in ("photo", "signature")}
        images = {"photo": photo_jpeg(serial), "signature": signature_png(serial)}
        seq = station.capture(make_record(serial), images=images, exceptions=exempt).entry.seq
        verdict(station, seq, State.SYNCED)
    elif state is State.SENDING:
        seq = station.capture(make_record(serial)).entry.seq
        station.queue.claim_batch("uji", 1000)
    else:
        seq = _entry_in(station, state, serial)
    station.sign_out()
    return seq


@pytest.mark.parametrize("who", ["operator", "supervisor"])
@pytest.mark.parametrize("state", list(State), ids=str)
def test_actions_offered_are_exactly_the_actions_accepted(
    station: Station, state: State, who: str
) -> None:
    for number, action in enumerate(sorted(ENTRY_ACTIONS), start=1):
        seq = _make(station, state, number)
        station.act_as(Actor(OPERATOR if who == "operator" else SUPERVISOR, who))
        offered = action in station.actions_for(state)
        try:
            ENTRY_ACTIONS[action](station, seq)
            accepted = True
        except (NotAllowed, TransitionError):
            accepted = False
        finally:
            station.sign_out()
        assert offered == accepted, f"{who} / {state} / {action}: offered={offered}"


def test_nothing_is_offered_to_nobody(station: Station) -> None:
    assert all(station.actions_for(s) == frozenset() for s in State)
