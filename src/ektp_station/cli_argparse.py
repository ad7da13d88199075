"""argparse's own words in Bahasa Indonesia, like the rest of the command line's help.

argparse looks every fixed text up through ``gettext`` (``argparse._``) when a parser is
built or a message is made; Python ships no Indonesian catalogue, so :func:`speak_indonesian`
puts this dictionary in its place before the parser is built. Texts it does not list stay
as argparse has them.
"""

from __future__ import annotations

import argparse
from typing import Final

__all__ = ["ARGPARSE_ID", "speak_indonesian"]

ARGPARSE_ID: Final[dict[str, str]] = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen",
    "options": "pilihan",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak dikenal: %(value)r (pilih dari %(choices)s)"
    ),
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "expected one argument": "perlu satu argumen",
    "expected at least one argument": "perlu paling sedikit satu argumen",
    "expected at most one argument": "paling banyak satu argumen",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "ambiguous option: %(option)s could match %(matches)s": (
        "pilihan ambigu: %(option)s bisa berarti %(matches)s"
    ),
    "can't open '%(filename)s': %(error)s": "tidak dapat membuka '%(filename)s': %(error)s",
    "ignored explicit argument %r": "argumen %r diabaikan",
}


def _indonesian(text: str) -> str:
    return ARGPARSE_ID.get(text, text)


def speak_indonesian() -> None:
    """From now on argparse's own texts are Indonesian (idempotent)."""
    argparse._ = _indonesian  # type: ignore[attr-defined]  # argparse's gettext hook
