"""The catalogue of problem codes and their messages (Bahasa Indonesia, English).

Codes are stable: other layers, reports and tests key on them. Each message says what to fix
and never contains the value that was typed; templates may use ``{label}`` (the field's name)
and the numeric parameters listed next to the code (counts, limits, the station's area code).
"""

from __future__ import annotations

from typing import Final

from .vocabulary import FIELD_LABELS

__all__ = ["CATALOGUE", "FIELD_LABELS", "OVERRIDES"]

ERROR: Final = "error"
WARNING: Final = "warning"


_CHECK_BOTH_ID: Final = "Periksa keduanya; bila memang berbeda, konfirmasi untuk melanjutkan."
_CHECK_BOTH_EN: Final = "Check both; if they really differ, confirm to continue."

# code -> (severity, Indonesian template, English template)
CATALOGUE: Final[dict[str, tuple[str, str, str]]] = {
    # --- any field -------------------------------------------------------------------------
    "required": (ERROR, "{label} wajib diisi.", "{label} is required."),
    "value_not_in_list": (
        ERROR,
        "{label} tidak ada dalam daftar; pilih salah satu dari daftar.",
        "{label} is not a listed value; choose one from the list.",
    ),
    "control_chars": (
        ERROR,
        "{label} berisi karakter tersembunyi (misalnya baris baru atau tab); ketik ulang isinya.",
        "{label} contains hidden characters (such as a line break or tab); retype it.",
    ),
    "too_short": (
        ERROR,
        "{label} terlalu pendek: minimal {min} karakter.",
        "{label} is too short: at least {min} characters.",
    ),
    "too_long": (
        ERROR,
        "{label} terlalu panjang: maksimal {max} karakter (sekarang {n}). "
        "Gunakan singkatan seperti pada KK.",
        "{label} is too long: at most {max} characters (it has {n}). "
        "Abbreviate as on the family card (KK).",
    ),
    # --- NIK -------------------------------------------------------------------------------
    "nik_chars": (
        ERROR,
        "NIK hanya boleh berisi angka; hapus huruf dan tanda lainnya.",
        "The NIK may contain digits only; remove letters and other characters.",
    ),
    "nik_length": (
        ERROR,
        "NIK harus 16 angka (sekarang {n}).",
        "The NIK must have 16 digits (it has {n}).",
    ),
    "nik_province_unknown": (
        ERROR,
        "Kode provinsi pada NIK (angka ke-1 dan ke-2) tidak dikenal; cocokkan NIK dengan KK.",
        "The NIK's province code (digits 1-2) is unknown; check the NIK against the family card.",
    ),
    "nik_kabupaten_unknown": (
        WARNING,
        "Kode kabupaten/kota pada NIK (angka ke-3 dan ke-4) tidak ada di provinsinya. Kode lama "
        "mungkin sudah dihapus; cocokkan NIK dengan KK lalu konfirmasi.",
        "The NIK's regency/city code (digits 3-4) does not exist in its province. Old codes get "
        "retired; check the NIK against the family card, then confirm.",
    ),
    "nik_kecamatan_unknown": (
        WARNING,
        "Kode kecamatan pada NIK (angka ke-5 dan ke-6) tidak ada di kabupaten/kotanya. Kode lama "
        "mungkin sudah dihapus; cocokkan NIK dengan KK lalu konfirmasi.",
        "The NIK's district code (digits 5-6) does not exist in its regency/city. Old codes get "
        "retired; check the NIK against the family card, then confirm.",
    ),
    "nik_day_invalid": (
        ERROR,
        "Tanggal lahir pada NIK (angka ke-7 dan ke-8) harus 01–31 untuk laki-laki atau 41–71 "
        "untuk perempuan; periksa kembali NIK.",
        "The day of birth in the NIK (digits 7-8) must be 01-31 for a man or 41-71 for a woman; "
        "check the NIK.",
    ),
    "nik_month_invalid": (
        ERROR,
        "Bulan lahir pada NIK (angka ke-9 dan ke-10) harus 01–12; periksa kembali NIK.",
        "The month of birth in the NIK (digits 9-10) must be 01-12; check the NIK.",
    ),
    "nik_date_invalid": (
        ERROR,
        "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak ada di kalender "
        "(misalnya 30 Februari); periksa kembali NIK.",
        "The date of birth in the NIK (digits 7-12) does not exist (e.g. 30 February); "
        "check the NIK.",
    ),
    "nik_serial_zero": (
        ERROR,
        "Nomor urut pada NIK (4 angka terakhir) tidak boleh 0000; periksa kembali NIK.",
        "The NIK's serial number (last 4 digits) cannot be 0000; check the NIK.",
    ),
    "nik_birthdate_mismatch": (
        WARNING,
        "Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi. " + _CHECK_BOTH_ID,
        "The date of birth in the NIK differs from the date of birth entered. " + _CHECK_BOTH_EN,
    ),
    "nik_sex_mismatch": (
        WARNING,
        "Jenis kelamin pada NIK (tanggal lahir +40 untuk perempuan) berbeda dengan jenis kelamin "
        "yang dipilih. " + _CHECK_BOTH_ID,
        "The sex encoded in the NIK (day of birth +40 for women) differs from the sex chosen. "
        + _CHECK_BOTH_EN,
    ),
    # --- KK --------------------------------------------------------------------------------
    "kk_chars": (
        ERROR,
        "Nomor KK hanya boleh berisi angka; hapus huruf dan tanda lainnya.",
        "The KK number may contain digits only; remove letters and other characters.",
    ),
    "kk_length": (
        ERROR,
        "Nomor KK harus 16 angka (sekarang {n}).",
        "The KK number must have 16 digits (it has {n}).",
    ),
    "kk_province_unknown": (
        ERROR,
        "Kode provinsi pada nomor KK (angka ke-1 dan ke-2) tidak dikenal; periksa kembali "
        "nomor KK.",
        "The KK number's province code (digits 1-2) is unknown; check the KK number.",
    ),
    "kk_region_unknown": (
        WARNING,
        "Kode wilayah pada nomor KK (angka ke-3 sampai ke-6) tidak dikenal; periksa kembali "
        "nomor KK lalu konfirmasi.",
        "The KK number's region code (digits 3-6) is unknown; check the KK number, then confirm.",
    ),
    "kk_date_invalid": (
        WARNING,
        "Tanggal pada nomor KK (angka ke-7 sampai ke-12) bukan tanggal yang ada; periksa "
        "kembali nomor KK lalu konfirmasi.",
        "The date in the KK number (digits 7-12) is not a real date; check the KK number, "
        "then confirm.",
    ),
    "kk_date_future": (
        WARNING,
        "Tanggal pada nomor KK (angka ke-7 sampai ke-12) ada di masa depan; periksa kembali "
        "nomor KK lalu konfirmasi.",
        "The date in the KK number (digits 7-12) is in the future; check the KK number, "
        "then confirm.",
    ),
    "kk_same_as_nik": (
        WARNING,
        "Nomor KK sama dengan NIK; nomor KK adalah nomor kartu keluarga, bukan NIK. "
        "Periksa kembali lalu konfirmasi.",
        "The KK number is the same as the NIK; the KK number is the family card's number, "
        "not the NIK. Check it, then confirm.",
    ),
    # --- dates and age ---------------------------------------------------------------------
    "birth_date_format": (
        ERROR,
        "Tanggal lahir harus ditulis TTTT-BB-HH (contoh 1990-08-17).",
        "The date of birth must be written YYYY-MM-DD (e.g. 1990-08-17).",
    ),
    "birth_date_invalid": (
        ERROR,
        "Tanggal lahir tidak ada di kalender; periksa tanggal dan bulannya.",
        "The date of birth does not exist; check the day and the month.",
    ),
    "birth_date_future": (
        ERROR,
        "Tanggal lahir tidak boleh di masa depan; periksa tahunnya.",
        "The date of birth cannot be in the future; check the year.",
    ),
    "age_implausible": (
        ERROR,
        "Umur lebih dari {max} tahun tidak masuk akal; periksa tahun lahir.",
        "An age over {max} years is not plausible; check the year of birth.",
    ),
    "age_under_16": (
        ERROR,
        "Penduduk belum berumur 16 tahun dan belum pernah kawin, jadi belum boleh merekam "
        "KTP-el. Periksa tanggal lahir dan status perkawinan.",
        "The resident is under 16 and has never married, so cannot be recorded for a KTP-el "
        "yet. Check the date of birth and the marital status.",
    ),
    "age_16": (
        WARNING,
        "Penduduk berumur 16 tahun: perekaman boleh, tetapi KTP-el baru dicetak setelah "
        "berumur 17 tahun. Konfirmasi untuk melanjutkan.",
        "The resident is 16: recording is allowed, but the KTP-el is printed only at 17. "
        "Confirm to continue.",
    ),
    "married_too_young": (
        ERROR,
        "Status perkawinan ini tidak masuk akal untuk umur di bawah {min} tahun; periksa status "
        "perkawinan dan tanggal lahir.",
        "This marital status is not plausible under the age of {min}; check the marital status "
        "and the date of birth.",
    ),
    # --- enumerations ----------------------------------------------------------------------
    "citizenship_dual": (
        ERROR,
        "KTP-el hanya untuk WNI atau WNA; dua kewarganegaraan tidak dapat dicatat. "
        "Pilih WNI atau WNA.",
        "A KTP-el is only for WNI or WNA; dual citizenship cannot be recorded. Choose WNI or WNA.",
    ),
    # --- names and text --------------------------------------------------------------------
    "name_digits": (
        ERROR,
        "{label} tidak boleh berisi angka.",
        "{label} cannot contain digits.",
    ),
    "name_chars": (
        ERROR,
        "{label} hanya boleh berisi huruf, spasi, dan tanda ' . , - (contoh NUR'AINI, MUH. ALI).",
        "{label} may contain only letters, spaces and the marks ' . , - (e.g. NUR'AINI, MUH. ALI).",
    ),
    "name_no_letters": (
        ERROR,
        "{label} harus berisi huruf.",
        "{label} must contain letters.",
    ),
    "name_script": (
        ERROR,
        "{label} berisi huruf yang bukan huruf Latin (misalnya huruf Kirilik yang mirip A–Z) "
        "atau tanda diakritik lepas. Ketik ulang dengan huruf A–Z.",
        "{label} contains letters that are not Latin (such as Cyrillic look-alikes of A-Z) or "
        "loose diacritic marks. Type it again with the letters A-Z.",
    ),
    "address_chars": (
        ERROR,
        "Alamat hanya boleh berisi huruf A–Z, angka, spasi, dan tanda . , ' - / "
        "(contoh JL. MAWAR NO. 1/2).",
        "The address may contain only the letters A-Z, digits, spaces and the marks . , ' - / "
        "(e.g. JL. MAWAR NO. 1/2).",
    ),
    "name_non_latin": (
        WARNING,
        "{label} berisi huruf di luar A–Z (misalnya huruf beraksen) yang mungkin tidak tercetak "
        "di KTP-el. Samakan dengan KK lalu konfirmasi.",
        "{label} contains letters outside A-Z (such as accented letters) that the KTP-el may not "
        "print. Make it match the family card, then confirm.",
    ),
    # --- phone -----------------------------------------------------------------------------
    "phone_chars": (
        ERROR,
        "Nomor telepon hanya boleh berisi angka, boleh diawali + (contoh 081234567890).",
        "The phone number may contain digits only, optionally starting with + (e.g. 081234567890).",
    ),
    "phone_length": (
        ERROR,
        "Nomor telepon harus {min}–{max} angka (sekarang {n}).",
        "The phone number must have {min}-{max} digits (it has {n}).",
    ),
    # --- RT / RW ---------------------------------------------------------------------------
    "rt_rw_format": (
        ERROR,
        "{label} harus berupa angka, paling banyak 3 digit (contoh 003).",
        "{label} must be a number of at most 3 digits (e.g. 003).",
    ),
    "rt_rw_zero": (
        ERROR,
        "{label} tidak boleh 000; isi nomor {label} sesuai KK.",
        "{label} cannot be 000; enter the {label} number from the family card.",
    ),
    # --- kelurahan -------------------------------------------------------------------------
    "kelurahan_format": (
        ERROR,
        "Kode kelurahan harus berformat NN.NN.NN.NNNN (contoh 32.76.02.1007); pilih kelurahan "
        "dari daftar.",
        "The kelurahan code must look like NN.NN.NN.NNNN (e.g. 32.76.02.1007); choose the "
        "kelurahan from the list.",
    ),
    "kelurahan_unknown": (
        ERROR,
        "Kode kelurahan tidak dikenal; pilih kelurahan dari daftar.",
        "Unknown kelurahan code; choose the kelurahan from the list.",
    ),
    # --- biometric parts (domain/biometrics.py; {label} is the part's name) --------------
    "part_unknown": (
        ERROR,
        "Bagian biometrik tidak dikenal; gunakan photo, signature, finger_r1…finger_l5, "
        "iris_r atau iris_l.",
        "Unknown biometric part; use photo, signature, finger_r1…finger_l5, iris_r or iris_l.",
    ),
    "part_unreadable": (
        ERROR,
        "{label}: berkas gambar tidak dapat dibaca; ambil atau pilih ulang gambarnya.",
        "{label}: the image file cannot be read; capture or choose the image again.",
    ),
    "part_format": (
        ERROR,
        "{label}: gambar harus berformat {expected}; ambil ulang dengan alat yang benar.",
        "{label}: the image must be a {expected} file; capture it again with the right device.",
    ),
    "part_greyscale": (
        ERROR,
        "{label}: gambar harus abu-abu 8-bit; atur alat pemindai ke mode abu-abu.",
        "{label}: the image must be 8-bit greyscale; set the scanner to greyscale.",
    ),
    "part_damaged": (
        ERROR,
        "{label}: berkas gambar terpotong atau rusak; ambil ulang gambarnya.",
        "{label}: the image file is truncated or damaged; capture it again.",
    ),
    "part_too_small": (
        ERROR,
        "{label}: gambar paling kecil {min_width}×{min_height} piksel (sekarang "
        "{width}×{height}); ambil ulang lebih dekat atau dengan resolusi lebih tinggi.",
        "{label}: the image must be at least {min_width}×{min_height} pixels (it is "
        "{width}×{height}); capture it again closer or at a higher resolution.",
    ),
    "part_resolution": (
        ERROR,
        "{label}: gambar harus {dpi} dpi (sekarang {found}); atur alat pemindai ke {dpi} dpi.",
        "{label}: the image must be {dpi} dpi (it is {found}); set the scanner to {dpi} dpi.",
    ),
    "part_too_large": (
        ERROR,
        "{label}: berkas paling besar {max_kb} KB (sekarang {kb} KB); kurangi resolusinya.",
        "{label}: the file must be at most {max_kb} KB (it is {kb} KB); lower its resolution.",
    ),
    "part_twice": (
        ERROR,
        "{label}: ada gambar dan juga alasan tidak direkam; pilih salah satu.",
        "{label}: has both an image and a reason it was not captured; keep one.",
    ),
    "part_not_excepted": (
        ERROR,
        "{label} wajib direkam; bagian ini tidak boleh dilewati.",
        "{label} must be captured; this part cannot be skipped.",
    ),
    "parts_incomplete": (
        WARNING,
        "Biometrik belum lengkap: {n} bagian belum direkam atau diberi alasan; lengkapi nanti.",
        "Biometrics incomplete: {n} part(s) neither captured nor excepted; finish them later.",
    ),
    "exception_not_for_part": (
        ERROR,
        "{label}: alasan ini tidak berlaku untuk bagian ini; pilih salah satu: {reasons}.",
        "{label}: this reason does not apply to this part; choose one of: {reasons}.",
    ),
    "exception_reason": (
        ERROR,
        "{label}: alasan tidak direkam harus diisi (paling panjang {max} karakter).",
        "{label}: the reason it was not captured is required (at most {max} characters).",
    ),
    "kelurahan_outside_area": (
        ERROR,
        "Kelurahan ini di luar wilayah stasiun ({area}); pilih kelurahan di wilayah stasiun.",
        "This kelurahan is outside the station's area ({area}); choose one inside that area.",
    ),
}

# (code, field) -> (Indonesian, English): a more helpful text for one field.
OVERRIDES: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("required", "blood_type"): (
        "Golongan darah wajib diisi; pilih TIDAK TAHU bila tidak diketahui.",
        "Blood type is required; choose TIDAK TAHU (unknown) if it is not known.",
    ),
    ("required", "kelurahan_code"): (
        "Kelurahan wajib diisi; pilih kelurahan dari daftar.",
        "Kelurahan is required; choose the kelurahan from the list.",
    ),
}
