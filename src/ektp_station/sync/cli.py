"""``ektp-station sync``: deliver the queue to the centre from the command line."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from ..domain.vocabulary import link_text
from ..paths import AppPaths
from ..settings import Settings

if TYPE_CHECKING:
    from ..station import Changes
    from .engine import EngineState, Progress

__all__ = ["add_parser"]


class _Printer:
    """Prints state changes and progress for a person watching the terminal (a
    ``StationListener``)."""

    def __init__(self, quiet: bool, lang: str) -> None:
        self.quiet = quiet
        self.lang = lang
        self._last: str | None = None

    def sync_state_changed(self, state: EngineState) -> None:
        from ..errors import CertificateRefused

        text = link_text(state.link, self.lang)
        # A refusal says why; a certificate that does not verify is never "link down", also
        # when a probe met it.
        if str(state.link) == "refused" or state.last_error_id == CertificateRefused.MESSAGE_ID:
            why = state.last_error_id if self.lang != "en" else state.last_error
            if state.last_error_id == CertificateRefused.MESSAGE_ID:
                text = CertificateRefused.MESSAGE_EN if self.lang == "en" else why or text
            elif why:
                text = f"{text}: {why}"
        if self.quiet or text == self._last:
            return
        self._last = text
        sys.stderr.write(f"[sync] {text}\n")

    def station_changed(self, changes: Changes) -> None:
        pass

    def sync_progress(self, progress: Progress) -> None:
        if not self.quiet:
            line = (
                f"[sync] {progress.synced} sent, {progress.rejected} rejected, "
                f"{progress.conflict} conflicts; {progress.pending} left\n"
                if self.lang == "en"
                else f"[sync] {progress.synced} terkirim, {progress.rejected} ditolak, "
                f"{progress.conflict} konflik; sisa {progress.pending}\n"
            )
            sys.stderr.write(line)


def _run(args: argparse.Namespace) -> int:
    # imported here: registering the subcommand must not load httpx, pydantic, tenacity
    from ..errors import SyncError
    from ..station import Station
    from ..store import State

    paths = AppPaths.resolve(args.data_dir)
    settings = Settings.load(paths)
    for key, value in (
        ("central_url", args.central_url),
        ("token", args.token),
        ("station_id", args.station_id),
        ("batch_size", args.batch_size),
        ("timeout_seconds", args.timeout),
    ):
        if value is not None:
            settings = settings.with_value(key, str(value))  # checked like config set
    settings.check_link()  # also a config.json edited by hand: refused before any connection
    if not settings.central_url or not settings.token:
        sys.stderr.write(
            "The centre's address and the token are not set. Run:\n"
            "  ektp-station config set central-url https://…\n"
            "  ektp-station config set token TOKEN\n"
            if settings.language == "en"
            else "Alamat pusat dan token belum diatur. Jalankan:\n"
            "  ektp-station config set central-url https://…\n"
            "  ektp-station config set token TOKEN\n"
        )
        return 2
    station = Station.open(paths, settings=settings)
    lang = "en" if settings.language == "en" else "id"
    station.subscribe(_Printer(args.quiet, lang))

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        station.stop_foreground()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.mode == "once":
            try:
                sent = station.send_once()
            except SyncError as exc:
                sys.stderr.write(f"{exc.message(lang)} ({exc})\n")
                return 1
            sys.stdout.write(
                f"{sent} entries sent.\n" if lang == "en" else f"{sent} entri dikirim.\n"
            )
            return 0
        if args.mode == "watch":
            station.start_backups()  # a station that only sends still keeps its backups
            station.run_forever()
            engine = station.engine
            if engine is not None and engine.queue_fault is not None:
                raise engine.queue_fault  # stopped by the queue file: its message and status
            return 0
        drained = station.drain(give_up_after=args.max_time)
        left = station.count(State.PENDING)
        lacking = station.count(State.UPLOADING)  # drained: what waits lacks parts here
        if lang == "en":
            done = "Queue empty: every entry sent.\n"
            if lacking:
                done = (
                    f"Everything that can go was sent; {lacking} entries wait for their "
                    "biometrics to be finished (Finish biometrics, F3, in the window).\n"
                )
            stopped = f"Stopped; {left} entries still waiting.\n"
        else:
            done = "Antrean kosong: semua entri terkirim.\n"
            if lacking:
                done = (
                    f"Semua yang bisa dikirim sudah terkirim; {lacking} entri menunggu "
                    "biometriknya dilengkapi (Lengkapi biometrik, F3, di jendela).\n"
                )
            stopped = f"Berhenti; {left} entri masih menunggu.\n"
        sys.stdout.write(done if drained else stopped)
        return 0 if drained else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        station.close()


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser("sync", help="kirim antrean ke pusat")
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        dest="mode",
        action="store_const",
        const="once",
        help="kirim satu batch lalu selesai",
    )
    mode.add_argument(
        "--until-empty",
        dest="mode",
        action="store_const",
        const="until_empty",
        help="kirim sampai antrean kosong (bawaan)",
    )
    mode.add_argument(
        "--watch",
        dest="mode",
        action="store_const",
        const="watch",
        help="terus berjalan dan kirim setiap entri baru",
    )
    sync.set_defaults(mode="until_empty", func=_run)
    sync.add_argument("--central-url", metavar="URL")
    sync.add_argument("--token", metavar="T")
    sync.add_argument("--station-id", metavar="ID")
    sync.add_argument("--batch-size", type=int, metavar="N")
    sync.add_argument("--timeout", type=float, metavar="SECONDS", help="batas waktu per permintaan")
    sync.add_argument(
        "--max-time",
        type=float,
        metavar="SECONDS",
        help="dengan --until-empty: menyerah setelah sekian detik",
    )
    sync.add_argument("-q", "--quiet", action="store_true")
