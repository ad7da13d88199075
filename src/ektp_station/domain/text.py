"""Free-text fields: names (full name, place of birth), address, phone number.

Names are printed in capitals and keep apostrophes, dots, commas and hyphens (NUR'AINI,
MUH. ALI). Length limits (*unverified* against SIAK's column widths, change them here):
full name 2-60 characters, place of birth 2-50, address up to 200; a phone number has 8-15
digits with an optional leading +.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from .problems import Problem, make_problem

__all__ = [
    "ADDRESS_MARKS",
    "ADDRESS_MAX",
    "NAME_LIMITS",
    "PHONE_DIGITS",
    "check_address",
    "check_name",
    "check_phone",
    "normalise_phone",
    "normalise_text",
]

NAME_LIMITS: Final[dict[str, tuple[int, int]]] = {"full_name": (2, 60), "birth_place": (2, 50)}
ADDRESS_MAX: Final = 200
PHONE_DIGITS: Final = (8, 15)
NAME_MARKS: Final = frozenset(" '.,-")
#: An address in SIAK's character set: capitals A-Z, digits, space and these marks.
ADDRESS_MARKS: Final = frozenset(" '.,-/")

# Typographic look-alikes typed or pasted from documents -> the plain mark.
_LOOKALIKES: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u2032": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_SPACE_RUN = re.compile(r" {2,}")
# What most names and addresses are, checked in one step (the centre validates every entry of
# every batch): plain capitals and marks, nothing for the character-by-character checks to find
_PLAIN_NAME = re.compile(r"[A-Z '.,-]*[A-Z][A-Z '.,-]*")
_PLAIN_ADDRESS = re.compile(r"[A-Z0-9 '.,/-]+")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/\u2010-\u2015]+")
_PHONE = re.compile(r"\+?[0-9]+")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch).startswith("C")


def normalise_text(text: str) -> str:
    """NFC, look-alike marks made plain, tabs and Unicode spaces made spaces, runs of spaces
    collapsed, ends stripped, capitals. Line breaks and other control characters inside the
    text are kept, for validation to report."""
    if text.isascii():  # the same steps, where NFC changes nothing and ` is the only look-alike
        text = text.replace("\t", " ").replace("`", "'").upper()
        return _SPACE_RUN.sub(" ", text).strip()
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    text = "".join(" " if ch == "\t" or unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = unicodedata.normalize("NFC", text.upper())
    return _SPACE_RUN.sub(" ", text).strip()


def check_name(field: str, value: str) -> list[Problem]:
    """Problems of a normalised full name or place of birth."""
    if not value:
        return [make_problem(field, "required")]
    shortest, longest = NAME_LIMITS[field]
    if shortest <= len(value) <= longest and _PLAIN_NAME.fullmatch(value):
        return []
    if any(_is_control(ch) for ch in value):
        return [make_problem(field, "control_chars")]
    problems: list[Problem] = []
    if any(ch.isdigit() for ch in value):
        problems.append(make_problem(field, "name_digits"))
    allowed = NAME_MARKS
    if any(
        not (ch.isalpha() or ch in allowed or ch.isdigit() or unicodedata.combining(ch))
        for ch in value
    ):
        problems.append(make_problem(field, "name_chars"))
    if not any(ch.isalpha() for ch in value):
        problems.append(make_problem(field, "name_no_letters"))
    if len(value) < shortest:
        problems.append(make_problem(field, "too_short", min=shortest))
    elif len(value) > longest:
        problems.append(make_problem(field, "too_long", max=longest, n=len(value)))
    if any(unicodedata.combining(ch) for ch in value) or any(
        ch.isalpha() and not _latin(ch) for ch in value
    ):
        # Cyrillic or Greek look-alikes (А for A), or marks left after NFC: SIAK has none, and
        # a look-alike would make the same name look like another resident's
        problems.append(make_problem(field, "name_script"))
    elif any(ch.isalpha() and not ("A" <= ch <= "Z") for ch in value):
        problems.append(make_problem(field, "name_non_latin"))
    return problems


def _latin(ch: str) -> bool:
    """A letter of the Latin script (A-Z, or an accented Latin letter such as É)."""
    return "A" <= ch <= "Z" or unicodedata.name(ch, "").startswith("LATIN ")


def check_address(value: str) -> list[Problem]:
    field = "address"
    if not value:
        return [make_problem(field, "required")]
    if len(value) <= ADDRESS_MAX and _PLAIN_ADDRESS.fullmatch(value):
        return []
    problems: list[Problem] = []
    if any(_is_control(ch) for ch in value):
        problems.append(make_problem(field, "control_chars"))
    elif any(not ("A" <= ch <= "Z" or "0" <= ch <= "9" or ch in ADDRESS_MARKS) for ch in value):
        problems.append(make_problem(field, "address_chars"))
    if len(value) > ADDRESS_MAX:
        problems.append(make_problem(field, "too_long", max=ADDRESS_MAX, n=len(value)))
    return problems


def normalise_phone(text: str) -> str | None:
    """``"0812-3456-7890"`` -> ``"081234567890"``, ``"+62 812 3456 7890"`` ->
    ``"+6281234567890"``; blank (or only separators) -> None."""
    cleaned = _PHONE_SEPARATORS.sub("", text)
    return cleaned or None


def check_phone(value: str | None) -> list[Problem]:
    field = "phone"
    if value is None or value == "":
        return []
    if not (value.isascii() and _PHONE.fullmatch(value)):
        return [make_problem(field, "phone_chars")]
    digits = len(value.lstrip("+"))
    shortest, longest = PHONE_DIGITS
    if not shortest <= digits <= longest:
        return [make_problem(field, "phone_length", min=shortest, max=longest, n=digits)]
    return []
