<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- English for the station window. Source language: Bahasa Indonesia.
     Refresh with pyside6-lupdate; read at run time by ektp_station.gui.i18n (no .qm needed). -->
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
<context>
    <name>AboutDialog</name>
    <message>
        <source>Tentang ektp-station</source>
        <translation>About ektp-station</translation>
    </message>
    <message>
        <source>Stasiun perekaman e-KTP yang tetap bekerja saat jaringan putus-nyambung.</source>
        <translation>An e-KTP recording station that keeps working while the network comes and goes.</translation>
    </message>
    <message>
        <source>Versi</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Folder data</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>Folder log</source>
        <translation>Log folder</translation>
    </message>
    <message>
        <source>Folder pengaturan</source>
        <translation>Settings folder</translation>
    </message>
    <message>
        <source>Salin info</source>
        <translation>Copy info</translation>
    </message>
    <message>
        <source>Rincian sumber data: {path}</source>
        <translation>Data sources in detail: {path}</translation>
    </message>
</context>
<context>
    <name>ConflictsPanel</name>
    <message>
        <source>Tandai &amp;selesai</source>
        <translation>Mark &amp;resolved</translation>
    </message>
    <message>
        <source>&amp;Konflik untuk ditinjau: {count}</source>
        <translation>&amp;Conflicts to review: {count}</translation>
    </message>
    <message>
        <source>Tandai konflik selesai — No. {seq}</source>
        <translation>Mark conflict resolved — No. {seq}</translation>
    </message>
    <message>
        <source>Bagaimana konflik ini diselesaikan? (dicatat di riwayat)</source>
        <translation>How was this conflict resolved? (kept in the history)</translation>
    </message>
    <message>
        <source>Tandai selesai</source>
        <translation>Mark resolved</translation>
    </message>
    <message>
        <source>Batalkan entri konflik — No. {seq}</source>
        <translation>Withdraw conflicting entry — No. {seq}</translation>
    </message>
    <message>
        <source>Entri tidak akan dikirim ke pusat. Tulis alasannya (dicatat di riwayat):</source>
        <translation>The entry will not be sent to the centre. Write the reason (kept in the history):</translation>
    </message>
    <message>
        <source>Batalkan entri</source>
        <translation>Withdraw entry</translation>
    </message>
    <message>
        <source>Pilih dulu satu konflik.</source>
        <translation>Select a conflict first.</translation>
    </message>
    <message>
        <source>Konflik No. {seq} selesai.</source>
        <translation>Conflict No. {seq} resolved.</translation>
    </message>
    <message>
        <source>Konflik No. {seq} dibatalkan.</source>
        <translation>Conflict No. {seq} withdrawn.</translation>
    </message>
    <message>
        <source>Batalkan e&amp;ntri konflik</source>
        <translation>Withdraw conflict e&amp;ntry</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Perbaiki entri No. {seq}</source>
        <translation>Correct entry No. {seq}</translation>
    </message>
    <message>
        <source>Entri No. {seq} ({state}, revisi {revision}): perbaikan disimpan sebagai revisi baru dan dikirim ke pusat. Esc: batal.</source>
        <translation>Entry No. {seq} ({state}, revision {revision}): the correction is saved as a new revision and sent to the centre. Esc: cancel.</translation>
    </message>
</context>
<context>
    <name>CorrectionForm</name>
    <message>
        <source>Simpan perbaikan (Enter / Ctrl+S)</source>
        <translation>Save correction (Enter / Ctrl+S)</translation>
    </message>
    <message>
        <source>Pusat: {message}</source>
        <translation>Centre: {message}</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Hasil pusat (pengganti AFIS di server referensi)</source>
        <translation>The centre's results (the reference server's stand-in for AFIS)</translation>
    </message>
    <message>
        <source>Siap cetak: {ready} · Perlu rekam ulang: {back} (data ganda {dup}, adjudikasi {adj}) · Menunggu hasil pusat: {due}</source>
        <translation>Ready to print: {ready} · Must be recorded again: {back} (duplicates {dup}, adjudication {adj}) · Awaiting the centre's result: {due}</translation>
    </message>
    <message>
        <source>Tidak ada penduduk yang perlu rekam ulang.</source>
        <translation>No resident must be recorded again.</translation>
    </message>
    <message>
        <source>… dan {n} lagi: tab Antrean, Status: Perlu rekam ulang</source>
        <translation>… and {n} more: Queue tab, Status: Must be recorded again</translation>
    </message>
    <message>
        <source>{days} hari {hours} jam</source>
        <translation>{days} d {hours} h</translation>
    </message>
    <message>
        <source>{hours} jam {minutes} menit</source>
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <source>{minutes} menit</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source>kurang dari 1 menit</source>
        <translation>less than a minute</translation>
    </message>
    <message>
        <source>Entri per status</source>
        <translation>Entries by state</translation>
    </message>
    <message>
        <source>Hari ini</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Belum terkirim tertua: tidak ada, semua sudah terkirim.</source>
        <translation>Oldest unsent: none, everything has been sent.</translation>
    </message>
    <message>
        <source>Belum terkirim tertua: No. {seq} ({state}), direkam {when}, {age} yang lalu</source>
        <translation>Oldest unsent: No. {seq} ({state}), recorded {when}, {age} ago</translation>
    </message>
    <message>
        <source>Terakhir terkirim: belum pernah</source>
        <translation>Last sent: never</translation>
    </message>
    <message>
        <source>Terakhir terkirim: {time}</source>
        <translation>Last sent: {time}</translation>
    </message>
    <message>
        <source>Direkam per operator: {counts}</source>
        <translation>Recorded by operator: {counts}</translation>
    </message>
    <message>
        <source>Direkam per operator: belum ada entri hari ini</source>
        <translation>Recorded by operator: no entries today yet</translation>
    </message>
    <message>
        <source>Galat pengiriman terakhir: pusat belum diatur</source>
        <translation>Last sending error: no centre configured</translation>
    </message>
    <message>
        <source>Galat pengiriman terakhir: tidak ada</source>
        <translation>Last sending error: none</translation>
    </message>
    <message>
        <source>Galat pengiriman terakhir: {error}</source>
        <translation>Last sending error: {error}</translation>
    </message>
</context>
<context>
    <name>BiometricStep</name>
    <message>
        <source>Sudah diambil. R: ambil ulang.</source>
        <translation>Taken. R: take it again.</translation>
    </message>
    <message>
        <source>Tidak diambil: {reason}. Spasi: ambil juga.</source>
        <translation>Not taken: {reason}. Space: take it after all.</translation>
    </message>
    <message>
        <source>Sudah tersimpan sebelumnya.</source>
        <translation>Saved before.</translation>
    </message>
    <message>
        <source>Spasi: ambil gambar.</source>
        <translation>Space: take the image.</translation>
    </message>
    <message>
        <source>Esc sekali lagi membuang {n} bagian yang sudah diambil; Ctrl+Enter menyimpannya.</source>
        <translation>Esc again throws away the {n} parts taken; Ctrl+Enter saves them.</translation>
    </message>
    <message>
        <source>Alasan ini tidak berlaku untuk {part}; pakai: {keys}.</source>
        <translation>This reason does not apply to {part}; use: {keys}.</translation>
    </message>
    <message>
        <source>Entri No. {seq}: biometrik lengkap.</source>
        <translation>Entry No. {seq}: biometrics complete.</translation>
    </message>
    <message>
        <source>Entri No. {seq}: {n} bagian belum.</source>
        <translation>Entry No. {seq}: {n} part(s) still to take.</translation>
    </message>
    <message>
        <source>Perekaman biometrik — {name}</source>
        <translation>Biometric recording — {name}</translation>
    </message>
    <message>
        <source>DEMO — gambar sintetis dari perangkat demo, bukan orang.</source>
        <translation>DEMO — synthetic images from the demo devices, not a person.</translation>
    </message>
    <message>
        <source>Spasi: ambil · Enter: terima, lanjut · R: ambil ulang · M: tidak ada · L: luka · U: tidak terbaca · T: tidak mampu · Ctrl+Enter: simpan · Esc: batal, tidak disimpan</source>
        <translation>Space: capture · Enter: accept, next · R: retake · M: missing · L: injured · U: unreadable · T: unable · Ctrl+Enter: save · Esc: cancel, nothing saved</translation>
    </message>
    <message>
        <source>Simpan (Ctrl+Enter)</source>
        <translation>Save (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Kembali (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <source>Tidak ada alat untuk bagian ini; tandai alasannya.</source>
        <translation>No device for this part; mark the reason.</translation>
    </message>
    <message>
        <source>Periksa gambarnya: Enter untuk menerima, R untuk ulang.</source>
        <translation>Check the image: Enter to accept, R to retake.</translation>
    </message>
    <message>
        <source>Tekan Spasi untuk mengambil gambar.</source>
        <translation>Press Space to capture the image.</translation>
    </message>
    <message>
        <source>Foto wajah wajib diambil; bagian ini tidak boleh dilewati.</source>
        <translation>The face photo must be taken; this part cannot be skipped.</translation>
    </message>
    <message>
        <source>Semua bagian lengkap: Ctrl+Enter untuk menyimpan.</source>
        <translation>Every part is done: Ctrl+Enter to save.</translation>
    </message>
    <message>
        <source>{done} dari {total} bagian selesai</source>
        <translation>{done} of {total} parts done</translation>
    </message>
    <message>
        <source>Alat: tidak ada</source>
        <translation>Device: none</translation>
    </message>
    <message>
        <source>Alat: {name}</source>
        <translation>Device: {name}</translation>
    </message>
    <message>
        <source>Entri No. {seq}: belum tersimpan.</source>
        <translation>Entry No. {seq}: not saved.</translation>
    </message>
    <message>
        <source>Entri No. {seq}: masih menyimpan…</source>
        <translation>Entry No. {seq}: still saving…</translation>
    </message>
    <message>
        <source>Entri No. {seq}: menyimpan…</source>
        <translation>Entry No. {seq}: saving…</translation>
    </message>
</context>
<context>
    <name>EntryForm</name>
    <message>
        <source>biometrik belum lengkap ({n} bagian)</source>
        <translation>biometrics incomplete ({n} part(s))</translation>
    </message>
    <message>
        <source>Belum tersimpan: perekaman biometrik belum selesai.</source>
        <translation>Not saved: the biometric recording is not finished.</translation>
    </message>
    <message>
        <source>Identitas</source>
        <translation>Identity</translation>
    </message>
    <message>
        <source>Kelahiran</source>
        <translation>Birth</translation>
    </message>
    <message>
        <source>Data lain</source>
        <translation>Other details</translation>
    </message>
    <message>
        <source>Alamat dan keluarga</source>
        <translation>Address and family</translation>
    </message>
    <message>
        <source>16 angka</source>
        <translation>16 digits</translation>
    </message>
    <message>
        <source>HH-BB-TTTT</source>
        <translation>DD-MM-YYYY</translation>
    </message>
    <message>
        <source>3 angka</source>
        <translation>3 digits</translation>
    </message>
    <message>
        <source>boleh kosong</source>
        <translation>optional</translation>
    </message>
    <message>
        <source>Tab: kolom berikutnya · Shift+Tab: sebelumnya · Enter atau Ctrl+S: simpan · F4: anggota keluarga berikutnya</source>
        <translation>Tab: next field · Shift+Tab: previous · Enter or Ctrl+S: save · F4: next member of the family</translation>
    </message>
    <message>
        <source>Simpan (Enter / Ctrl+S)</source>
        <translation>Save (Enter / Ctrl+S)</translation>
    </message>
    <message>
        <source>NIK diterbitkan di Kec. {place}</source>
        <translation>NIK issued in the district of {place}</translation>
    </message>
    <message>
        <source>Wilayah penerbitan NIK tidak dikenal.</source>
        <translation>The NIK was issued in an unknown area.</translation>
    </message>
    <message>
        <source>Belum tersimpan: perbaiki isian yang bertanda merah.</source>
        <translation>Not saved: fix the fields marked in red.</translation>
    </message>
    <message>
        <source>Belum tersimpan: periksa peringatan berwarna jingga.</source>
        <translation>Not saved: check the warnings in orange.</translation>
    </message>
    <message>
        <source>Belum tersimpan.</source>
        <translation>Not saved.</translation>
    </message>
    <message>
        <source>Belum tersimpan: {reason}</source>
        <translation>Not saved: {reason}</translation>
    </message>
    <message>
        <source>Tersimpan: No. {seq}</source>
        <translation>Saved: No. {seq}</translation>
    </message>
    <message>
        <source>Periksa peringatan</source>
        <translation>Check the warnings</translation>
    </message>
    <message>
        <source>Simpan data ini tetap?</source>
        <translation>Save this record anyway?</translation>
    </message>
    <message>
        <source>Ya, simpan</source>
        <translation>Yes, save</translation>
    </message>
    <message>
        <source>Periksa lagi</source>
        <translation>Check again</translation>
    </message>
    <message>
        <source>Menyimpan…</source>
        <translation>Saving…</translation>
    </message>
</context>
<context>
    <name>HourlyChart</name>
    <message>
        <source>Hari ini: {captured} direkam, {synced} terkirim</source>
        <translation>Today: {captured} recorded, {synced} sent</translation>
    </message>
    <message>
        <source>direkam</source>
        <translation>recorded</translation>
    </message>
    <message>
        <source>terkirim</source>
        <translation>sent</translation>
    </message>
    <message>
        <source>(per jam, hari ini)</source>
        <translation>(per hour, today)</translation>
    </message>
</context>
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
        <source>Masukkan nama akun dan PIN.</source>
        <translation>Enter the account name and PIN.</translation>
    </message>
    <message>
        <source>Nama akun</source>
        <translation>Account name</translation>
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
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Akun operator…</source>
        <translation>Operator &amp;accounts…</translation>
    </message>
    <message>
        <source>Hanya supervisor yang dapat mengelola akun operator.</source>
        <translation>Only a supervisor can manage operator accounts.</translation>
    </message>
    <message>
        <source>{n} entri ditolak pusat</source>
        <translation>{n} entries rejected by the centre</translation>
    </message>
    <message>
        <source>{n} entri menjadi konflik</source>
        <translation>{n} entries became conflicts</translation>
    </message>
    <message>
        <source>lihat tab Antrean (Ctrl+2): perbaiki dan kirim ulang, atau minta supervisor.</source>
        <translation>see the Queue tab (Ctrl+2): fix and resend, or ask a supervisor.</translation>
    </message>
    <message>
        <source>&amp;Ganti pengguna / kunci</source>
        <translation>S&amp;witch user / lock</translation>
    </message>
    <message>
        <source>&amp;Keluar</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Kunci pe&amp;mulihan…</source>
        <translation>&amp;Recovery key…</translation>
    </message>
    <message>
        <source>Perekaman (Ctrl+1)</source>
        <translation>Recording (Ctrl+1)</translation>
    </message>
    <message>
        <source>Antrean (Ctrl+2)</source>
        <translation>Queue (Ctrl+2)</translation>
    </message>
    <message>
        <source>Dasbor (Ctrl+3)</source>
        <translation>Dashboard (Ctrl+3)</translation>
    </message>
    <message>
        <source>S&amp;tasiun</source>
        <translation>S&amp;tation</translation>
    </message>
    <message>
        <source>&amp;Bantuan</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;Tentang ektp-station…</source>
        <translation>&amp;About ektp-station…</translation>
    </message>
    <message>
        <source>&amp;Pengaturan…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>Hanya untuk supervisor.</source>
        <translation>Supervisors only.</translation>
    </message>
    <message>
        <source>Hanya supervisor yang dapat mengubah pengaturan.</source>
        <translation>Only a supervisor can change the settings.</translation>
    </message>
    <message>
        <source>Pengaturan tersimpan.</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <source>Bahasa berganti setelah aplikasi dibuka ulang.</source>
        <translation>A new language applies once the application is restarted.</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Perekaman e-KTP — {station} — {role}: {operator}</source>
        <translation>e-KTP recording — {station} — {role}: {operator}</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
</context>
<context>
    <name>NetworkSwitch</name>
    <message>
        <source>Nyambung</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Jaringan ke pusat tersambung</source>
        <translation>The network to the centre is up</translation>
    </message>
    <message>
        <source>Putus</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>Jaringan ke pusat terputus: perekaman tetap jalan</source>
        <translation>The network to the centre is down: recording goes on</translation>
    </message>
    <message>
        <source>Flaky</source>
        <translation>Flaky</translation>
    </message>
    <message>
        <source>Putus-nyambung: kira-kira separuh permintaan gagal</source>
        <translation>On and off: about half of the requests fail</translation>
    </message>
    <message>
        <source>Jaringan</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>Jaringan (F6 / F7 / F8 / F9): </source>
        <translation>Network (F6 / F7 / F8 / F9): </translation>
    </message>
    <message>
        <source>Lambat</source>
        <translation>Slow</translation>
    </message>
    <message>
        <source>Tersambung, tetapi lambat: 128 kbit/s</source>
        <translation>Connected, but slow: 128 kbit/s</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Biometrik belum lengkap ({n} bagian): Lengkapi biometrik (F3)</source>
        <translation>Biometrics incomplete ({n} parts): Finish biometrics (F3)</translation>
    </message>
    <message>
        <source>(data pribadi dihapus)</source>
        <translation>(personal data purged)</translation>
    </message>
    <message>
        <source>Belum terkirim (jaringan); dikirim otomatis.</source>
        <translation>Not sent yet (network); will be sent automatically.</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Waktu</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>NIK</source>
        <translation>NIK</translation>
    </message>
    <message>
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Catatan</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>QueueTab</name>
    <message>
        <source>Perlu rekam ulang</source>
        <translation>Must be recorded again</translation>
    </message>
    <message>
        <source>&amp;Lengkapi biometrik (F3)</source>
        <translation>Finish &amp;biometrics (F3)</translation>
    </message>
    <message>
        <source>Entri ini tidak menunggu biometrik.</source>
        <translation>This entry is not waiting for biometrics.</translation>
    </message>
    <message>
        <source>B&amp;uka bukti (Ctrl+P)</source>
        <translation>Open the recei&amp;pt (Ctrl+P)</translation>
    </message>
    <message>
        <source>Semua status</source>
        <translation>All states</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;State:</translation>
    </message>
    <message>
        <source>NIK (angka) atau nama · Ctrl+F</source>
        <translation>NIK (digits) or name · Ctrl+F</translation>
    </message>
    <message>
        <source>&amp;Cari:</source>
        <translation>Sea&amp;rch:</translation>
    </message>
    <message>
        <source>&amp;Perbaiki (F2)</source>
        <translation>&amp;Correct (F2)</translation>
    </message>
    <message>
        <source>Batalkan &amp;entri (Del)</source>
        <translation>&amp;Withdraw entry (Del)</translation>
    </message>
    <message>
        <source>{count} cocok</source>
        <translation>{count} matching</translation>
    </message>
    <message>
        <source>{loaded} dari {total} entri</source>
        <translation>{loaded} of {total} entries</translation>
    </message>
    <message>
        <source>Pilih dulu satu entri di daftar.</source>
        <translation>Select an entry in the list first.</translation>
    </message>
    <message>
        <source>Entri No. {seq} berstatus {state}: tidak dapat dibatalkan di sini.</source>
        <translation>Entry No. {seq} is {state}: it cannot be withdrawn here.</translation>
    </message>
    <message>
        <source>Batalkan entri No. {seq}</source>
        <translation>Withdraw entry No. {seq}</translation>
    </message>
    <message>
        <source>Entri tidak akan dikirim ke pusat. Tulis alasannya (dicatat di riwayat):</source>
        <translation>The entry will not be sent to the centre. Write the reason (kept in the history):</translation>
    </message>
    <message>
        <source>Batalkan entri</source>
        <translation>Withdraw entry</translation>
    </message>
    <message>
        <source>Entri No. {seq} dibatalkan.</source>
        <translation>Entry No. {seq} withdrawn.</translation>
    </message>
    <message>
        <source>Entri No. {seq} berstatus {state}: tidak dapat diperbaiki di sini.</source>
        <translation>Entry No. {seq} is {state}: it cannot be corrected here.</translation>
    </message>
    <message>
        <source>Entri No. {seq}: tidak ada yang berubah.</source>
        <translation>Entry No. {seq}: nothing changed.</translation>
    </message>
    <message>
        <source>Perbaikan entri No. {seq} tersimpan (revisi {revision}); dikirim ke pusat saat jaringan ada.</source>
        <translation>Correction of entry No. {seq} saved (revision {revision}); it goes to the centre when the network is up.</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Kembali (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyEntry</name>
    <message>
        <source>Kunci antrean tidak ada</source>
        <translation>The queue&apos;s key is missing</translation>
    </message>
    <message>
        <source>Kunci pemulihan</source>
        <translation>Recovery key</translation>
    </message>
    <message>
        <source>Kunci pemulihan (56 karakter):</source>
        <translation>Recovery key (56 characters):</translation>
    </message>
    <message>
        <source>Pulihkan kunci</source>
        <translation>Put the key back</translation>
    </message>
    <message>
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <source>Kunci pemulihan antrean</source>
        <translation>The queue&apos;s recovery key</translation>
    </message>
    <message>
        <source>Tulis kunci ini di kertas dan simpan di tempat aman (brankas kelurahan), terpisah dari komputer ini dan dari cadangannya. Kunci ini membuka cadangan antrean di komputer lain. Kunci hanya ditampilkan sekali ini.</source>
        <translation>Write this key on paper and keep it somewhere safe (the kelurahan&apos;s safe), apart from this PC and its backups. It opens the queue&apos;s backups on another PC. The key is shown this once only.</translation>
    </message>
    <message>
        <source>Sudah saya catat</source>
        <translation>I have written it down</translation>
    </message>
</context>
<context>
    <name>ReceiptWriter</name>
    <message>
        <source>biometrik belum lengkap ({n} bagian): Lengkapi di Antrean (F3)</source>
        <translation>biometrics incomplete ({n} parts): finish them in the Queue tab (F3)</translation>
    </message>
    <message>
        <source>Entri No. {seq} tersimpan · Ctrl+P: buka bukti untuk dicetak</source>
        <translation>Entry No. {seq} saved · Ctrl+P: open the receipt to print it</translation>
    </message>
    <message>
        <source>Bukti perekaman No. {seq}</source>
        <translation>Recording receipt No. {seq}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Pengaturan stasiun</source>
        <translation>Station settings</translation>
    </message>
    <message>
        <source>https://… (kosong: tanpa pusat)</source>
        <translation>https://… (empty: no centre)</translation>
    </message>
    <message>
        <source>Alamat &amp;pusat</source>
        <translation>&amp;Centre address</translation>
    </message>
    <message>
        <source>kosong: {default}</source>
        <translation>empty: {default}</translation>
    </message>
    <message>
        <source>ID &amp;stasiun</source>
        <translation>&amp;Station ID</translation>
    </message>
    <message>
        <source>kosongkan agar tidak berubah</source>
        <translation>leave empty to keep it</translation>
    </message>
    <message>
        <source>&amp;Token stasiun</source>
        <translation>Station &amp;token</translation>
    </message>
    <message>
        <source>&amp;Kota/kabupaten</source>
        <translation>C&amp;ity/regency</translation>
    </message>
    <message>
        <source>Bahasa berganti setelah aplikasi dibuka ulang.</source>
        <translation>A new language applies once the application is restarted.</translation>
    </message>
    <message>
        <source>&amp;Bahasa</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>Simpan</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Batal (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>Token sekarang: belum ada</source>
        <translation>Current token: none</translation>
    </message>
    <message>
        <source>Token sekarang: {start}… ({count} karakter)</source>
        <translation>Current token: {start}… ({count} characters)</translation>
    </message>
    <message>
        <source>Alamat pusat harus diawali http:// atau https:// lalu nama server.</source>
        <translation>The centre address must start with http:// or https:// followed by the server name.</translation>
    </message>
    <message>
        <source>ID stasiun: huruf, angka, titik, garis bawah atau tanda hubung saja.</source>
        <translation>Station ID: letters, digits, dots, underscores or hyphens only.</translation>
    </message>
    <message>
        <source>Token tidak boleh berisi spasi.</source>
        <translation>The token cannot contain spaces.</translation>
    </message>
    <message>
        <source>Pilih kota atau kabupaten dari daftar (ketik untuk mencari).</source>
        <translation>Choose a city or regency from the list (type to search).</translation>
    </message>
</context>
<context>
    <name>IdleLock</name>
    <message>
        <source>Terkunci — masuk lagi</source>
        <translation>Locked — sign in again</translation>
    </message>
</context>
<context>
    <name>StorageBanner</name>
    <message>
        <source>(menu Stasiun › Kunci pemulihan…)</source>
        <translation>(menu Station › Recovery key…)</translation>
    </message>
    <message>
        <source>Peringatan penyimpanan</source>
        <translation>Storage warning</translation>
    </message>
</context>
<context>
    <name>StationStatusBar</name>
    <message>
        <source>menunggu jaringan</source>
        <translation>waiting for the link</translation>
    </message>
    <message>
        <source>Ditolak: {count}</source>
        <translation>Rejected: {count}</translation>
    </message>
    <message>
        <source>Konflik: {count}</source>
        <translation>Conflicts: {count}</translation>
    </message>
    <message>
        <source>Mencoba lagi dalam {seconds} dtk</source>
        <translation>Retrying in {seconds} s</translation>
    </message>
    <message>
        <source>Mencoba sekarang…</source>
        <translation>Trying now…</translation>
    </message>
    <message>
        <source>Biometrik: {parts} bagian · {size}</source>
        <translation>Biometrics: {parts} part(s) · {size}</translation>
    </message>
    <message>
        <source>± {time} lagi</source>
        <translation>about {time} left</translation>
    </message>
    <message>
        <source>{n} dtk</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <source>{n} mnt</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>Menunggu: {count}</source>
        <translation>Waiting: {count}</translation>
    </message>
    <message>
        <source>Terakhir terkirim: belum pernah</source>
        <translation>Last sent: never</translation>
    </message>
    <message>
        <source>Mengirim %v dari %m</source>
        <translation>Sending %v of %m</translation>
    </message>
    <message>
        <source>Kirim sekarang (F5)</source>
        <translation>Send now (F5)</translation>
    </message>
    <message>
        <source>Meminta pengiriman sekarang…</source>
        <translation>Asking to send now…</translation>
    </message>
    <message>
        <source>Terakhir terkirim: {time}</source>
        <translation>Last sent: {time}</translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Akun operator</source>
        <translation>Operator accounts</translation>
    </message>
    <message>
        <source>Nama</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Peran</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Terakhir masuk</source>
        <translation>Last signed in</translation>
    </message>
    <message>
        <source>&amp;Nonaktifkan / aktifkan</source>
        <translation>&amp;Disable / enable</translation>
    </message>
    <message>
        <source>Tambah akun / atur ulang PIN</source>
        <translation>Add an account / reset a PIN</translation>
    </message>
    <message>
        <source>operator 4–12 angka, supervisor 6–12</source>
        <translation>operator 4–12 digits, supervisor 6–12</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>N&amp;ama</source>
        <translation>N&amp;ame</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>&amp;PIN</translation>
    </message>
    <message>
        <source>Pe&amp;ran</source>
        <translation>R&amp;ole</translation>
    </message>
    <message>
        <source>&amp;Tambah akun</source>
        <translation>Add a&amp;ccount</translation>
    </message>
    <message>
        <source>Atur &amp;ulang PIN</source>
        <translation>&amp;Reset PIN</translation>
    </message>
    <message>
        <source>Tutup</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>aktif</source>
        <translation>active</translation>
    </message>
    <message>
        <source>nonaktif</source>
        <translation>disabled</translation>
    </message>
    <message>
        <source>belum pernah</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Akun {name} dibuat.</source>
        <translation>Account {name} created.</translation>
    </message>
    <message>
        <source>Pilih dulu akunnya di tabel.</source>
        <translation>Choose the account in the table first.</translation>
    </message>
    <message>
        <source>Akun {name} aktif lagi.</source>
        <translation>Account {name} is active again.</translation>
    </message>
    <message>
        <source>Akun {name} dinonaktifkan: tidak dapat masuk lagi.</source>
        <translation>Account {name} disabled: it cannot sign in any more.</translation>
    </message>
    <message>
        <source>PIN {name} diganti.</source>
        <translation>PIN of {name} changed.</translation>
    </message>
</context>
<context>
    <name>CameraDevice</name>
    <message>
        <source>Foto dibatalkan; tidak ada yang diambil. Tekan Spasi untuk mencoba lagi.</source>
        <translation>Photo cancelled; nothing was taken. Press Space to try again.</translation>
    </message>
    <message>
        <source>Foto tidak dapat disimpan sebagai JPEG; ambil lagi.</source>
        <translation>The photo could not be saved as JPEG; take it again.</translation>
    </message>
    <message>
        <source>Kamera hanya mengambil foto wajah.</source>
        <translation>The camera takes the face photo only.</translation>
    </message>
    <message>
        <source>Kamera tidak ditemukan; pasang kameranya lalu tekan Spasi lagi.</source>
        <translation>Camera not found; plug it in, then press Space again.</translation>
    </message>
    <message>
        <source>Kamera tidak memberi gambar; ambil lagi.</source>
        <translation>The camera gave no picture; take it again.</translation>
    </message>
    <message>
        <source>Kamera {name}</source>
        <translation>Camera {name}</translation>
    </message>
</context>
<context>
    <name>CameraDialog</name>
    <message>
        <source>Foto wajah</source>
        <translation>Face photo</translation>
    </message>
    <message>
        <source>Kamera belum siap; tunggu sebentar lalu tekan Spasi.</source>
        <translation>The camera is not ready yet; wait a moment, then press Space.</translation>
    </message>
    <message>
        <source>Kamera bermasalah: {reason}</source>
        <translation>Camera problem: {reason}</translation>
    </message>
    <message>
        <source>Spasi: ambil foto · Esc: batal</source>
        <translation>Space: take the photo · Esc: cancel</translation>
    </message>
</context>
<context>
    <name>CaptureDevices</name>
    <message>
        <source>Foto demo (sintetis): tidak ada kamera terpasang</source>
        <translation>Demo photo (synthetic): no camera connected</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Enter: terima · Delete/Backspace: hapus · Esc: batal</source>
        <translation>Enter: accept · Delete/Backspace: clear · Esc: cancel</translation>
    </message>
    <message>
        <source>Kotak tanda tangan masih kosong: tanda tangani dulu, atau Esc untuk batal.</source>
        <translation>The signature box is still empty: sign first, or Esc to cancel.</translation>
    </message>
    <message>
        <source>Silakan tanda tangan di dalam kotak (tetikus atau pena).</source>
        <translation>Please sign inside the box (mouse or pen).</translation>
    </message>
    <message>
        <source>Tanda tangan</source>
        <translation>Signature</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Bantalan tanda tangan</source>
        <translation>Signature pad</translation>
    </message>
    <message>
        <source>Bantalan tanda tangan hanya mengambil tanda tangan.</source>
        <translation>The signature pad takes the signature only.</translation>
    </message>
    <message>
        <source>Tanda tangan dibatalkan; tidak ada yang diambil. Tekan Spasi untuk mencoba lagi.</source>
        <translation>Signature cancelled; nothing was taken. Press Space to try again.</translation>
    </message>
    <message>
        <source>Tanda tangan tidak dapat disimpan sebagai gambar; ulangi.</source>
        <translation>The signature could not be saved as an image; sign again.</translation>
    </message>
</context>
<context>
    <name>BundlePanel</name>
    <message>
        <source>Bawa lewat USB</source>
        <translation>Carry by USB</translation>
    </message>
    <message>
        <source>Belum dikonfirmasi pusat: –</source>
        <translation>Not confirmed by the centre yet: –</translation>
    </message>
    <message>
        <source>Belum dikonfirmasi pusat: {n} entri</source>
        <translation>Not confirmed by the centre yet: {n} entries</translation>
    </message>
    <message>
        <source>&amp;Ekspor ke USB…</source>
        <translation>&amp;Export to USB…</translation>
    </message>
    <message>
        <source>Semua entri yang belum dikonfirmasi pusat, dalam satu berkas terenkripsi untuk pusat (Alt+E)</source>
        <translation>Every entry the centre has not confirmed, in one file encrypted for the centre (Alt+E)</translation>
    </message>
    <message>
        <source>&amp;Impor tanda terima…</source>
        <translation>&amp;Import receipt…</translation>
    </message>
    <message>
        <source>Tanda terima dari pusat untuk bundel yang dibawa (Alt+I)</source>
        <translation>The centre's receipt for a bundle carried there (Alt+I)</translation>
    </message>
    <message>
        <source>Ekspor ke USB</source>
        <translation>Export to USB</translation>
    </message>
    <message>
        <source>Tidak ada entri yang menunggu: pusat sudah mengonfirmasi semuanya. Tidak ada yang perlu dibawa.</source>
        <translation>No entry is waiting: the centre has confirmed them all. There is nothing to carry.</translation>
    </message>
    <message>
        <source>Ekspor {n} entri ke USB</source>
        <translation>Export {n} entries to USB</translation>
    </message>
    <message>
        <source>Bundel ektp-station (*.ektpbundle);;Semua berkas (*)</source>
        <translation>ektp-station bundles (*.ektpbundle);;All files (*)</translation>
    </message>
    <message>
        <source>Batal</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Menulis bundel untuk pusat…</source>
        <translation>Writing the bundle for the centre…</translation>
    </message>
    <message>
        <source>{done} dari {total} entri</source>
        <translation>{done} of {total} entries</translation>
    </message>
    <message>
        <source>Biometrik: {done} dari {total}</source>
        <translation>Biometrics: {done} of {total}</translation>
    </message>
    <message>
        <source>Ekspor dibatalkan: tidak ada bundel yang ditulis. Antrean tidak berubah.</source>
        <translation>Export cancelled: no bundle was written. The queue did not change.</translation>
    </message>
    <message>
        <source>Bundel tersimpan: {entries} entri dan {parts} bagian biometrik ({size}).</source>
        <translation>Bundle saved: {entries} entries and {parts} biometric parts ({size}).</translation>
    </message>
    <message>
        <source>Bawa bundel ini ke pusat, lalu bawa kembali tanda terimanya (.ektpreceipt) dan pilih «Impor tanda terima». Sampai itu entri-entri ini tetap menunggu di antrean; bila jaringan kembali lebih dulu, tidak ada yang tercatat dua kali.</source>
        <translation>Take this bundle to the centre, then bring its receipt (.ektpreceipt) back and choose «Import receipt». Until then these entries stay waiting in the queue; if the link comes back first, nothing is recorded twice.</translation>
    </message>
    <message>
        <source>Impor tanda terima</source>
        <translation>Import receipt</translation>
    </message>
    <message>
        <source>Tanda terima ektp-station (*.ektpreceipt);;Semua berkas (*)</source>
        <translation>ektp-station receipts (*.ektpreceipt);;All files (*)</translation>
    </message>
    <message>
        <source>Tanda terima diterapkan: {n} entri.</source>
        <translation>Receipt applied: {n} entries.</translation>
    </message>
    <message>
        <source>Tidak berubah (sudah begitu, atau diubah sejak ekspor): {n}</source>
        <translation>Unchanged (already so, or changed since the export): {n}</translation>
    </message>
    <message>
        <source>Bagian biometrik terverifikasi pusat: {n}</source>
        <translation>Biometric parts verified by the centre: {n}</translation>
    </message>
    <message>
        <source>Yang ditolak atau konflik: lihat tab Antrean (Ctrl+2) dan konflik di bawah.</source>
        <translation>Rejected or in conflict: see the Queue tab (Ctrl+2) and the conflicts below.</translation>
    </message>
</context>
</TS>
