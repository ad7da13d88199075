"""The one vocabulary of what a person reads: field labels, state labels and link texts, each
defined once here in Bahasa Indonesia and English, and used by the form, the tables, the
command line and the messages (``domain/messages.py`` builds its texts from these labels).

Keys are plain strings (a record's JSON field name, a queue state's value, a link state's
value), so this module imports nothing of ours and every layer can use it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "FIELD_LABELS",
    "LINK_TEXTS",
    "STATE_LABELS",
    "field_label",
    "link_text",
    "state_label",
]

#: (Bahasa Indonesia, English) per field of the record, in biodata-form order, plus the
#: form-only ``kecamatan`` (it narrows the kelurahan list and is not stored).
FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {
    "nik": ("NIK", "NIK"),
    "kk_number": ("Nomor KK", "KK number"),
    "full_name": ("Nama lengkap", "Full name"),
    "birth_place": ("Tempat lahir", "Place of birth"),
    "birth_date": ("Tanggal lahir", "Date of birth"),
    "sex": ("Jenis kelamin", "Sex"),
    "blood_type": ("Golongan darah", "Blood type"),
    "religion": ("Agama", "Religion"),
    "marital_status": ("Status perkawinan", "Marital status"),
    "occupation": ("Pekerjaan", "Occupation"),
    "citizenship": ("Kewarganegaraan", "Citizenship"),
    "address": ("Alamat", "Address"),
    "rt": ("RT", "RT"),
    "rw": ("RW", "RW"),
    "kecamatan": ("Kecamatan", "Kecamatan"),
    "kelurahan_code": ("Kelurahan", "Kelurahan"),
    "phone": ("Nomor HP", "Phone number"),
}

#: (Bahasa Indonesia, English) per queue state (``store.State`` values).
STATE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "pending": ("Menunggu dikirim", "Waiting to be sent"),
    "sending": ("Sedang dikirim", "Being sent"),
    "synced": ("Terkirim", "Delivered"),
    "rejected": ("Ditolak pusat", "Rejected by the centre"),
    "conflict": ("Konflik", "Conflict"),
    "discarded": ("Dibatalkan", "Discarded"),
    "resolved": ("Konflik selesai", "Conflict resolved"),
}

#: (Bahasa Indonesia, English) per link state of the sync engine (``sync.engine.Link``).
LINK_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "starting": ("Menghubungkan…", "Connecting…"),
    "online": ("Terhubung ke pusat", "Connected to the centre"),
    "offline": ("Jaringan putus", "Link down"),
    "retrying": ("Pusat sibuk", "Centre busy"),
    "refused": ("Pusat menolak stasiun ini", "The centre refuses this station"),
    "locked": ("Dikirim oleh proses lain", "Sent by another process"),
    "stopped": ("Pengiriman berhenti", "Sending stopped"),
    "not_configured": ("Pusat belum diatur", "No centre configured"),
}


def _pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    texts = table.get(key)
    if texts is None:
        return key
    return texts[1] if lang == "en" else texts[0]


def field_label(field: str, lang: str = "id") -> str:
    """A field's label ("" for a field the record does not have)."""
    return _pick(FIELD_LABELS, field, lang) if field in FIELD_LABELS else ""


def state_label(state: str, lang: str = "id") -> str:
    return _pick(STATE_LABELS, str(state), lang)


def link_text(link: str, lang: str = "id") -> str:
    return _pick(LINK_TEXTS, str(link), lang)
