"""The one vocabulary of what a person reads: field labels, state labels and link texts, each
defined once here in Bahasa Indonesia and English, and used by the form, the tables, the
command line and the messages (``domain/messages.py`` builds its texts from these labels).

Keys are plain strings (a record's JSON field name, a queue state's value, a link state's
value), so this module imports nothing of ours and every layer can use it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ENROLMENT_LABELS",
    "ENROLMENT_REASONS",
    "EXCEPTION_LABELS",
    "FIELD_LABELS",
    "LINK_TEXTS",
    "PART_LABELS",
    "STATE_LABELS",
    "enrolment_label",
    "enrolment_reason",
    "field_label",
    "link_text",
    "part_label",
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

#: (Bahasa Indonesia, English) per biometric part of a recording (``domain.biometrics.PARTS``).
PART_LABELS: Final[dict[str, tuple[str, str]]] = {
    "photo": ("Foto wajah", "Face photo"),
    "signature": ("Tanda tangan", "Signature"),
    **{
        f"finger_{hand}{n}": (f"Sidik {finger_id} {side_id}", f"{side_en} {finger_en}")
        for hand, side_id, side_en in (("r", "kanan", "Right"), ("l", "kiri", "Left"))
        for n, finger_id, finger_en in (
            (1, "ibu jari", "thumb"),
            (2, "telunjuk", "index finger"),
            (3, "jari tengah", "middle finger"),
            (4, "jari manis", "ring finger"),
            (5, "kelingking", "little finger"),
        )
    },
    "iris_r": ("Iris kanan", "Right iris"),
    "iris_l": ("Iris kiri", "Left iris"),
}

#: (Bahasa Indonesia, English) per reason a part was not captured (``domain.biometrics``).
EXCEPTION_LABELS: Final[dict[str, tuple[str, str]]] = {
    "missing": ("Tidak ada (amputasi, sejak lahir)", "Missing (amputated, from birth)"),
    "injured": ("Luka atau diperban", "Injured or bandaged"),
    "unreadable": ("Tidak terbaca (aus, rusak)", "Unreadable (worn, damaged)"),
    "unable": ("Tidak mampu (mis. tidak dapat menulis)", "Unable (e.g. cannot write)"),
    "other": ("Alasan lain", "Other reason"),
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
    "uploading": ("Mengirim biometrik", "Sending biometrics"),
}

#: (Bahasa Indonesia, English) per decision of the centre's pipeline on an entry delivered
#: whole with its parts (``store.enrolment``; the reference centre's stand-in for AFIS).
ENROLMENT_LABELS: Final[dict[str, tuple[str, str]]] = {
    "due": ("Terkirim · menunggu hasil pusat", "Delivered · awaiting the centre's result"),
    "print_ready": ("Terkirim · siap cetak", "Delivered · ready to print"),
    "duplicate": ("Perlu rekam ulang", "Must be recorded again"),
    "adjudication": ("Perlu rekam ulang", "Must be recorded again"),
}

#: (Bahasa Indonesia, English) per reason code the centre gives with its decision.
ENROLMENT_REASONS: Final[dict[str, tuple[str, str]]] = {
    "fingerprint_enrolled": (
        "Sidik jari sama dengan penduduk lain (data ganda); minta penduduk datang kembali "
        "dan laporkan ke Disdukcapil.",
        "A fingerprint matches another resident's (duplicate); ask the resident to come back "
        "and report it to Disdukcapil.",
    ),
    "few_fingerprints": (
        "Sidik jari terlalu sedikit untuk dicocokkan; diperiksa petugas pusat (adjudikasi). "
        "Rekam ulang bila jari sudah bisa dipindai.",
        "Too few fingerprints to match; examined by the centre's staff (adjudication). "
        "Record again once the fingers can be scanned.",
    ),
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


def part_label(part: str, lang: str = "id") -> str:
    return _pick(PART_LABELS, part, lang)


def state_label(state: str, lang: str = "id") -> str:
    return _pick(STATE_LABELS, str(state), lang)


def enrolment_label(status: str, lang: str = "id") -> str:
    return _pick(ENROLMENT_LABELS, status, lang)


def enrolment_reason(reason: str, lang: str = "id") -> str:
    return _pick(ENROLMENT_REASONS, reason, lang)


def link_text(link: str, lang: str = "id") -> str:
    return _pick(LINK_TEXTS, str(link), lang)
