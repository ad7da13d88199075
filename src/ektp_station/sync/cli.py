"""``ektp-station sync``: deliver the queue to the centre from the command line."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from ..paths import AppPaths
from ..settings import Settings

if TYPE_CHECKING:
    from .engine import EngineState, Progress

__all__ = ["add_parser"]

_LINK_TEXT = {
    "online": "terhubung ke pusat",
    "offline": "jaringan putus; mencoba lagi",
    "retrying": "pusat sibuk; menunggu",
    "refused": "pusat menolak token/stasiun ini",
    "locked": "proses sinkron lain sedang berjalan pada antrean ini",
    "stopped": "berhenti",
    "starting": "memulai",
}


class _Printer:
    """Prints state changes and progress for a person watching the terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._last: str | None = None

    def sync_state_changed(self, state: EngineState) -> None:
        if self.quiet or state.link == self._last:
            return
        self._last = str(state.link)
        sys.stderr.write(f"[sync] {_LINK_TEXT[state.link]}\n")

    def sync_progress(self, progress: Progress) -> None:
        if not self.quiet:
            sys.stderr.write(
                f"[sync] {progress.synced} terkirim, {progress.rejected} ditolak, "
                f"{progress.conflict} konflik; sisa {progress.pending}\n"
            )


def _run(args: argparse.Namespace) -> int:
    # imported here: registering the subcommand must not load httpx, pydantic, tenacity
    from ..store import Queue, State
    from .client import CentralClient
    from .engine import EngineConfig, SyncEngine
    from .errors import SyncError

    paths = AppPaths.resolve(args.data_dir)
    settings = Settings.load(paths)
    url = args.central_url or settings.central_url
    token = args.token or settings.token
    station = args.station_id or settings.effective_station_id
    if not url or not token:
        sys.stderr.write(
            "Alamat pusat dan token belum diatur. Jalankan:\n"
            "  ektp-station config set central-url http://…\n"
            "  ektp-station config set token TOKEN\n"
        )
        return 2
    batch = args.batch_size or settings.batch_size
    timeout = args.timeout or settings.timeout_seconds
    queue = Queue.open(paths.data_dir)
    client = CentralClient(url, token, timeout=timeout)
    engine = SyncEngine(
        queue, client, station, listener=_Printer(args.quiet), config=EngineConfig(batch_size=batch)
    )

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        engine.stop(timeout=0)

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.mode == "once":
            try:
                sent = engine.send_once()
            except SyncError as exc:
                sys.stderr.write(f"{exc.message_id} ({exc})\n")
                return 1
            sys.stdout.write(f"{sent} entri dikirim.\n")
            return 0
        if args.mode == "watch":
            engine.run_forever()
            return 0
        drained = engine.drain(give_up_after=args.max_time)
        left = queue.count(State.PENDING)
        sys.stdout.write(
            "Antrean kosong: semua entri terkirim.\n"
            if drained
            else f"Berhenti; {left} entri masih menunggu.\n"
        )
        return 0 if drained else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        client.close()
        queue.close()


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
