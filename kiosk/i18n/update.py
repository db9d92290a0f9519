"""Offline updates from a signed bundle on a USB stick (balai update, /operator/update)."""

from __future__ import annotations

UPDATE_ID: dict[str, str] = {
    # refusals (nothing changed)
    "update.key_exists": "Berkas kunci {path} sudah ada; tidak ditimpa.",
    "update.key_unreadable": "Kunci privat {path} tidak dapat dibaca (harus kunci Ed25519 berformat PEM).",
    "update.no_balai_wheel": "Folder itu harus berisi tepat satu paket Balai (balai-<versi>-*.whl).",
    "update.bad_wheel_name": "Nama berkas {name} bukan nama paket wheel yang sah.",
    "update.notes_too_long": "Catatan rilis terlalu panjang (paling banyak {maximum} huruf).",
    "update.notes_unreadable": "Berkas catatan rilis tidak dapat dibaca.",
    "update.bundle_missing": "Berkas pembaruan {path} tidak ditemukan (flashdisk dicabut?).",
    "update.bundle_too_large": "Berkas pembaruan terlalu besar.",
    "update.bundle_invalid": "Berkas ini bukan paket pembaruan Balai yang utuh.",
    "update.bundle_format": "Paket pembaruan ini untuk versi lain dari alat pembaruan; minta paket yang sesuai.",
    "update.bundle_tampered": "Isi paket pembaruan tidak cocok dengan daftar yang ditandatangani: berkas diubah "
                              "atau rusak. Tidak dipasang.",
    "update.no_trusted_keys": "Perangkat ini belum punya kunci penerbit pembaruan (/etc/balai/update-keys).",
    "update.signature_invalid": "Tanda tangan paket pembaruan tidak sah atau bukan dari penerbit yang dipercaya. "
                                "Tidak dipasang.",
    "update.not_newer": "Versi {version} tidak lebih baru dari versi yang berjalan ({current}). Tidak dipasang.",
    "update.not_installed": "Balai di sini tidak dipasang sebagai perangkat ({root}/releases); pembaruan dari "
                            "flashdisk hanya untuk perangkat Balai.",
    "update.install_failed": "Paket pembaruan tidak dapat dipasang (paket kurang lengkap atau untuk mesin lain). "
                             "Versi yang berjalan tidak berubah.",
    "update.busy": "Pembaruan lain sedang berjalan atau menunggu. Coba lagi nanti.",
    "update.unfinished": "Pembaruan sebelumnya belum selesai; jalankan dulu `balai update recover`.",
    "update.state_unreadable": "Catatan pembaruan yang terputus tidak dapat dibaca; hubungi petugas TI kabupaten.",
    "update.rollback_failed": "Pembaruan gagal DAN pemulihan cadangan gagal. Jangan matikan perangkat; hubungi "
                              "petugas TI kabupaten.",
    "update.refused": "Pembaruan ditolak.",
    # why an update was rolled back
    "update.reason.health_failed": "versi baru tidak menjawab dengan sehat",
    "update.reason.migrate_failed": "pemindahan basis data ke versi baru gagal",
    "update.reason.backup_failed": "cadangan sebelum pembaruan gagal",
    "update.reason.stop_failed": "layanan tidak dapat dihentikan",
    "update.reason.interrupted": "pembaruan terputus (listrik padam?)",
    # command line
    "update.cli.migrated": "Basis data pada skema {schema}.",
    "update.cli.checked": "Paket sah: Balai {version}, ditandatangani kunci {key_id}, {wheels} paket.",
    "update.cli.installed": "Balai diperbarui dari {old} ke {new}.",
    "update.cli.rolled_back": "Pembaruan {old} ke {new} dibatalkan: {reason}. Balai {old} berjalan lagi dengan "
                              "data sebelum pembaruan.",
    "update.cli.nothing": "Tidak ada pembaruan yang menunggu.",
    "update.cli.key_made": "Kunci penerbit dibuat ({key_id}); pasang {public} di /etc/balai/update-keys perangkat.",
    "update.cli.packed": "{out}: Balai {version}, {wheels} paket, ditandatangani {key_id}.",
    # the admin page
    "update.nav": "Pembaruan",
    "update.title": "Pembaruan perangkat lunak",
    "update.running": "Versi yang berjalan: Balai {version}",
    "update.not_appliance": "Server ini tidak dipasang sebagai perangkat Balai; pembaruan dari flashdisk tidak "
                            "tersedia di sini.",
    "update.how": "Pembaruan datang dari kabupaten dalam satu berkas balai-update-<versi>.tar di flashdisk. "
                  "Sebelum dipasang, basis data dicadangkan; bila versi baru tidak berjalan baik, versi lama "
                  "kembali otomatis.",
    "update.sticks_none": "Tidak ada berkas pembaruan di flashdisk. Colokkan flashdisk dengan berkas "
                          "balai-update-<versi>.tar di folder teratasnya.",
    "update.found": "Ditemukan: {file} ({size})",
    "update.check": "Periksa",
    "update.checked": "Balai {version}, ditandatangani kunci {key_id} pada {created}.",
    "update.notes": "Catatan rilis",
    "update.install": "Pasang pembaruan",
    "update.confirm": "Pasang Balai {version}? Layanan berhenti sekitar satu menit; antrean dan data tetap aman.",
    "update.cancel": "Batal",
    "update.requested": "Pembaruan ke {version} dimulai. Halaman ini tersambung lagi sendiri setelah server "
                        "dinyalakan ulang.",
    "update.pending": "Menunggu pemasangan Balai {version} …",
    "update.in_progress": "Pembaruan {old} ke {new} sedang berjalan (tahap: {phase}).",
    "update.history": "Riwayat pembaruan",
    "update.history_none": "Belum ada pembaruan.",
    "update.col.at": "Waktu (UTC)",
    "update.col.from": "Dari",
    "update.col.to": "Ke",
    "update.col.outcome": "Hasil",
    "update.col.by": "Oleh",
    "update.outcome.installed": "terpasang",
    "update.outcome.rolled_back": "dibatalkan, versi lama kembali",
    "update.outcome.refused": "ditolak",
}

UPDATE_EN: dict[str, str] = {
    "update.key_exists": "The key file {path} already exists; not overwritten.",
    "update.key_unreadable": "The private key {path} cannot be read (it must be an Ed25519 key in PEM).",
    "update.no_balai_wheel": "That folder must hold exactly one Balai package (balai-<version>-*.whl).",
    "update.bad_wheel_name": "The file name {name} is not a valid wheel name.",
    "update.notes_too_long": "The release notes are too long (at most {maximum} characters).",
    "update.notes_unreadable": "The release notes file cannot be read.",
    "update.bundle_missing": "The update file {path} was not found (was the stick pulled out?).",
    "update.bundle_too_large": "The update file is too large.",
    "update.bundle_invalid": "This file is not a complete Balai update bundle.",
    "update.bundle_format": "This bundle is for another version of the update tool; ask for a matching bundle.",
    "update.bundle_tampered": "The bundle's contents do not match its signed list: files were changed or damaged. "
                              "Not installed.",
    "update.no_trusted_keys": "This device has no update publisher key yet (/etc/balai/update-keys).",
    "update.signature_invalid": "The bundle's signature is invalid or not from a trusted publisher. Not installed.",
    "update.not_newer": "Version {version} is not newer than the running one ({current}). Not installed.",
    "update.not_installed": "Balai is not installed as an appliance here ({root}/releases); updates from a USB stick "
                            "are for Balai devices only.",
    "update.install_failed": "The update could not be installed (incomplete bundle, or built for another machine). "
                             "The running version is unchanged.",
    "update.busy": "Another update is running or waiting. Try again later.",
    "update.unfinished": "An earlier update did not finish; run `balai update recover` first.",
    "update.state_unreadable": "The interrupted update's record cannot be read; call the district IT officer.",
    "update.rollback_failed": "The update failed AND restoring the backup failed. Do not switch the device off; "
                              "call the district IT officer.",
    "update.refused": "The update was refused.",
    "update.reason.health_failed": "the new version did not answer healthy",
    "update.reason.migrate_failed": "moving the database to the new version failed",
    "update.reason.backup_failed": "the backup before the update failed",
    "update.reason.stop_failed": "the services could not be stopped",
    "update.reason.interrupted": "the update was interrupted (power cut?)",
    "update.cli.migrated": "Database at schema {schema}.",
    "update.cli.checked": "Valid bundle: Balai {version}, signed by key {key_id}, {wheels} packages.",
    "update.cli.installed": "Balai updated from {old} to {new}.",
    "update.cli.rolled_back": "The update {old} to {new} was undone: {reason}. Balai {old} runs again with the data "
                              "from before the update.",
    "update.cli.nothing": "No update is waiting.",
    "update.cli.key_made": "Publisher key made ({key_id}); install {public} in the devices' /etc/balai/update-keys.",
    "update.cli.packed": "{out}: Balai {version}, {wheels} packages, signed by {key_id}.",
    "update.nav": "Updates",
    "update.title": "Software updates",
    "update.running": "Running version: Balai {version}",
    "update.not_appliance": "This server is not installed as a Balai appliance; updates from a USB stick are not "
                            "available here.",
    "update.how": "Updates come from the district as one balai-update-<version>.tar file on a USB stick. The "
                  "database is backed up before installing; if the new version does not run well, the old one "
                  "comes back by itself.",
    "update.sticks_none": "No update file on a USB stick. Plug in a stick with balai-update-<version>.tar in its top "
                          "folder.",
    "update.found": "Found: {file} ({size})",
    "update.check": "Check",
    "update.checked": "Balai {version}, signed by key {key_id} on {created}.",
    "update.notes": "Release notes",
    "update.install": "Install update",
    "update.confirm": "Install Balai {version}? Services stop for about a minute; the queue and data stay safe.",
    "update.cancel": "Cancel",
    "update.requested": "The update to {version} has started. This page reconnects by itself after the server "
                        "restarts.",
    "update.pending": "Waiting to install Balai {version} …",
    "update.in_progress": "Update {old} to {new} under way (step: {phase}).",
    "update.history": "Update history",
    "update.history_none": "No updates yet.",
    "update.col.at": "Time (UTC)",
    "update.col.from": "From",
    "update.col.to": "To",
    "update.col.outcome": "Result",
    "update.col.by": "By",
    "update.outcome.installed": "installed",
    "update.outcome.rolled_back": "undone, old version back",
    "update.outcome.refused": "refused",
}
