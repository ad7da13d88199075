"""Translations: Bahasa Indonesia is the source language; ``resources/i18n/ektp_station_<lang>.ts``
(Qt Linguist XML, committed) holds the others.

The ``.ts`` file is read directly into :class:`TsTranslator`, a dictionary-backed QTranslator,
so no compiled ``.qm`` has to be built or shipped (the checkout, the wheel and a frozen bundle
all carry ``resources/``). ``pyside6-lrelease`` still accepts the same file, should a ``.qm``
ever be preferred. Strings are marked with ``self.tr()`` (context = the class name), so
``pyside6-lupdate`` can refresh the ``.ts`` from the sources.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication, QObject, QTranslator

from ..resources import resource_path

__all__ = [
    "LANGUAGES",
    "QT_TRANSLATE_NOOP",
    "SOURCE_LANGUAGE",
    "TsTranslator",
    "current_language",
    "install_translator",
    "load_ts",
]

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "id"
#: The languages a station can be set to, each named in its own language.
LANGUAGES: dict[str, str] = {"id": "Bahasa Indonesia", "en": "English"}

#: Marks a module-level string for ``pyside6-lupdate`` (returns it unchanged); translate it at
#: the point of display with ``QCoreApplication.translate(context, text)``. Typed wrapper of
#: Qt's own, so that the name lupdate looks for stays the same.
QT_TRANSLATE_NOOP = cast(Callable[[str, str], str], QtCore.QT_TRANSLATE_NOOP)


def ts_path(language: str) -> Path:
    return resource_path("i18n", f"ektp_station_{language}.ts")


def qt_ts_path(language: str) -> Path:
    """Qt's own strings (standard buttons, print dialogs, edit menus) in ``language``: ours,
    where PySide6 ships no ``qtbase_<language>.qm`` (it has none for Bahasa Indonesia)."""
    return resource_path("i18n", f"qt_{language}.ts")


def load_ts(path: Path) -> dict[tuple[str, str], str]:
    """``{(context, source): translation}`` of the finished messages of a Linguist file."""
    # Our own resource file, shipped with the program (not untrusted input).
    root = ET.parse(path).getroot()  # noqa: S314
    messages: dict[tuple[str, str], str] = {}
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if source is None or translation is None or not translation.text:
                continue
            if translation.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            messages[(name, source)] = translation.text
    return messages


class TsTranslator(QTranslator):
    """A QTranslator over the messages of one ``.ts`` file."""

    def __init__(
        self, messages: dict[tuple[str, str], str], language: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._messages = messages
        self._language = language

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        # None = not translated here: Qt then shows the source (Indonesian) text.
        return self._messages.get((context, source_text))

    def isEmpty(self) -> bool:
        return not self._messages

    def language(self) -> str:
        return self._language


def install_translator(app: QCoreApplication, language: str) -> TsTranslator | None:
    """Use ``language`` for every string marked with ``tr()`` from now on (replacing an earlier
    choice), and for Qt's own strings where a catalogue of them is shipped (``qt_<language>.ts``:
    Qt's own are English, so Bahasa Indonesia needs one). None when nothing was installed (the
    source language without a Qt catalogue, or a missing file, logged)."""
    for old in app.findChildren(TsTranslator):
        app.removeTranslator(old)
        old.setParent(None)
    installed: TsTranslator | None = None
    paths = [qt_ts_path(language)] if qt_ts_path(language).exists() else []  # none for English
    if language != SOURCE_LANGUAGE:
        paths.append(ts_path(language))
    for path in paths:
        try:
            messages = load_ts(path)
        except (OSError, ET.ParseError) as exc:
            log.warning("translation %s not loaded: %s", path.name, exc.__class__.__name__)
            continue
        installed = TsTranslator(messages, language, app)
        app.installTranslator(installed)
    return installed


def current_language() -> str:
    """The language of the installed translation ("id" when none)."""
    app = QCoreApplication.instance()
    if app is None:
        return SOURCE_LANGUAGE
    installed = app.findChildren(TsTranslator)
    return installed[-1].language() if installed else SOURCE_LANGUAGE
