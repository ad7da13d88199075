"""``ektp-station operator add|list|disable|enable|reset-pin``: the station's accounts.

The new PIN is asked twice on the terminal (never echoed), or read as one line from standard
input with ``--pin-stdin`` (for scripts). The station's first account is its supervisor.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .timeutil import format_utc

if TYPE_CHECKING:
    from .cli import Context
    from .store.operators import Operator

__all__ = ["add_parser"]

_T: dict[str, dict[str, str]] = {
    "id": {
        "pin": "PIN baru untuk {name}: ",
        "again": "Ulangi PIN: ",
        "differ": "PIN dan ulangannya berbeda; tidak ada yang diubah.",
        "no_tty": "Tidak ada terminal untuk mengetik PIN; pakai --pin-stdin.",
        "no_pin": "PIN kosong di masukan standar.",
        "added": "Akun {name} dibuat ({role}).",
        "first": " Akun pertama stasiun ini selalu supervisor.",
        "disabled": "Akun {name} dinonaktifkan.",
        "enabled": "Akun {name} diaktifkan.",
        "reset": "PIN {name} diganti.",
        "none": "Belum ada akun. Buat yang pertama: ektp-station operator add NAMA",
        "head": "{name:<30} {role:<11} {active:<6} {created:<17} {last}",
        "yes": "ya",
        "no": "tidak",
        "never": "belum pernah",
    },
    "en": {
        "pin": "New PIN for {name}: ",
        "again": "Repeat the PIN: ",
        "differ": "The PINs differ; nothing changed.",
        "no_tty": "No terminal to type a PIN on; use --pin-stdin.",
        "no_pin": "Empty PIN on standard input.",
        "added": "Account {name} created ({role}).",
        "first": " The station's first account is always a supervisor.",
        "disabled": "Account {name} disabled.",
        "enabled": "Account {name} enabled.",
        "reset": "PIN of {name} changed.",
        "none": "No accounts yet. Create the first: ektp-station operator add NAME",
        "head": "{name:<30} {role:<11} {active:<6} {created:<17} {last}",
        "yes": "yes",
        "no": "no",
        "never": "never",
    },
}


_COLS = {
    "id": ("Nama", "Peran", "Aktif", "Dibuat", "Terakhir masuk"),
    "en": ("Name", "Role", "Active", "Created", "Last sign-in"),
}


def _read_pin(args: argparse.Namespace, name: str, lang: str) -> str | None:
    t = _T[lang]
    if args.pin_stdin:
        line = sys.stdin.readline().strip()
        if not line:
            sys.stderr.write(t["no_pin"] + "\n")
            return None
        return line
    if not sys.stdin.isatty():
        sys.stderr.write(t["no_tty"] + "\n")
        return None
    pin = getpass.getpass(t["pin"].format(name=name))
    if getpass.getpass(t["again"]) != pin:
        sys.stderr.write(t["differ"] + "\n")
        return None
    return pin


def _row(o: Operator) -> dict[str, Any]:
    return {
        "name": o.name,
        "role": o.role,
        "active": o.active,
        "created_at": format_utc(o.created_at),
        "last_sign_in_at": format_utc(o.last_sign_in_at) if o.last_sign_in_at else None,
    }


def _add(ctx: Context) -> int:
    args, t = ctx.args, _T[ctx.lang]
    station = ctx.station()
    first = station.accounts.first_run()
    if not first:
        station.operators()  # a supervisor's use case: refused before the PIN is asked
    pin = _read_pin(args, args.name.upper(), ctx.lang)
    if pin is None:
        return 2
    created = station.add_operator(args.name, pin, role=args.role)
    text = t["added"].format(name=created.name, role=created.role)
    if first and args.role != created.role:
        text += t["first"]
    sys.stdout.write(text + "\n")
    return 0


def _list(ctx: Context) -> int:
    t = _T[ctx.lang]
    accounts = ctx.station().operators()
    if ctx.args.json:
        sys.stdout.write(json.dumps([_row(o) for o in accounts], indent=2) + "\n")
        return 0
    if not accounts:
        sys.stdout.write(t["none"] + "\n")
        return 0
    cols = _COLS[ctx.lang]
    head = t["head"].format(
        name=cols[0], role=cols[1], active=cols[2], created=cols[3], last=cols[4]
    )
    sys.stdout.write(head + "\n")
    for o in accounts:
        last = _local(o.last_sign_in_at) if o.last_sign_in_at else t["never"]
        line = t["head"].format(
            name=o.name[:30],
            role=o.role,
            active=t["yes"] if o.active else t["no"],
            created=_local(o.created_at),
            last=last,
        )
        sys.stdout.write(line + "\n")
    return 0


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _disable(ctx: Context) -> int:
    changed = ctx.station().set_operator_active(ctx.args.name, False)
    sys.stdout.write(_T[ctx.lang]["disabled"].format(name=changed.name) + "\n")
    return 0


def _enable(ctx: Context) -> int:
    changed = ctx.station().set_operator_active(ctx.args.name, True)
    sys.stdout.write(_T[ctx.lang]["enabled"].format(name=changed.name) + "\n")
    return 0


def _reset_pin(ctx: Context) -> int:
    station = ctx.station()
    station.operators()  # a supervisor's use case: refused before the PIN is asked
    pin = _read_pin(ctx.args, ctx.args.name.upper(), ctx.lang)
    if pin is None:
        return 2
    changed = station.reset_pin(ctx.args.name, pin)
    sys.stdout.write(_T[ctx.lang]["reset"].format(name=changed.name) + "\n")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    op = commands.add_parser("operator", help="akun operator stasiun: tambah, daftar, nonaktifkan")
    sub = op.add_subparsers(dest="operator_command", metavar="SUBPERINTAH", required=True)
    add = sub.add_parser("add", help="tambah akun (PIN dari terminal atau --pin-stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=("operator", "supervisor"), default="operator")
    add.add_argument("--pin-stdin", action="store_true", help="baca PIN dari masukan standar")
    add.set_defaults(ctx_func=_add)
    lst = sub.add_parser("list", help="daftar akun")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(ctx_func=_list)
    for name, func, text in (
        ("disable", _disable, "nonaktifkan akun (tidak dapat masuk lagi)"),
        ("enable", _enable, "aktifkan lagi akun"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("name", metavar="NAME")
        cmd.set_defaults(ctx_func=func)
    reset = sub.add_parser("reset-pin", help="ganti PIN akun (PIN dari terminal atau --pin-stdin)")
    reset.add_argument("name", metavar="NAME")
    reset.add_argument("--pin-stdin", action="store_true", help="baca PIN dari masukan standar")
    reset.set_defaults(ctx_func=_reset_pin)
