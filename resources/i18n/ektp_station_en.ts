<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- English for the station window. Source language: Bahasa Indonesia.
     Refresh with pyside6-lupdate; read at run time by ektp_station.gui.i18n (no .qm needed). -->
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
<context>
    <name>LoginDialog</name>
    <message>
        <source>Akun supervisor pertama</source>
        <translation>First supervisor account</translation>
    </message>
    <message>
        <source>Masuk — Perekaman e-KTP</source>
        <translation>Sign in — e-KTP recording</translation>
    </message>
    <message>
        <source>Stasiun ini belum punya akun. Buat akun pertama: akun ini menjadi supervisor.</source>
        <translation>This station has no accounts yet. Create the first one: it becomes the supervisor.</translation>
    </message>
    <message>
        <source>Masukkan nama operator dan PIN.</source>
        <translation>Enter the operator name and PIN.</translation>
    </message>
    <message>
        <source>Nama operator</source>
        <translation>Operator name</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Ulangi PIN</source>
        <translation>PIN again</translation>
    </message>
    <message>
        <source>Buat akun</source>
        <translation>Create account</translation>
    </message>
    <message>
        <source>Masuk</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>{low}–{high} angka</source>
        <translation>{low}–{high} digits</translation>
    </message>
    <message>
        <source>Isi nama operator.</source>
        <translation>Fill in the operator name.</translation>
    </message>
    <message>
        <source>PIN dan ulangan PIN berbeda. Ketik ulang PIN.</source>
        <translation>The two PINs differ. Type the PIN again.</translation>
    </message>
    <message>
        <source>Nama atau PIN salah. Coba lagi.</source>
        <translation>Wrong name or PIN. Try again.</translation>
    </message>
    <message>
        <source>{tries} kali salah. Tunggu {seconds} detik, atau minta supervisor.</source>
        <translation>{tries} wrong tries. Wait {seconds} seconds, or ask the supervisor.</translation>
    </message>
</context>
</TS>
