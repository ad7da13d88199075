"""``ektp-station simulate herd``: a region's link comes back and its stations all call the
centre at once (issue #14).

``--stations N`` light stations (:mod:`.herd_load`: asyncio tasks in this process, each with
its own token and connection, speaking the real protocol) each hold ``--entries M`` synthetic
valid registrations and start sending at the same instant. The centre is expected to admit
what it can carry and shed the rest (503 ``overloaded`` with a jittered ``Retry-After``,
which the stations honour), and to store every entry exactly once.

Tokens: by default the stations are registered here, as ``central add-station`` does, in the
centre's database (``--db``, the same default as ``central serve``), with ids
``HERD-<run>-<k>`` new for each run; ``--tokens FILE`` (a JSON object station id -> token)
uses stations registered before instead.

The report (``--json`` keys are a contract): ``accepted`` — entries the centre acknowledged
(``accepted``, or ``already_accepted`` for a repeat after a lost reply), each counted once;
``shed_503`` — 503 ``overloaded`` replies with ``Retry-After`` (shedding, expected under a
herd); ``errors_5xx`` — every other 5xx (must be 0); ``drain_s`` — from the start to the last
entry acknowledged; ``p50_ms`` / ``p99_ms`` — latency of the answered batch requests;
``cpu_ms_per_entry`` — the centre's CPU time (its server processes' user + system time from
``/proc``, never this process's nor the database's) per accepted entry, or null with
``cpu_note`` saying why. ``registered``: the centre's own count of registrations from these
stations (null with ``--tokens`` and no ``--db``); ``generator_cpu_s``: this process's own CPU
time (the light stations': on the same machine they take cores from the centre). Exit status
0 only when no error reply came and every entry was accepted exactly once (``exactly_once``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ektp_station.central.cli import default_db_url, is_loopback
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.sync.protocol import MAX_BATCH_ENTRIES

from .herd_load import NIK_SPACE, Herd, StationLoad, Tally, prepare_station
from .proc_cpu import CpuProbe, find_listeners

__all__ = ["HerdReport", "run"]

HerdReport = dict[str, Any]


class _Refused(Exception):
    """The run cannot start; ``status`` is the exit code, the message is for a person."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _lang(args: argparse.Namespace) -> str:
    try:
        settings = Settings.load(AppPaths.resolve(getattr(args, "data_dir", None)))
    except Exception:  # noqa: BLE001  (the language only; unreadable settings say Indonesian)
        return "id"
    return "en" if settings.language == "en" else "id"


def _say(lang: str, text_id: str, text_en: str) -> str:
    return text_en if lang == "en" else text_id


def _check_args(args: argparse.Namespace, lang: str) -> None:
    if args.stations < 1 or args.entries < 1:
        raise _Refused(
            _say(
                lang, "--stations dan --entries minimal 1.", "--stations and --entries: 1 at least."
            ),
            2,
        )
    if args.stations * args.entries > NIK_SPACE:
        raise _Refused(_say(lang, "Terlalu banyak entri.", "Too many entries."), 2)
    if not 1 <= args.batch_size <= MAX_BATCH_ENTRIES:
        raise _Refused(
            _say(
                lang,
                f"--batch-size harus 1..{MAX_BATCH_ENTRIES}.",
                f"--batch-size must be 1..{MAX_BATCH_ENTRIES}.",
            ),
            2,
        )
    if urlsplit(args.central_url).scheme not in ("http", "https"):
        raise _Refused(
            _say(lang, "--central-url harus http(s)://…", "--central-url must be http(s)://…"), 2
        )


def _tokens_from_file(path: str, count: int, lang: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _Refused(
            _say(
                lang,
                f"Berkas token tidak terbaca (JSON: ID stasiun -> token): {path}",
                f"Token file unreadable (JSON: station id -> token): {path}",
            ),
            2,
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise _Refused(
            _say(lang, "Berkas token harus objek JSON.", "The token file must be a JSON object."),
            2,
        )
    if len(data) < count:
        raise _Refused(
            _say(
                lang,
                f"Berkas token memuat {len(data)} stasiun, diminta {count}.",
                f"The token file holds {len(data)} stations, {count} asked for.",
            ),
            2,
        )
    return dict(list(data.items())[:count])


def _register(db_url: str, count: int, lang: str) -> dict[str, str]:
    """``count`` new stations (as ``central add-station``), ids new for this run."""
    from sqlalchemy.exc import SQLAlchemyError

    from ektp_station.central.db import CentralDB

    run = secrets.token_hex(3).upper()
    try:
        db = CentralDB(db_url)
        try:
            db.create_schema()
            return {
                sid: db.add_station(sid)[0]
                for sid in (f"HERD-{run}-{k + 1:04d}" for k in range(count))
            }
        finally:
            db.dispose()
    except (SQLAlchemyError, OSError) as exc:
        raise _Refused(
            _say(
                lang,
                f"Basis data pusat tidak dapat dipakai untuk mendaftarkan stasiun "
                f"({type(exc).__name__}); periksa --db.",
                f"The centre's database cannot be used to register the stations "
                f"({type(exc).__name__}); check --db.",
            ),
            3,
        ) from None


def _registered(db_url: str, station_ids: list[str]) -> int | None:
    """The centre's count of registrations from these stations (None if unreadable)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    from ektp_station.central.db import CentralDB, registrations

    try:
        db = CentralDB(db_url)
        try:
            with db.engine.connect() as conn:
                query = (
                    sa.select(sa.func.count())
                    .select_from(registrations)
                    .where(registrations.c.station_id.in_(station_ids))
                )
                return int(conn.execute(query).scalar_one())
        finally:
            db.dispose()
    except SQLAlchemyError:
        return None


def _check_centre(url: str, lang: str) -> None:
    try:
        reply = httpx.get(url.rstrip("/") + "/v1/health", timeout=5.0, trust_env=False)
    except httpx.HTTPError:
        reply = None
    if reply is None or reply.status_code != 200:
        raise _Refused(
            _say(
                lang,
                f"Server pusat tidak menjawab di {url} (GET /v1/health).",
                f"The centre does not answer at {url} (GET /v1/health).",
            ),
            3,
        )


def _cpu_probe(args: argparse.Namespace) -> CpuProbe:
    if args.central_pid:
        return CpuProbe(args.central_pid)
    parts = urlsplit(args.central_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not is_loopback(parts.hostname or ""):
        probe = CpuProbe([])
        probe.note = "the centre is not on this machine: give its process with --central-pid"
        return probe
    probe = CpuProbe(find_listeners(port))
    if not probe.roots:
        probe.note = f"no process of this user listens on port {port}: give --central-pid"
    return probe


def _raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest rank (as the benchmarks): the p99 of 300 samples is the 297th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def report(
    tally: Tally,
    *,
    stations: int,
    entries: int,
    registered: int | None,
    cpu_s: float | None,
    cpu: CpuProbe,
) -> HerdReport:
    """The run's numbers, with the keys ``--json`` promises."""
    expected = stations * entries
    ok_statuses = ("accepted", "already_accepted")
    answers = tally.acked.values()
    acknowledged = sum(1 for said in answers if any(s in ok_statuses for s in said))
    # answered "accepted" (stored now) twice: the centre would have stored it twice
    duplicates = sum(1 for said in answers if said.count("accepted") > 1)
    exactly_once = (
        acknowledged == expected
        and duplicates == 0
        and (registered is None or registered == expected)
    )
    p50, p99 = _percentile(tally.latencies, 50), _percentile(tally.latencies, 99)
    drain = tally.last_ack if acknowledged else None
    return {
        "stations": stations,
        "entries_per_station": entries,
        "expected": expected,
        "accepted": acknowledged,
        "already_accepted": tally.statuses["already_accepted"],
        "duplicates": duplicates,
        "rejected": tally.statuses["rejected"],
        "conflicts": tally.statuses["conflict"],
        "registered": registered,
        "exactly_once": exactly_once,
        "shed_503": tally.shed_503,
        "errors_5xx": tally.errors_5xx,
        "errors_4xx": tally.errors_4xx,
        "busy_429": tally.busy_429,
        "transport_errors": tally.transport_errors,
        "unreadable_replies": tally.unreadable_replies,
        "error_codes": dict(sorted(tally.error_codes.items())),
        "requests": tally.requests,
        "batches_answered": len(tally.latencies),
        "stations_stopped": tally.gave_up,
        "drain_s": None if drain is None else round(drain, 3),
        "rate_per_s": None if not drain else round(acknowledged / drain, 1),
        "p50_ms": None if p50 is None else round(p50 * 1000, 1),
        "p99_ms": None if p99 is None else round(p99 * 1000, 1),
        "cpu_s": None if cpu_s is None else round(cpu_s, 3),
        "cpu_ms_per_entry": (
            None if cpu_s is None or not acknowledged else round(cpu_s * 1000 / acknowledged, 4)
        ),
        "cpu_pids": cpu.pids,
        "generator_cpu_s": round(tally.generator_cpu_s, 3),
        "cpu_note": cpu.note,
        "ok": exactly_once and tally.errors_5xx == 0,
    }


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text if lang == "en" else text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_report(r: HerdReport, url: str, lang: str) -> str:
    def say(text_id: str, text_en: str) -> str:
        return _say(lang, text_id, text_en)

    def n(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else _number(value, lang, digits)

    lines = [
        say(
            f"Kawanan: {r['stations']} stasiun × {r['entries_per_station']} entri = "
            f"{r['expected']} entri ke {url}",
            f"Herd: {r['stations']} stations × {r['entries_per_station']} entries = "
            f"{r['expected']} entries to {url}",
        ),
        say(
            f"Diterima pusat: {r['accepted']} dari {r['expected']} "
            f"(di antaranya {r['already_accepted']} ulangan); tercatat di pusat: "
            f"{'-' if r['registered'] is None else r['registered']}",
            f"Accepted by the centre: {r['accepted']} of {r['expected']} "
            f"({r['already_accepted']} of them repeats); recorded at the centre: "
            f"{'-' if r['registered'] is None else r['registered']}",
        ),
        say(
            f"Ditahan karena beban (503 + Retry-After): {r['shed_503']}; 429: {r['busy_429']}",
            f"Shed under load (503 + Retry-After): {r['shed_503']}; 429: {r['busy_429']}",
        ),
        say(
            f"Galat: 5xx lain {r['errors_5xx']}, 4xx {r['errors_4xx']}, "
            f"jaringan {r['transport_errors']}, jawaban tak terbaca {r['unreadable_replies']}",
            f"Errors: other 5xx {r['errors_5xx']}, 4xx {r['errors_4xx']}, "
            f"network {r['transport_errors']}, unreadable replies {r['unreadable_replies']}",
        ),
        say(
            f"Waktu sampai semua diterima: {n(r['drain_s'], 2)} dtk "
            f"({n(r['rate_per_s'], 0)} entri/dtk); latensi batch p50 {n(r['p50_ms'])} ms, "
            f"p99 {n(r['p99_ms'])} ms",
            f"Time until all were accepted: {n(r['drain_s'], 2)} s "
            f"({n(r['rate_per_s'], 0)} entries/s); batch latency p50 {n(r['p50_ms'])} ms, "
            f"p99 {n(r['p99_ms'])} ms",
        ),
    ]
    if r["cpu_ms_per_entry"] is None:
        lines.append(
            say("CPU pusat per entri: tidak terukur", "Centre CPU per entry: not measured")
            + (f" ({r['cpu_note']})" if r.get("cpu_note") else "")
        )
    else:
        pids = ", ".join(str(p) for p in r["cpu_pids"])
        lines.append(
            say(
                f"CPU pusat per entri: {n(r['cpu_ms_per_entry'], 3)} ms "
                f"({n(r['cpu_s'], 2)} dtk CPU, proses {pids})",
                f"Centre CPU per entry: {n(r['cpu_ms_per_entry'], 3)} ms "
                f"({n(r['cpu_s'], 2)} s of CPU, processes {pids})",
            )
        )
    if any(code.startswith("401 ") for code in r.get("error_codes", {})):
        lines.append(
            say(
                "Pusat menolak token stasiun simulasi (401): --db harus basis data yang "
                "dipakai server pusat itu (stasiun didaftarkan di sana).",
                "The centre refused the simulated stations' tokens (401): --db must be the "
                "database that centre serves (the stations are registered there).",
            )
        )
    if r["ok"]:
        lines.append(say("Hasil: BAIK — tiap entri diterima tepat sekali, tanpa galat 5xx.",
                         "Result: OK — every entry accepted exactly once, no 5xx errors."))  # fmt: skip
    else:
        lines.append(say("Hasil: GAGAL — tidak semua entri diterima tepat sekali, atau ada galat.",
                         "Result: FAILED — not every entry accepted exactly once, or errors."))  # fmt: skip
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    lang = _lang(args)
    try:
        _check_args(args, lang)
        db_url = args.db or (None if args.tokens else default_db_url(args.data_dir))
        if args.tokens:
            tokens = _tokens_from_file(args.tokens, args.stations, lang)
        else:
            assert db_url is not None
            tokens = _register(db_url, args.stations, lang)
        _check_centre(args.central_url, lang)
    except _Refused as refused:
        sys.stderr.write(f"{refused}\n")
        return refused.status
    _raise_fd_limit(args.stations + 256)
    base = random.randrange(0, NIK_SPACE - args.stations * args.entries + 1)
    loads: list[StationLoad] = [
        prepare_station(sid, token, base + k * args.entries, args.entries, args.batch_size)
        for k, (sid, token) in enumerate(tokens.items())
    ]
    herd = Herd(
        args.central_url,
        loads,
        timeout=args.timeout,
        max_time=args.max_time,
        start_jitter=args.start_jitter,
    )
    cpu = _cpu_probe(args)
    cpu.start()
    mine = resource.getrusage(resource.RUSAGE_SELF)
    tally = herd.run()
    cpu_s = cpu.stop()
    spent = resource.getrusage(resource.RUSAGE_SELF)
    tally.generator_cpu_s = spent.ru_utime + spent.ru_stime - mine.ru_utime - mine.ru_stime
    registered = _registered(db_url, list(tokens)) if db_url else None
    result = report(
        tally,
        stations=args.stations,
        entries=args.entries,
        registered=registered,
        cpu_s=cpu_s,
        cpu=cpu,
    )
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_report(result, args.central_url, lang))
    return 0 if result["ok"] else 1
