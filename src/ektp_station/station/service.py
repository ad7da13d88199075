"""The station's application core: one Qt-free service that owns the queue, the client and
the sync engine's life, and offers every use case with its role rules.

    station = Station.open(AppPaths.resolve(data_dir))
    station.subscribe(listener)            # one change notification + the engine's reports
    station.sign_in("SITI", "1234")        # or station.act_as(Actor.console_user(...))
    saved = station.capture(record, confirmed=True)
    station.start_sync()
    ...
    station.close()

The window, the command line, the demo, the importer and the benchmarks all build the station
here; the engine is wired in one place (:meth:`Station._make_engine`). Every use case returns
what it changed and publishes it (:class:`~.events.Changes`) to the subscribers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import Regions, default_regions
from ..domain.biometrics import missing_parts
from ..errors import ConfigError, NotSignedIn, ReasonRequired, TransitionError
from ..paths import AppPaths
from ..settings import Settings
from ..store import EDITABLE, Entry, Queue, QueueStatus, State, can_transition
from ..store.attachments import AttachmentStore
from ..store.encryption import recovery_key, recovery_key_noted
from ..store.keys import KeyStore
from ..store.operators import Operator, Operators
from ..store.queries import EntrySummary, entry_summaries, page_seqs
from ..timeutil import utc_now
from .accounts import Accounts
from .backups import BackupKeeper
from .biometrics import PreparedParts, check_parts, prepare_parts
from .capture import Assessment, Captured, Corrected, assess
from .events import Changes, EventHub, StationListener
from .health import StorageHealth, check
from .receipts import read_receipt, receipt_key, remove_receipts, seal_legacy_receipts
from .reports import DashboardReport, dashboard_report
from .retention import DailyPurge, PurgeReport
from .roles import Actor, Permission, require

if TYPE_CHECKING:
    from ..store.backup import BackupInfo
    from ..sync.client import CentralClient
    from ..sync.engine import EngineConfig, EngineState, Progress, SyncEngine
    from .bundles import BundleProgress, ExportReport, ReceiptReport
    from .importing import ImportReport

__all__ = ["STOP_WAIT_SECONDS", "Station", "SyncLife", "save_settings"]

log = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 2.0
MAX_REASON = 200


class SyncLife(StrEnum):
    """The sync engine's life as the station runs it."""

    IDLE = "idle"  # not started (or no centre configured)
    RUNNING = "running"  # the engine's thread runs
    STOPPED = "stopped"  # stopped; start_sync() starts a fresh engine


class _EngineRelay:
    """One engine's listener: passes its reports on until that engine is replaced (so a
    replaced engine's last words cannot overwrite its successor's); a batch answered is also
    a change of the queue."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub
        self.active = True

    def sync_state_changed(self, state: EngineState) -> None:
        if self.active:
            self.hub.sync_state_changed(state)

    def sync_progress(self, progress: Progress) -> None:
        if self.active:
            self.hub.sync_progress(progress)
            self.hub.changed(Changes("sync", queue=True))


class Station:
    """See the module docstring. Thread-safe for reads; use cases run on the caller's thread
    (each is one or two short local transactions)."""

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        queue: Queue,
        *,
        engine_config: EngineConfig | None = None,
        today: Callable[[], date] = date.today,
        regions: Regions | None = None,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.queue = queue
        self.today = today
        self.regions = regions or default_regions()
        self.engine_config = engine_config
        self.accounts = Accounts(Operators(queue.engine))
        #: the biometric parts' images, encrypted with keys from the queue's
        self.attachments = AttachmentStore(paths.attachments_dir, queue.key.key)
        self.actor: Actor | None = None
        self.events = EventHub()
        self._engine: SyncEngine | None = None
        self._client: CentralClient | None = None
        self._relay: _EngineRelay | None = None
        self._abandoned: list[CentralClient] = []
        self._life = SyncLife.IDLE
        self._life_lock = threading.RLock()
        self._backups: BackupKeeper | None = None
        self._retention: DailyPurge | None = None
        self._closed = False

    # -- opening and closing -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        paths: AppPaths,
        *,
        settings: Settings | None = None,
        engine_config: EngineConfig | None = None,
        today: Callable[[], date] = date.today,
        recover: bool = True,
        new_queue: bool = False,
        keys: KeyStore | None = None,
    ) -> Station:
        """The station under ``paths``: settings from its config (unless given), its queue
        opened (created or migrated). Nothing is sent before :meth:`start_sync`.

        Where the station has a history but its queue file is missing or empty, QueueMissing
        (``new_queue`` starts a new queue on purpose instead; see docs/failure-modes.md)."""
        settings = settings if settings is not None else Settings.load(paths)
        queue = Queue.open(paths.data_dir, recover=recover, new=new_queue, keys=keys)
        station = cls(paths, settings, queue, engine_config=engine_config, today=today)
        if paths.receipts_dir.is_dir():  # receipts an older version left in clear
            seal_legacy_receipts(paths.receipts_dir, station.receipt_key)
        if paths.attachments_dir.is_dir():  # images of saves that crashed before their row
            station.attachments.sweep(queue.referenced_images())
        return station

    def close(self) -> None:
        """Stop sending and close the queue (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.stop_sync()
            for client in self._abandoned:
                client.close()
            self._abandoned.clear()
            if self._retention is not None:
                self._retention.stop()
                self._retention = None
            if self._backups is not None:
                self._backups.stop(final=True)  # the backup at exit
                self._backups = None
        finally:
            self.queue.close()

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: StationListener) -> None:
        self.events.subscribe(listener)

    def unsubscribe(self, listener: StationListener) -> None:
        self.events.unsubscribe(listener)

    # -- who acts ----------------------------------------------------------------------------

    def sign_in(self, name: str, pin: str) -> Actor:
        """Check name and PIN (locked for a while after too many wrong ones); the operator
        then acts on every use case until :meth:`sign_out`."""
        actor = self.accounts.sign_in(name, pin)
        self.act_as(actor)
        log.info("operator signed in (%s)", actor.role)
        return actor

    def create_first_account(self, name: str, pin: str) -> Actor:
        """On a station without accounts: the first one, its supervisor, signed in."""
        created = self.accounts.add(None, name, pin, "supervisor")
        actor = Actor.of(created)
        self.accounts.store.record_sign_in(created.name)
        self.act_as(actor)
        return actor

    def sign_out(self) -> None:
        self.act_as(None)

    def act_as(self, actor: Actor | None) -> None:
        self.actor = actor
        self.events.changed(Changes("session", session=True))

    def _acting(self) -> Actor:
        if self.actor is None:
            raise NotSignedIn()
        return self.actor

    @property
    def is_supervisor(self) -> bool:
        return self.actor is not None and self.actor.is_supervisor

    def may(self, permission: tuple[str, str]) -> bool:
        """Whether the signed-in operator has ``permission`` (a :class:`Permission`)."""
        return self.actor is not None and self.actor.is_supervisor

    def actions_for(self, state: State) -> frozenset[str]:
        """What the signed-in operator may do to an entry in ``state``: some of "correct",
        "resend", "discard", "resolve" (the front ends enable their buttons by this; the
        use cases check it again)."""
        if self.actor is None:
            return frozenset()
        allowed = set()
        if state in EDITABLE:
            allowed.add("correct")
        if state in (State.REJECTED, State.CONFLICT):
            allowed.add("resend")
        if can_transition(state, State.DISCARDED):
            allowed.add("discard")
        if can_transition(state, State.RESOLVED):
            allowed.add("resolve")
        if state is State.CONFLICT and not self.actor.is_supervisor:
            allowed.clear()  # conflicts are a supervisor's to decide
        return frozenset(allowed)

    @property
    def station_id(self) -> str:
        return self.settings.effective_station_id

    @property
    def city_code(self) -> str | None:
        return self.settings.city_code or None

    # -- capture and corrections --------------------------------------------------------------

    def assess(self, record: Mapping[str, object]) -> Assessment:
        """Every problem of ``record`` at this station (today, its city, its region data)."""
        return assess(record, today=self.today(), area=self.city_code, regions=self.regions)

    def capture(
        self,
        record: Mapping[str, object],
        *,
        confirmed: bool = False,
        images: Mapping[str, bytes] | None = None,
        exceptions: Mapping[str, object] | None = None,
    ) -> Captured:
        """Validate, check for the same resident in the queue, save as ``pending`` (durable
        on return) with the biometric parts (``images`` by part name, ``exceptions``: the
        reasons parts were left out), wake the engine. RecordInvalid (the record's and the
        parts' problems) / WarningsUnconfirmed / DuplicateNikError / AlreadyRecordedError /
        SaveRefused / DiskFull say why not."""
        actor = self._acting()
        images, exceptions = images or {}, exceptions or {}
        problems = self.assess(record).problems + check_parts(images, exceptions)[0]
        assessment = Assessment(problems)
        assessment.raise_unless_saveable(confirmed=confirmed)
        prepared = (
            prepare_parts(self.attachments, images, exceptions)
            if images or exceptions
            else PreparedParts()
        )
        entry = self.queue.enqueue(
            record, operator=actor.name, station_id=self.station_id, parts=prepared.rows
        )
        self.wake()
        changes = Changes.of_entries("capture", entry.seq)
        self.events.changed(changes)
        return Captured(entry, assessment.warnings, changes, prepared.missing)

    def correct(
        self,
        seq: int,
        record: Mapping[str, object] | None = None,
        *,
        fields: Mapping[str, object] | None = None,
        confirmed: bool = False,
    ) -> Corrected:
        """A new revision of a pending, rejected or (supervisor) conflict entry: the whole
        ``record``, or the current one with ``fields`` changed; validated like a capture,
        then in line to be sent. No change: no revision (``Corrected.fields`` empty)."""
        actor = self._acting()
        current = self.queue.get(seq)
        if current.state is State.CONFLICT:
            require(actor, Permission.CORRECT_CONFLICT)
        merged = dict(current.record if record is None else record)
        merged.update(fields or {})
        assessment = self.assess(merged)
        assessment.raise_unless_saveable(confirmed=confirmed)
        entry, changed = self.queue.correct(seq, merged, actor=actor.name)
        changes = Changes("correct", entries=(seq,), queue=bool(changed))
        if changed:
            self.wake()
            self.events.changed(changes)
        return Corrected(entry, changed, assessment.warnings, changes)

    def complete_parts(
        self,
        seq: int,
        *,
        images: Mapping[str, bytes] | None = None,
        exceptions: Mapping[str, object] | None = None,
    ) -> Captured:
        """Finish (or redo) the biometric recording of a waiting entry: the parts given take
        the place of those not verified yet. RecordInvalid (the parts' problems),
        TransitionError (the entry is not waiting), DiskFull."""
        actor = self._acting()
        images, exceptions = images or {}, exceptions or {}
        problems, _reasons = check_parts(images, exceptions)
        Assessment(problems).raise_unless_saveable(confirmed=True)
        prepared = prepare_parts(self.attachments, images, exceptions)
        entry = self.queue.complete_parts(seq, prepared.rows, actor=actor.name)
        self.wake()
        changes = Changes.of_entries("complete", seq)
        self.events.changed(changes)
        rows = self.queue.parts(seq)
        missing = missing_parts(
            [r.part for r in rows if r.captured], [r.part for r in rows if not r.captured]
        )
        return Captured(entry, [], changes, missing)

    def resend(self, seq: int) -> Entry:
        """Put a rejected (or, for a supervisor, a conflict) entry back in line unchanged."""
        actor = self._acting()
        state = self.queue.get(seq).state
        if state not in (State.REJECTED, State.CONFLICT):
            # the queue's move would also take an entry in flight (sending -> pending is the
            # engine's release): a resend must not pull it out of its batch
            raise TransitionError(seq, state, "resent")
        if state is State.CONFLICT:
            require(actor, Permission.RESEND_CONFLICT)
        entry = self.queue.resend(seq, actor=actor.name)
        self.wake()
        self.events.changed(Changes.of_entries("resend", seq))
        return entry

    def discard(self, seq: int, reason: str) -> Entry:
        """Withdraw an entry that must not be sent; a conflict only by a supervisor."""
        actor = self._acting()
        reason = _reason(reason)
        if self.queue.get(seq).state is State.CONFLICT:
            require(actor, Permission.DISCARD_CONFLICT)
        entry = self.queue.discard(seq, actor=actor.name, reason=reason)
        self.events.changed(Changes.of_entries("discard", seq))
        return entry

    def resolve(self, seq: int, note: str) -> Entry:
        """A supervisor closes a conflict: the resident is recorded at the centre."""
        actor = require(self._acting(), Permission.RESOLVE_CONFLICT)
        entry = self.queue.resolve(seq, actor=actor.name, note=_reason(note))
        self.events.changed(Changes.of_entries("resolve", seq))
        return entry

    def import_file(
        self, path: Path, *, fmt: str | None = None, operator: str | None = None, lang: str = "id"
    ) -> ImportReport:
        """Validate and enqueue every line of a JSON-lines or CSV file (see ``importing``)."""
        from .importing import import_file

        actor = self._acting()
        report = import_file(
            self.queue,
            path,
            fmt=fmt,
            operator=operator,
            default_operator="IMPORT" if actor.console else actor.name,
            station_id=self.station_id,
            check=self.assess,
            attachments=self.attachments,
            lang=lang,
        )
        if report.imported:
            self.wake()
            self.events.changed(Changes("import", queue=True))
        return report

    # -- reading -----------------------------------------------------------------------------

    def entry(self, seq: int) -> Entry:
        return self.queue.get(seq)

    def entries(
        self, state: State | None = None, *, limit: int = 100, after: int = 0
    ) -> list[Entry]:
        return self.queue.list_entries(state, limit=limit, after_seq=after)

    def iter_entries(self, state: State | None = None) -> Iterator[Entry]:
        return self.queue.iter_entries(state)

    def may_see_full_nik(self) -> None:
        """NotAllowed unless a supervisor: full NIKs in lists and exports."""
        require(self.actor, Permission.SEE_FULL_NIK)

    def status(self) -> QueueStatus:
        """The counts; QueueGone if the queue file was deleted or replaced since it was
        opened (never counts read from a file that is gone)."""
        self.queue.ensure_there()
        return self.queue.status()

    def count(self, state: State | None = None) -> int:
        return self.queue.count(state)

    def dashboard(self, now: datetime) -> DashboardReport:
        """The dashboard's figures (run it off the GUI thread)."""
        return dashboard_report(self.queue, now)

    def page_seqs(self, **where: object) -> list[int]:
        return page_seqs(self.queue, **where)  # type: ignore[arg-type]

    def entry_summaries(self, seqs: Iterable[int]) -> dict[int, EntrySummary]:
        return entry_summaries(self.queue, seqs)

    def find_waiting(self, nik: str) -> Entry | None:
        return self.queue.find_waiting(nik)

    # -- operator accounts -------------------------------------------------------------------

    def add_operator(self, name: str, pin: str, *, role: str = "operator") -> Operator:
        created = self.accounts.add(self.actor, name, pin, role)
        self.events.changed(Changes("operators", operators=True))
        return created

    def operators(self) -> list[Operator]:
        return self.accounts.list(self.actor)

    def set_operator_active(self, name: str, active: bool) -> Operator:
        changed = self.accounts.set_active(self.actor, name, active)
        self.events.changed(Changes("operators", operators=True))
        return changed

    def reset_pin(self, name: str, pin: str) -> Operator:
        changed = self.accounts.reset_pin(self.actor, name, pin)
        self.events.changed(Changes("operators", operators=True))
        return changed

    # -- settings ----------------------------------------------------------------------------

    def change_settings(self, settings: Settings) -> Changes:
        """A supervisor saves new settings; the sync engine and the backups restart over them."""
        save_settings(self.paths, settings, self.actor)
        self.restart_sync(settings)
        if self._backups is not None:
            self._backups.stop(final=False)
            self._backups = None
            self.start_backups()
        changes = Changes("settings", settings=True)
        self.events.changed(changes)
        return changes

    def set_setting(self, key: str, value: str) -> Settings:
        """One setting by its name (``central-url``, …), checked, saved."""
        settings = self.settings.with_value(key, value)
        self.change_settings(settings)
        return settings

    # -- backups and the storage's health ---------------------------------------------------

    @property
    def backup_folder(self) -> Path:
        """Where the rotating backups go: ``backup-dir``, else ``backups`` in the data folder."""
        configured = self.settings.backup_dir
        return Path(configured) if configured else self.paths.data_dir / "backups"

    def _keeper(self) -> BackupKeeper:
        settings = self.settings
        return BackupKeeper(
            self.queue,
            self.backup_folder,
            every=settings.backup_every_minutes * 60.0,
            keep=settings.backup_keep,
            create=not settings.backup_dir,
            owner=self.station_id,
        )

    def start_backups(self) -> None:
        """Back up the queue every ``backup-every`` minutes while the station runs, and once
        more when it closes; purge what is past its retention now and daily (the window and
        ``sync --watch``); idempotent."""
        with self._life_lock:
            if self._backups is None:
                self._backups = self._keeper()
                self._backups.start()
            if self._retention is None:
                self._retention = DailyPurge(lambda: self._purge(None, "SISTEM"))
                self._retention.start()

    # -- retention ---------------------------------------------------------------------------

    def purge(self, older_than_days: int | None = None) -> PurgeReport:
        """A supervisor purges the personal data (and receipts) of entries the centre
        confirmed or that were withdrawn more than ``older_than_days`` ago (default: the
        ``retention-days`` setting)."""
        actor = require(self.actor, Permission.PURGE)
        return self._purge(older_than_days, actor.name)

    def _purge(self, older_than_days: int | None, actor: str) -> PurgeReport:
        days = self.settings.retention_days if older_than_days is None else older_than_days
        if days < 0:
            raise ValueError("older_than_days must not be negative")
        seqs, images = self.queue.purge(cutoff=utc_now() - timedelta(days=days), actor=actor)
        removed = remove_receipts(self.paths.receipts_dir, seqs)
        self.attachments.remove(images)  # the biometrics no entry names any more
        if seqs:
            log.info("retention: personal data of %d entries purged", len(seqs))
            self.events.changed(Changes.of_entries("purge", *seqs))
        return PurgeReport(tuple(seqs), removed, days)

    @property
    def receipt_key(self) -> bytes:
        """The key the receipts are sealed with (``station.receipts``)."""
        return receipt_key(self.queue.key.key)

    def receipt_pdf(self, seq: int) -> bytes:
        """The kept receipt of entry ``seq``, as a PDF (ReceiptUnreadable when none)."""
        return read_receipt(self.paths.receipts_dir, seq, self.receipt_key)

    # -- the USB bundles (station/bundles.py, docs/bundles.md) -------------------------------

    def bundle_waiting(self) -> int:
        """How many entries a bundle would carry now (not confirmed by the centre yet)."""
        from .bundles import waiting_count

        return waiting_count(self.queue)

    def export_bundle(
        self, target: Path, progress: Callable[[BundleProgress], None] | None = None
    ) -> ExportReport:
        """A supervisor writes what waits into a bundle for the centre (nothing changes here)."""
        from .bundles import export_bundle

        require(self.actor, Permission.CARRY_BUNDLE)
        self.queue.ensure_there()
        return export_bundle(self.queue, self.attachments, self.settings, target, progress)

    def import_receipt(self, source: Path) -> ReceiptReport:
        """A supervisor applies the centre's receipt for a bundle, as replies from the centre."""
        from .bundles import import_receipt

        require(self.actor, Permission.CARRY_BUNDLE)
        self.queue.ensure_there()
        report = import_receipt(self.queue, self.settings, source)
        self.events.changed(Changes(origin="receipt", queue=True))
        return report

    def recovery_key(self) -> str:
        """The queue's recovery key (a supervisor's), until :meth:`recovery_key_noted`:
        RecoveryKeyShown after (docs/encryption.md)."""
        require(self.actor, Permission.SEE_RECOVERY_KEY)
        return recovery_key(self.queue.engine, self.queue.key)

    def recovery_key_noted(self) -> None:
        """The recovery key reached the supervisor (printed, or written down): never again."""
        require(self.actor, Permission.SEE_RECOVERY_KEY)
        recovery_key_noted(self.queue.engine)

    def backup_now(self, target: Path | None = None) -> BackupInfo:
        """A checked backup now: to ``target``, or the next generation in the backup folder
        (the oldest beyond ``backup-keep`` removed). BackupFailed, QueueGone."""
        if target is not None:
            from ..store.backup import backup

            self.queue.ensure_there()
            return backup(self.queue, target)
        return (self._backups or self._keeper()).backup_now()

    def health(self) -> StorageHealth:
        """The queue file, the free disk space, the backups (cheap: the window asks often)."""
        engine = self._engine
        return check(
            self.queue,
            min_free_mb=self.settings.min_free_mb,
            backup_dir=self.backup_folder,
            engine_fault=engine.queue_fault if engine is not None else None,
            backups=self._backups,
            owner=self.station_id,
        )

    # -- the sync engine's life --------------------------------------------------------------

    @property
    def sync_life(self) -> SyncLife:
        return self._life

    @property
    def sync_configured(self) -> bool:
        return bool(self.settings.central_url and self.settings.token)

    @property
    def engine(self) -> SyncEngine | None:
        """The current engine (None until started, or without a centre)."""
        return self._engine

    @property
    def engine_state(self) -> EngineState | None:
        return self._engine.state if self._engine is not None else None

    def _make_engine(self) -> SyncEngine | None:
        """The one place the client and the engine are wired (None without a centre);
        ConfigError when the centre's address is refused (plain http:// to another host
        without allow-insecure)."""
        if not self.sync_configured:
            return None
        from ..sync.client import CentralClient
        from ..sync.engine import EngineConfig, SyncEngine

        settings = self.settings
        settings.check_link()  # ConfigError before any connection: the token stays here
        self._client = CentralClient(
            settings.central_url,
            settings.token,
            timeout=settings.timeout_seconds,
            ca_file=settings.ca_file or None,
        )
        self._relay = _EngineRelay(self.events)
        self._engine = SyncEngine(
            self.queue,
            self._client,
            settings.effective_station_id,
            listener=self._relay,
            config=self.engine_config or EngineConfig(batch_size=settings.batch_size),
            attachments=self.attachments,
        )
        return self._engine

    def start_sync(self) -> bool:
        """Start delivering on the engine's own thread. False (and harmless) when it already
        runs or no centre is configured; after :meth:`stop_sync` a fresh engine starts."""
        with self._life_lock:
            if self._closed:
                raise RuntimeError("station is closed")
            if self._life is SyncLife.RUNNING:
                return False
            engine = self._make_engine()
            if engine is None:
                return False
            engine.start()
            self._life = SyncLife.RUNNING
            return True

    def stop_sync(self, timeout: float = STOP_WAIT_SECONDS) -> None:
        """Stop the engine's thread (bounded wait) and close its connection (idempotent). A
        request still in flight is abandoned: its batch is recovered to pending at the next
        start, and the centre's idempotency makes the resend harmless."""
        with self._life_lock:
            engine, self._engine = self._engine, None
            client, self._client = self._client, None
            if self._relay is not None:
                self._relay.active = False
                self._relay = None
            if engine is not None:
                engine.stop(timeout=timeout)
                if engine.running and client is not None:
                    self._abandoned.append(client)  # still in use; closed at close()
                    client = None
            if client is not None:
                client.close()
            if self._life is SyncLife.RUNNING:
                self._life = SyncLife.STOPPED

    def restart_sync(self, settings: Settings | None = None) -> bool:
        """Stop, take ``settings``, and start again if sync was running (True if it runs)."""
        with self._life_lock:
            was_running = self._life is SyncLife.RUNNING
            self.stop_sync()
            if settings is not None:
                self.settings = settings
            return self.start_sync() if was_running else False

    def wake(self) -> None:
        """A new entry is waiting: the engine sends it now (no-op without an engine)."""
        engine = self._engine
        if engine is not None:
            engine.wake()

    def sync_now(self) -> None:
        engine = self._engine
        if engine is not None:
            engine.sync_now()

    def network_changed(self) -> None:
        engine = self._engine
        if engine is not None:
            engine.network_changed()

    # -- delivering in the foreground (``ektp-station sync``) ---------------------------------

    def _foreground_engine(self) -> SyncEngine:
        if self._life is SyncLife.RUNNING:
            raise RuntimeError("the background engine runs already")
        engine = self._engine or self._make_engine()
        if engine is None:
            raise ConfigError(
                "Alamat pusat dan token stasiun belum diatur.",
                "The centre's address and the station token are not set.",
            )
        return engine

    def drain(self, *, give_up_after: float | None = None) -> bool:
        """Send until nothing is pending on this thread; False if stopped or out of time.
        QueueGone if the queue file was deleted or replaced meanwhile."""
        self.queue.ensure_there()
        done = self._foreground_engine().drain(give_up_after=give_up_after)
        self.queue.ensure_there()
        return done

    def send_once(self) -> int:
        """One batch, no retry; SyncError if it failed (QueueGone: the file is gone)."""
        self.queue.ensure_there()
        sent = self._foreground_engine().send_once()
        self.queue.ensure_there()
        return sent

    def run_forever(self) -> None:
        """Deliver every new entry on this thread until :meth:`stop_foreground`."""
        self._foreground_engine().run_forever()

    def stop_foreground(self) -> None:
        """From a signal handler: end :meth:`drain` / :meth:`run_forever` at once."""
        engine = self._engine
        if engine is not None:
            engine.stop(timeout=0)


def save_settings(paths: AppPaths, settings: Settings, actor: Actor | None) -> None:
    """Write the settings, for a supervisor only (also without an open station: ``config
    set`` needs no queue)."""
    require(actor, Permission.CHANGE_SETTINGS)
    try:
        settings.save(paths)
    except OSError as exc:
        log.warning("settings not saved: %s", exc.__class__.__name__)
        raise ConfigError(
            f"Pengaturan tidak tersimpan ({exc.__class__.__name__}). "
            f"Periksa folder {paths.config_dir}.",
            f"Settings not saved ({exc.__class__.__name__}). Check the folder {paths.config_dir}.",
        ) from exc
    log.info("station settings changed by a supervisor")


def _reason(text: str) -> str:
    reason = " ".join(str(text).split())
    if not reason:
        raise ReasonRequired()
    return reason[:MAX_REASON]
