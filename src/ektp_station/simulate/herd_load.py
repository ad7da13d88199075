"""The light stations of ``simulate herd``: synthetic valid registrations, their batches as the
real engine sends them, and one asyncio task per station posting them all at one instant.

A light station holds its entries in memory (no queue, no window) and speaks the real
protocol: ``POST /v1/batches`` with its own bearer token, version-2 batches of at most
``batch_size`` entries, each entry with its own entry id and revision 1 (the idempotency key),
one batch at a time, the next as soon as the last is answered. On a 503 or 429 it waits the
``Retry-After`` the centre asked for (as the engine does), on a transport failure a jittered
exponential backoff; a 200 is checked as the engine checks it (``parse_batch_reply``: exactly
the ids sent, revisions present).
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx

from ektp_station.sync.protocol import (
    PROTOCOL_VERSION,
    BatchRequest,
    ProtocolError,
    parse_batch_reply,
    parse_error_reply,
    parse_retry_after,
)

__all__ = ["Herd", "StationLoad", "herd_record", "prepare_station"]

#: Synthetic residents: Kecamatan Pancoran Mas, Kota Depok (327602), born 1940..2002 (old
#: enough for a card whatever today is), NIK serials 0001..9999, both sexes: 460 million NIKs.
REGION = "327602"
KELURAHAN = "32.76.02.1007"
FIRST_BIRTH = date(1940, 1, 1)
BIRTH_DAYS = 23_000
SERIALS = 9_999
NIK_SPACE = BIRTH_DAYS * SERIALS * 2
FIRST = ("BUDI", "SITI", "AHMAD", "DEWI", "RUDI", "NUR", "YOGA", "SRI", "ANDI", "MAYA",
         "AGUS", "RATNA", "HENDRA", "FITRI", "JOKO", "YULIA", "BAMBANG", "LESTARI")  # fmt: skip
LAST = ("SANTOSO", "NURHALIZA", "FAUZI", "LESTARI", "HARTONO", "AINI", "PRATAMA", "WAHYUNI",
        "SAPUTRA", "SARI", "WIJAYA", "GUNAWAN", "PERMATA", "SUSILO", "HIDAYAT", "KURNIA")  # fmt: skip
STREETS = ("JL. MARGONDA RAYA", "JL. NUSANTARA", "GG. H. ASMAT", "JL. RAYA BOGOR", "JL. MERDEKA")
STATION_TIME_MARK = "2000-01-01T00:00:00Z"  # replaced by the time of each send


def herd_record(n: int) -> dict[str, str | None]:
    """The ``n``-th synthetic resident (0 <= n < NIK_SPACE), already in normalised form, valid
    by ``domain.validate``; a different NIK for every ``n``. No real person."""
    serial, rest = 1 + n % SERIALS, n // SERIALS
    female, days = rest % 2 == 1, rest // 2 % BIRTH_DAYS
    birth = FIRST_BIRTH + timedelta(days=days)
    day = birth.day + (40 if female else 0)
    return {
        "nik": f"{REGION}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}",
        "kk_number": f"{REGION}1203150{n % 1000:03d}",
        "full_name": f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}",
        "birth_place": "DEPOK",
        "birth_date": birth.isoformat(),
        "sex": "PEREMPUAN" if female else "LAKI-LAKI",
        "blood_type": ("O", "A", "B", "AB")[n % 4],
        "religion": ("ISLAM", "ISLAM", "KRISTEN", "ISLAM", "KATHOLIK")[n % 5],
        "marital_status": "KAWIN" if n % 3 else "BELUM KAWIN",
        "occupation": ("KARYAWAN SWASTA", "WIRASWASTA", "MENGURUS RUMAH TANGGA")[n % 3],
        "citizenship": "WNI",
        "address": f"{STREETS[n % len(STREETS)]} NO. {1 + n % 400}",
        "rt": f"{1 + n % 15:03d}",
        "rw": f"{1 + n % 9:03d}",
        "kelurahan_code": KELURAHAN,
        "phone": None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Batch:
    ids: list[str]
    head: bytes  # the body up to the station time
    tail: bytes  # the body after it

    def body(self) -> bytes:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").encode()
        return self.head + stamp + self.tail


@dataclass
class StationLoad:
    station_id: str
    token: str
    batches: list[Batch]


def prepare_station(
    station_id: str, token: str, first: int, entries: int, batch_size: int
) -> StationLoad:
    """A station holding ``entries`` residents numbered from ``first``, as batches ready to
    send (built before the clock starts: the stations' own encoding is not timed)."""
    captured = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    rows = [
        {
            "entry_id": str(uuid.uuid4()),
            "revision": 1,
            "seq": k + 1,
            "operator": "OPERATOR HERD",
            "captured_at": _iso(captured + timedelta(seconds=k)),
            "record": herd_record(first + k),
        }
        for k in range(entries)
    ]
    batches = []
    for start in range(0, entries, batch_size):
        chunk = rows[start : start + batch_size]
        body = json.dumps(
            {
                "protocol": PROTOCOL_VERSION,
                "station_id": station_id,
                "station_time": STATION_TIME_MARK,
                "backlog": {
                    "pending": entries - start,
                    "oldest_unsynced_at": chunk[0]["captured_at"],
                },
                "entries": chunk,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        head, mark, tail = body.partition(f'"{STATION_TIME_MARK}"')
        assert mark, "station time not found in the body"
        batches.append(
            Batch([str(r["entry_id"]) for r in chunk], (head + '"').encode(), ('"' + tail).encode())
        )
    if batches:  # the shape is the protocol's: checked once per station, not timed
        BatchRequest.model_validate_json(batches[0].body())
    return StationLoad(station_id, token, batches)


@dataclass
class Tally:
    """What the herd saw; ``acked``: entry id -> the statuses answered for it."""

    requests: int = 0
    shed_503: int = 0
    errors_5xx: int = 0
    errors_4xx: int = 0
    busy_429: int = 0
    transport_errors: int = 0
    unreadable_replies: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[str] = field(default_factory=Counter)
    acked: dict[str, list[str]] = field(default_factory=dict)
    last_ack: float = 0.0
    gave_up: int = 0  # stations that stopped on a refusal that is not transient
    generator_cpu_s: float = 0.0  # this process's CPU during the run


class Herd:
    """Every station's task, started at one instant (``start_jitter`` > 0: each station's
    first send waits a random moment up to that, as the engine does after a long outage)."""

    def __init__(
        self,
        url: str,
        stations: list[StationLoad],
        *,
        timeout: float = 10.0,
        max_time: float = 600.0,
        start_jitter: float = 0.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.stations = stations
        self.timeout = timeout
        self.max_time = max_time
        self.start_jitter = start_jitter
        self.tally = Tally()
        self.started = 0.0
        self._ready = 0
        # one context for every station: building one per client costs tens of milliseconds
        self._tls = ssl.create_default_context()

    def run(self) -> Tally:
        asyncio.run(self._run())
        return self.tally

    async def _run(self) -> None:
        go, ready = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(self._station(s, go, ready)) for s in self.stations]
        if tasks:
            await ready.wait()  # every station is waiting on ``go``
        self.started = time.perf_counter()
        go.set()
        await asyncio.gather(*tasks)

    def _deadline_passed(self) -> bool:
        return time.perf_counter() - self.started > self.max_time

    async def _station(self, load: StationLoad, go: asyncio.Event, ready: asyncio.Event) -> None:
        headers = {
            "Authorization": f"Bearer {load.token}",
            "Content-Type": "application/json",
            "User-Agent": "ektp-station",
        }
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=self.url,
            headers=headers,
            timeout=timeout,
            limits=limits,
            verify=self._tls,
            trust_env=False,
        ) as http:
            self._ready += 1
            if self._ready == len(self.stations):
                ready.set()
            await go.wait()
            if self.start_jitter > 0:
                await asyncio.sleep(random.uniform(0.0, self.start_jitter))
            for batch in load.batches:
                if not await self._deliver(http, batch):
                    self.tally.gave_up += 1
                    return

    async def _deliver(self, http: httpx.AsyncClient, batch: Batch) -> bool:
        """Send one batch until the centre answers it; False when the station must stop (a
        permanent refusal, or the run's time is up)."""
        tally = self.tally
        failures = 0
        while not self._deadline_passed():
            sent = time.perf_counter()
            tally.requests += 1
            try:
                reply = await http.post("/v1/batches", content=batch.body())
            except httpx.TransportError:
                tally.transport_errors += 1
                failures += 1
                await asyncio.sleep(random.uniform(0.5, 1.0) * min(30.0, 2.0 ** (failures - 1)))
                continue
            status = reply.status_code
            if status == 200:
                try:
                    parsed = parse_batch_reply(
                        reply.content, reply.headers.get("content-type"), batch.ids
                    )
                except ProtocolError:
                    tally.unreadable_replies += 1
                    failures += 1
                    await asyncio.sleep(min(30.0, 2.0 ** (failures - 1)))
                    continue
                now = time.perf_counter()
                tally.latencies.append(now - sent)
                for result in parsed.results:
                    tally.statuses[result.status] += 1
                    tally.acked.setdefault(result.entry_id, []).append(result.status)
                tally.last_ack = now - self.started
                return True
            error = parse_error_reply(reply.content, reply.headers.get("content-type"))
            code = error.error.code if error else "no_protocol_body"
            wait = parse_retry_after(reply.headers.get("retry-after"))
            if status == 503 and code == "overloaded" and wait is not None:
                tally.shed_503 += 1
            elif status >= 500:
                tally.errors_5xx += 1
                tally.error_codes[f"{status} {code}"] += 1
            elif status == 429:
                tally.busy_429 += 1
            else:
                tally.errors_4xx += 1
                tally.error_codes[f"{status} {code}"] += 1
                return False  # not transient (401, 403, 400, ...): this station stops
            failures += 1
            if wait is None:
                wait = random.uniform(0.5, 1.0) * min(30.0, 2.0 ** (failures - 1))
            await asyncio.sleep(min(wait, 3600.0))
        return False
