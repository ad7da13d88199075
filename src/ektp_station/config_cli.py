"""``ektp-station config set|show``: the station's settings from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from .paths import AppPaths
from .settings import SETTING_NAMES, Settings, mask_token

__all__ = ["add_parser"]

KEYS = SETTING_NAMES  # command-line names of the settings, mapped to their fields


def _show(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(args.data_dir)
    settings = Settings.load(paths)
    data: dict[str, Any] = {k: v for k, v in asdict(settings).items()}
    data["token"] = mask_token(settings.token)
    data["station_id"] = settings.effective_station_id
    shown = {name: data[field] for name, field in KEYS.items()}
    if args.json:
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
    else:
        english = settings.language == "en"
        unset, file_label = ("(not set)", "file") if english else ("(belum diatur)", "berkas")
        for name, value in shown.items():
            sys.stdout.write(f"{name:<18} {value if value != '' else unset}\n")
        sys.stdout.write(f"{file_label:<18} {paths.config_file}\n")
    return 0


def _set(ctx: Any) -> int:
    """One setting, through the core: a supervisor's (``--as``; the console has those rights
    only while the station has no account yet)."""
    key = ctx.args.key
    ctx.settings.with_value(key, ctx.args.value)  # ConfigError before anyone signs in
    settings = ctx.station().set_setting(key, ctx.args.value)
    value = getattr(settings, KEYS[key])
    shown = mask_token(value) if key == "token" else value
    sys.stdout.write(f"{key} = {shown}\n")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = commands.add_parser("config", help="pengaturan stasiun (alamat pusat, token, …)")
    sub = config.add_subparsers(dest="config_command", metavar="SUBPERINTAH", required=True)
    show = sub.add_parser("show", help="tampilkan pengaturan (token disamarkan)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
    put = sub.add_parser("set", help="ubah satu pengaturan")
    put.add_argument("key", choices=sorted(KEYS))
    put.add_argument("value")
    put.set_defaults(ctx_func=_set)
