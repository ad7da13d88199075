"""What the replay checks, once a second and at the end, against the truth it knows.

The truth: what each counter saved (entry ids, when), and what the centre's database holds.
The views checked against it: each station's queue status (what ``queue status`` shows) and
the centre's overview (what the supervisors' dashboard shows). Pure functions over
snapshots read in a fixed order, so that what is legitimately in flight is allowed for:

- a station's snapshot is read saves-finished → queue status → centre → dashboard →
  saves-begun; an entry is counted saved only once its save returned, so the queue holds
  between the saves finished before and the saves begun after;
- the station marks an entry synced only after the centre committed it, so its synced count
  never exceeds what the centre holds (read after it), and what it shows unsynced never falls
  below what the centre lacks;
- the centre never holds more for a station than it saved, nor an entry it never saved.

Some hold only eventually: an entry reaches the centre within ``DELIVERY_GRACE`` once the link
is up; the dashboard's reported backlog equals the station's once it is quiet (link up, no
save, nothing unsynced) for ``SETTLE`` seconds. Violations carry counts and station ids only,
never a NIK or a name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ..timeutil import parse_utc

__all__ = [
    "DELIVERY_GRACE",
    "SETTLE",
    "Delivery",
    "StationView",
    "Tally",
    "Violation",
    "check_final",
    "check_overview",
    "check_station",
    "tally_delivery",
]

#: Seconds an entry may wait for the centre with the link up: the engine's probe (2 s) finds
#: the link, its pause after a long outage (up to 5 s), the batch, and slack.
DELIVERY_GRACE = 15.0
#: Seconds of quiet (link up, nothing saved, nothing unsynced) after which the dashboard must
#: show the station's backlog as it is: a failed heartbeat is told again at the engine's next
#: idle turn (5 s), after its probe slot (2 s).
SETTLE = 10.0
#: The stations and the centre share one clock here: their skew is only the round trip.
MAX_SKEW_SECONDS = 5.0
#: A station seen this recently cannot be "silent" on the dashboard.
SEEN_RECENTLY_SECONDS = 30.0
_CLOCK_SLACK = timedelta(milliseconds=5)

_MESSAGES: dict[str, tuple[str, str]] = {
    "queue_total": (
        "antrean stasiun berisi {total} entri, simulasi menyimpan {lo}–{hi}",
        "the station's queue holds {total} entries, the replay saved {lo}–{hi}",
    ),
    "queue_refused": (
        "{n} entri ditolak, konflik atau dibatalkan di stasiun",
        "{n} entries rejected, in conflict or withdrawn at the station",
    ),
    "synced_not_at_centre": (
        "stasiun menandai {synced} terkirim, pusat hanya memegang {centre}",
        "the station marks {synced} delivered, the centre holds only {centre}",
    ),
    "centre_over_saved": (
        "pusat memegang {centre} entri stasiun ini, stasiun baru menyimpan {saved}",
        "the centre holds {centre} entries of this station, it saved only {saved}",
    ),
    "centre_unknown": (
        "pusat memegang {n} entri yang tidak disimpan stasiun ini",
        "the centre holds {n} entries this station never saved",
    ),
    "backlog_under_truth": (
        "stasiun menunjukkan {unsynced} belum terkirim, padahal {truth} belum di pusat",
        "the station shows {unsynced} unsynced, yet {truth} are not at the centre",
    ),
    "oldest_missing": (
        "stasiun tidak menunjukkan entri tertua yang belum terkirim ({truth} menunggu)",
        "the station shows no oldest unsynced entry ({truth} waiting)",
    ),
    "oldest_late": (
        "entri tertua belum terkirim menurut stasiun {late} s lebih baru dari sebenarnya",
        "the station's oldest unsynced entry is {late} s later than the true one",
    ),
    "delivery_overdue": (
        "{n} entri belum di pusat lebih dari {grace} s setelah jaringan nyambung",
        "{n} entries not at the centre {grace} s after the link came up",
    ),
    "save_failed": ("penyimpanan gagal ({kind})", "a save failed ({kind})"),
    "dash_unavailable": (
        "dasbor tidak menjawab dengan ringkasannya ({why})",
        "the dashboard did not answer with its overview ({why})",
    ),
    "dash_totals": (
        "dasbor: jumlah pendaftaran {shown}, seharusnya {lo}–{hi}",
        "dashboard: registrations in all {shown}, should be {lo}–{hi}",
    ),
    "dash_today_over_saved": (
        "dasbor: {today} pendaftaran hari ini, stasiun baru menyimpan {saved}",
        "dashboard: {today} registrations today, the station saved only {saved}",
    ),
    "dash_today_over_total": (
        "dasbor: {today} pendaftaran hari ini dari {total} seluruhnya",
        "dashboard: {today} registrations today out of {total} in all",
    ),
    "dash_missing": (
        "dasbor tidak menampilkan stasiun ini",
        "the dashboard does not show this station",
    ),
    "dash_registrations": (
        "dasbor: {shown} pendaftaran, seharusnya {lo}–{hi}",
        "dashboard: {shown} registrations, should be {lo}–{hi}",
    ),
    "dash_total": (
        "dasbor: total hari ini {shown}, seharusnya {lo}–{hi}",
        "dashboard: today's total {shown}, should be {lo}–{hi}",
    ),
    "dash_backlog_range": (
        "dasbor: antrean dilaporkan {shown}, seharusnya 0–{hi}",
        "dashboard: reported backlog {shown}, should be 0–{hi}",
    ),
    "dash_backlog_stale": (
        "dasbor: antrean dilaporkan {shown}, stasiun menunjukkan {actual}",
        "dashboard: reported backlog {shown}, the station shows {actual}",
    ),
    "dash_never_seen": (
        "dasbor: stasiun belum pernah terlihat, padahal sudah mengirim",
        "dashboard: the station was never seen, yet it has delivered",
    ),
    "dash_silent": (
        "dasbor: stasiun ditandai diam, padahal terlihat {ago} s lalu",
        "dashboard: the station is marked silent, yet was seen {ago} s ago",
    ),
    "dash_skew": (
        "dasbor: selisih jam {skew} s, padahal satu jam yang sama",
        "dashboard: clock skew {skew} s on one and the same clock",
    ),
    "not_captured": (
        "{n} penduduk tidak tersimpan di stasiun",
        "{n} residents were not saved at a station",
    ),
    "not_delivered": (
        "{n} penduduk tidak sampai di pusat",
        "{n} residents did not reach the centre",
    ),
    "duplicate": (
        "{n} penduduk tercatat lebih dari sekali di pusat",
        "{n} residents recorded more than once at the centre",
    ),
    "wrong_station": (
        "{n} penduduk tercatat di pusat untuk stasiun lain",
        "{n} residents recorded at the centre under another station",
    ),
    "unknown_at_centre": (
        "{n} pendaftaran di pusat tidak disimpan simulasi",
        "{n} registrations at the centre were never saved by the replay",
    ),
    "final_status": (
        "akhir: stasiun menandai {synced} terkirim dari {saved}, {unsynced} belum terkirim",
        "at the end: the station marks {synced} of {saved} delivered, {unsynced} unsynced",
    ),
    "drain_timeout": (
        "antrean tidak habis dalam {limit} s setelah jaringan nyambung",
        "the queues did not drain within {limit} s of the links coming up",
    ),
}


def _number(value: object, lang: str) -> str:
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "id" else text
    return str(value)


@dataclass(frozen=True, slots=True)
class Violation:
    """One check that did not hold: when (seconds of the replay), where, which, the numbers."""

    at: float
    station: str | None
    code: str
    values: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        id_text, en_text = _MESSAGES[self.code]
        values = {k: _number(v, lang) for k, v in self.values.items()}
        text = (en_text if lang == "en" else id_text).format(**values)
        where = f"{self.station} " if self.station else ""
        return f"[{_number(float(self.at), lang)} s] {where}{self.code}: {text}"

    def to_json(self) -> dict[str, object]:
        return {"at": round(self.at, 1), "station": self.station, "code": self.code, **self.values}


@dataclass
class Tally:
    """Checks run and violations found, in order."""

    checks: int = 0
    violations: list[Violation] = field(default_factory=list)

    def expect(self, ok: bool, at: float, station: str | None, code: str, **values: object) -> bool:
        self.checks += 1
        if not ok:
            self.violations.append(Violation(at, station, code, values))
        return ok

    def by_code(self) -> dict[str, int]:
        return dict(Counter(v.code for v in self.violations))


@dataclass(frozen=True, slots=True)
class StationView:
    """One station at one check, read in the order of the module docstring."""

    station_id: str
    at: float  # seconds of the replay
    saved_before: int  # saves finished before the queue was read
    status: Mapping[str, object]  # QueueStatus.to_json(): what ``queue status --json`` shows
    at_centre: frozenset[str]  # entry ids the centre holds for the station (read after)
    started_after: int  # saves begun by the time everything was read
    saved_after: frozenset[str]  # entry ids of the saves finished by then
    #: the latest moment the oldest entry saved before the status and not at the centre can
    #: have been captured (None: every such entry is at the centre)
    oldest_waiting: datetime | None = None
    waiting: int = 0  # how many such entries
    overdue: int = 0  # entries not at the centre DELIVERY_GRACE after the link came up
    quiet: bool = False  # link up, nothing saved, nothing unsynced for SETTLE seconds


def _int(status: Mapping[str, object], key: str) -> int:
    value = status.get(key, 0)
    return value if isinstance(value, int) else 0


def check_station(view: StationView, tally: Tally) -> None:
    """The station's queue status against the truth (every second)."""
    s, at, st = view.station_id, view.at, view.status
    total, synced, unsynced = _int(st, "total"), _int(st, "synced"), _int(st, "unsynced")
    centre = len(view.at_centre)
    lo, hi = view.saved_before, view.started_after
    tally.expect(lo <= total <= hi, at, s, "queue_total", total=total, lo=lo, hi=hi)
    refused = sum(_int(st, k) for k in ("rejected", "conflict", "discarded", "resolved"))
    tally.expect(refused == 0, at, s, "queue_refused", n=refused)
    tally.expect(synced <= centre, at, s, "synced_not_at_centre", synced=synced, centre=centre)
    tally.expect(centre <= hi, at, s, "centre_over_saved", centre=centre, saved=hi)
    in_progress = hi - len(view.saved_after)  # saves begun, not returned: ids not known yet
    unknown = len(view.at_centre - view.saved_after)
    tally.expect(unknown <= in_progress, at, s, "centre_unknown", n=unknown)
    truth = max(0, lo - centre)
    tally.expect(unsynced >= truth, at, s, "backlog_under_truth", unsynced=unsynced, truth=truth)
    shown = st.get("oldest_unsynced_at")
    if view.oldest_waiting is not None:
        if tally.expect(isinstance(shown, str), at, s, "oldest_missing", truth=view.waiting):
            late = (parse_utc(str(shown)) - view.oldest_waiting).total_seconds()
            tally.expect(
                parse_utc(str(shown)) <= view.oldest_waiting + _CLOCK_SLACK,
                at,
                s,
                "oldest_late",
                late=round(late, 3),
            )
    tally.expect(view.overdue == 0, at, s, "delivery_overdue", n=view.overdue, grace=DELIVERY_GRACE)


def _stations_of(overview: Mapping[str, object]) -> dict[str, Mapping[str, object]]:
    rows = overview.get("stations")
    found: dict[str, Mapping[str, object]] = {}
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, Mapping) and isinstance(row.get("station_id"), str):
                found[str(row["station_id"])] = row
    return found


def _backlog(row: Mapping[str, object]) -> object:
    backlog = row.get("reported_backlog")
    return backlog.get("pending") if isinstance(backlog, Mapping) else None


def check_overview(
    overview: Mapping[str, object],
    views: Sequence[StationView],
    tally: Tally,
    *,
    now: datetime,
    check_today: bool = True,
) -> None:
    """The centre's overview (the dashboard's ``GET /v1/dashboard/overview``) against the
    truth and the stations' views, read before it (every second). ``now``: when it was read;
    ``check_today``: False once the centre's day is not the one the replay began on (today's
    total restarts at the centre's midnight, Asia/Jakarta)."""
    if "unavailable" in overview or not isinstance(overview.get("stations"), list):
        at = views[0].at if views else 0.0
        why = str(overview.get("unavailable", "no stations"))
        tally.expect(False, at, None, "dash_unavailable", why=why)
        return
    rows = _stations_of(overview)
    for view in views:
        s, at = view.station_id, view.at
        row = rows.get(s)
        if not tally.expect(row is not None, at, s, "dash_missing") or row is None:
            continue
        lo, hi = len(view.at_centre), view.started_after
        shown = row.get("registrations")
        ok = isinstance(shown, int) and lo <= shown <= hi
        tally.expect(ok, at, s, "dash_registrations", shown=str(shown), lo=lo, hi=hi)
        today = row.get("registrations_today")
        if isinstance(today, int):
            # never more than the station saved; and, the overview being one snapshot, never
            # more today than in all (a batch landing between two of its reads did show 97
            # of 96 before it was)
            tally.expect(0 <= today <= hi, at, s, "dash_today_over_saved", today=today, saved=hi)
            if isinstance(shown, int):
                ok = today <= shown
                tally.expect(ok, at, s, "dash_today_over_total", today=today, total=shown)
        pending = _backlog(row)
        ok = pending is None or (isinstance(pending, int) and 0 <= pending <= hi)
        tally.expect(ok, at, s, "dash_backlog_range", shown=str(pending), hi=hi)
        if view.quiet:
            actual = _int(view.status, "pending") + _int(view.status, "sending")
            tally.expect(
                pending == actual, at, s, "dash_backlog_stale", shown=str(pending), actual=actual
            )
        seen = row.get("last_seen_at")
        if view.status.get("last_sync_at") is not None:
            tally.expect(isinstance(seen, str), at, s, "dash_never_seen")
        if isinstance(seen, str) and "silent" in row:
            ago = (now - parse_utc(seen)).total_seconds()
            if ago < SEEN_RECENTLY_SECONDS:
                tally.expect(row["silent"] is False, at, s, "dash_silent", ago=round(ago, 1))
        skew = row.get("clock_skew_seconds")
        if isinstance(skew, (int, float)):
            ok = abs(skew) <= MAX_SKEW_SECONDS
            tally.expect(ok, at, s, "dash_skew", skew=round(float(skew), 2))
    if not views:
        return
    lo = sum(len(v.at_centre) for v in views)
    hi = sum(v.started_after for v in views)
    totals = overview.get("totals")
    if isinstance(totals, Mapping) and "registrations" in totals:
        shown = totals["registrations"]
        ok = isinstance(shown, int) and lo <= shown <= hi
        tally.expect(ok, views[0].at, None, "dash_totals", shown=str(shown), lo=lo, hi=hi)
    today = overview.get("today")
    if check_today and isinstance(today, Mapping):
        total = today.get("total")
        ok = isinstance(total, int) and lo <= total <= hi
        tally.expect(ok, views[0].at, None, "dash_total", shown=str(total), lo=lo, hi=hi)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The end of the replay: who is at the centre, how often, under which station."""

    residents: int  # saved by the replay
    delivered: int  # of those, at the centre
    duplicates: int  # extra registrations of a resident already there
    missing: int
    unknown: int  # at the centre, never saved by the replay
    wrong_station: int


def tally_delivery(saved: Mapping[str, str], held: Sequence[tuple[str, str]]) -> Delivery:
    """``saved``: NIK → the station that saved it; ``held``: (NIK, station) of every
    registration at the centre."""
    counts = Counter(nik for nik, _station in held)
    stations = dict(held)
    delivered = sum(1 for nik in saved if nik in counts)
    return Delivery(
        residents=len(saved),
        delivered=delivered,
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        missing=len(saved) - delivered,
        unknown=sum(1 for nik in counts if nik not in saved),
        wrong_station=sum(
            1 for nik, st in saved.items() if nik in stations and stations[nik] != st
        ),
    )


def check_final(
    delivery: Delivery,
    views: Sequence[StationView],
    overview: Mapping[str, object],
    tally: Tally,
    *,
    residents: int,
    drained: bool,
    drain_limit: float,
    now: datetime,
    check_today: bool = True,
) -> None:
    """At the end, every link up for long enough: each of the ``residents`` saved and at the
    centre exactly once, every station empty, the dashboard showing it."""
    at = views[0].at if views else 0.0
    tally.expect(drained, at, None, "drain_timeout", limit=drain_limit)
    lost = residents - delivery.residents
    tally.expect(lost == 0, at, None, "not_captured", n=lost)
    tally.expect(delivery.missing == 0, at, None, "not_delivered", n=delivery.missing)
    tally.expect(delivery.duplicates == 0, at, None, "duplicate", n=delivery.duplicates)
    tally.expect(delivery.wrong_station == 0, at, None, "wrong_station", n=delivery.wrong_station)
    tally.expect(delivery.unknown == 0, at, None, "unknown_at_centre", n=delivery.unknown)
    for view in views:
        st = view.status
        synced, unsynced = _int(st, "synced"), _int(st, "unsynced")
        saved = len(view.saved_after)
        tally.expect(
            synced == saved and unsynced == 0,
            at,
            view.station_id,
            "final_status",
            synced=synced,
            saved=saved,
            unsynced=unsynced,
        )
    quiet = [replace(v, quiet=True) for v in views]
    check_overview(overview, quiet, tally, now=now, check_today=check_today)
