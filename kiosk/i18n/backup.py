"""Strings of backups and restores (issue 8): the admin page and the service's refusals."""

BACKUP_ID: dict[str, str] = {
    # refusals of the service (the CLI prints them in both languages)
    "backup.no_database": "Belum ada basis data untuk dicadangkan di folder data ini.",
    "backup.source_damaged": "Basis data tidak dapat dibaca utuh; cadangan tidak dibuat. Hubungi teknisi.",
    "backup.no_space": "Ruang penyimpanan tidak cukup untuk cadangan.",
    "backup.write_failed": "Cadangan tidak dapat ditulis ke tempat tujuan.",
    "backup.verify_failed": "Cadangan yang baru ditulis tidak lolos pemeriksaan dan sudah dihapus.",
    "backup.not_a_backup": "Berkas ini bukan cadangan Balai.",
    "backup.unknown_version": "Cadangan ini dibuat oleh versi Balai yang lebih baru; perbarui Balai dulu.",
    "backup.passphrase_needed": "Cadangan ini terenkripsi: kata sandinya diperlukan.",
    "backup.wrong_passphrase": "Kata sandi salah (atau awal berkas rusak).",
    "backup.damaged": "Cadangan rusak atau terpotong; isinya tidak dipakai.",
    "backup.unreadable": "Berkas cadangan tidak dapat dibaca.",
    "backup.file_missing": "Berkas cadangan tidak ditemukan.",
    "backup.passphrase_short": "Kata sandi minimal {minimum} karakter (sebuah kalimat lebih mudah diingat).",
    "backup.passphrase_long": "Kata sandi terlalu panjang.",
    "backup.passphrase_mismatch": "Kedua kata sandi tidak sama.",
    "backup.passphrase_empty": "Berkas kata sandi kosong.",
    "backup.busy": "Pencadangan sedang berjalan; tunggu sebentar.",
    "backup.restore_server_running": "Server Balai masih berjalan (port {port} menjawab). Hentikan layanan "
                                     "dulu: sudo systemctl stop balai (atau --force bila port itu dipakai "
                                     "program lain).",
    "backup.restore_database_in_use": "Basis data masih dibuka oleh proses lain (server atau pengirim data). "
                                      "Hentikan layanan Balai dulu: sudo systemctl stop balai balai-sync.",
    "backup.restore_too_new": "Cadangan ini memakai skema {schema}, versi Balai ini hanya sampai {newest}. "
                              "Perbarui Balai dulu.",
    "backup.restore_failed": "Basis data dari cadangan tidak dapat disiapkan; tidak ada yang diubah.",
    "backup.restore_incomplete": "Pemulihan terhenti di tengah jalan. Keadaan sebelumnya tersimpan di {kept}; "
                                 "hubungi teknisi sebelum menyalakan layanan lagi.",
    # the command line's one-line summaries
    "backup.cli.written": "Cadangan ditulis dan diperiksa: {path} ({size}, desa {village}, skema {schema}{enc})",
    "backup.cli.verified": "Cadangan utuh: {path} (desa {village}, dibuat {created}, skema {schema}{enc})",
    "backup.cli.restored": "Cadangan {file} dipulihkan; epoch sinkronisasi baru {epoch}; keadaan sebelumnya "
                           "disimpan di {kept}. Jalankan lagi layanan: sudo systemctl start balai",
    "backup.cli.encrypted": ", terenkripsi",
    "backup.cli.nightly": "Cadangan malam: {file} ({size}); flashdisk: {usb}",
    # the admin page
    "backup.nav": "Cadangan",
    "backup.title": "Cadangan data",
    "backup.now": "Cadangkan sekarang",
    "backup.now_hint": "Balai mencadangkan data setiap malam. Tombol ini membuat cadangan saat ini juga "
                       "(dan salinan terenkripsi ke flashdisk bila terpasang dan kata sandinya sudah diatur).",
    "backup.done": "Cadangan ditulis dan diperiksa: {file}",
    "backup.list": "Cadangan di perangkat ini",
    "backup.list_none": "Belum ada cadangan.",
    "backup.col.file": "Berkas",
    "backup.col.at": "Waktu",
    "backup.col.size": "Ukuran",
    "backup.last": "Pencadangan terakhir",
    "backup.last_none": "Belum pernah ada pencadangan malam.",
    "backup.last_ok": "{when} oleh {actor}: berhasil ({file}).",
    "backup.last_failed": "{when} oleh {actor}: GAGAL. {message}",
    "backup.usb.written": "Flashdisk: salinan terenkripsi ditulis ({count}).",
    "backup.usb.no_stick": "Flashdisk: tidak ada yang terpasang, tidak ada salinan.",
    "backup.usb.no_passphrase": "Flashdisk: terpasang, tetapi kata sandi flashdisk belum diatur, tidak ada salinan.",
    "backup.usb.failed": "Flashdisk: salinan GAGAL. {message}",
    "backup.usb.skipped": "Flashdisk: dilewati.",
    "backup.usb": "Salinan ke flashdisk (terenkripsi)",
    "backup.usb_hint": "Salinan di flashdisk dienkripsi dengan kata sandi ini, jadi flashdisk yang hilang tidak "
                       "membuka data warga. Kata sandi dibutuhkan untuk memulihkan: catat dan simpan di tempat "
                       "aman. Perangkat ini menyimpan kunci dari kata sandi itu agar bisa mencadangkan tiap malam.",
    "backup.stick": "Flashdisk terpasang: {label} (sisa {free}).",
    "backup.no_stick": "Tidak ada flashdisk terpasang.",
    "backup.passphrase_set": "Kata sandi flashdisk sudah diatur.",
    "backup.passphrase_not_set": "Kata sandi flashdisk belum diatur: tidak ada salinan ke flashdisk.",
    "backup.passphrase": "Kata sandi baru (minimal 12 karakter)",
    "backup.passphrase_repeat": "Ulangi kata sandi",
    "backup.passphrase_save": "Simpan kata sandi",
    "backup.passphrase_saved": "Kata sandi flashdisk disimpan.",
    "backup.passphrase_remove": "Hapus kata sandi",
    "backup.passphrase_removed": "Kata sandi flashdisk dihapus; tidak ada lagi salinan ke flashdisk.",
    "backup.restore": "Memulihkan cadangan",
    "backup.restore_hint": "Pemulihan tidak dilakukan dari halaman ini: server harus berhenti selama basis data "
                           "diganti. Di komputer kantor: sudo systemctl stop balai, lalu balai restore BERKAS, "
                           "lalu sudo systemctl start balai (lihat docs/backup.md).",
}

BACKUP_EN: dict[str, str] = {
    "backup.no_database": "There is no database to back up in this data folder yet.",
    "backup.source_damaged": "The database cannot be read in full; no backup was made. Call a technician.",
    "backup.no_space": "Not enough space for the backup.",
    "backup.write_failed": "The backup could not be written to its destination.",
    "backup.verify_failed": "The backup just written failed its check and was deleted.",
    "backup.not_a_backup": "This file is not a Balai backup.",
    "backup.unknown_version": "This backup was made by a newer Balai; update Balai first.",
    "backup.passphrase_needed": "This backup is encrypted: its passphrase is needed.",
    "backup.wrong_passphrase": "Wrong passphrase (or the start of the file is damaged).",
    "backup.damaged": "The backup is damaged or cut short; nothing from it is used.",
    "backup.unreadable": "The backup file cannot be read.",
    "backup.file_missing": "The backup file was not found.",
    "backup.passphrase_short": "The passphrase needs at least {minimum} characters (a sentence is easier to "
                               "remember).",
    "backup.passphrase_long": "The passphrase is too long.",
    "backup.passphrase_mismatch": "The two passphrases differ.",
    "backup.passphrase_empty": "The passphrase file is empty.",
    "backup.busy": "A backup is running; wait a moment.",
    "backup.restore_server_running": "The Balai server is still running (port {port} answers). Stop the service "
                                     "first: sudo systemctl stop balai (or --force when another program uses "
                                     "that port).",
    "backup.restore_database_in_use": "Another process (the server or the uploader) still has the database open. "
                                      "Stop the Balai services first: sudo systemctl stop balai balai-sync.",
    "backup.restore_too_new": "This backup has schema {schema}; this Balai release knows up to {newest}. Update "
                              "Balai first.",
    "backup.restore_failed": "The backup's database could not be prepared; nothing was changed.",
    "backup.restore_incomplete": "The restore stopped half-way. The state before it is kept in {kept}; call a "
                                 "technician before starting the service again.",
    "backup.cli.written": "Backup written and checked: {path} ({size}, village {village}, schema {schema}{enc})",
    "backup.cli.verified": "Backup intact: {path} (village {village}, made {created}, schema {schema}{enc})",
    "backup.cli.restored": "Restored {file}; new sync epoch {epoch}; the state before is kept in {kept}. Start "
                           "the service again: sudo systemctl start balai",
    "backup.cli.encrypted": ", encrypted",
    "backup.cli.nightly": "Nightly backup: {file} ({size}); USB stick: {usb}",
    "backup.nav": "Backups",
    "backup.title": "Backups",
    "backup.now": "Back up now",
    "backup.now_hint": "Balai backs the data up every night. This button makes a backup right now (and an "
                       "encrypted copy on a USB stick when one is plugged in and its passphrase is set).",
    "backup.done": "Backup written and checked: {file}",
    "backup.list": "Backups on this device",
    "backup.list_none": "No backups yet.",
    "backup.col.file": "File",
    "backup.col.at": "Time",
    "backup.col.size": "Size",
    "backup.last": "Last backup run",
    "backup.last_none": "No nightly backup has run yet.",
    "backup.last_ok": "{when} by {actor}: done ({file}).",
    "backup.last_failed": "{when} by {actor}: FAILED. {message}",
    "backup.usb.written": "USB stick: encrypted copy written ({count}).",
    "backup.usb.no_stick": "USB stick: none plugged in, no copy.",
    "backup.usb.no_passphrase": "USB stick: plugged in, but no USB passphrase is set, no copy.",
    "backup.usb.failed": "USB stick: copy FAILED. {message}",
    "backup.usb.skipped": "USB stick: skipped.",
    "backup.usb": "Copy to a USB stick (encrypted)",
    "backup.usb_hint": "Copies on the stick are encrypted with this passphrase, so a lost stick does not open "
                       "residents' data. Restoring needs the passphrase: write it down and keep it safe. This "
                       "device keeps a key made from it so it can back up every night.",
    "backup.stick": "USB stick plugged in: {label} ({free} free).",
    "backup.no_stick": "No USB stick plugged in.",
    "backup.passphrase_set": "The USB passphrase is set.",
    "backup.passphrase_not_set": "No USB passphrase set: no copies on a USB stick.",
    "backup.passphrase": "New passphrase (at least 12 characters)",
    "backup.passphrase_repeat": "Repeat the passphrase",
    "backup.passphrase_save": "Save passphrase",
    "backup.passphrase_saved": "USB passphrase saved.",
    "backup.passphrase_remove": "Remove passphrase",
    "backup.passphrase_removed": "USB passphrase removed; no more copies on a USB stick.",
    "backup.restore": "Restoring a backup",
    "backup.restore_hint": "Restoring is not done from this page: the server must be stopped while the database "
                           "is replaced. On the office computer: sudo systemctl stop balai, then balai restore "
                           "FILE, then sudo systemctl start balai (see docs/backup.md).",
}
