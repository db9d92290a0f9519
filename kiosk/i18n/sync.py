"""Strings of the sync domain (uploader errors, pulled items, USB export, the operator's sync page)."""

SYNC_ID: dict[str, str] = {
    "sync.item_invalid": "Kiriman dari kabupaten tidak lengkap ({detail}).",
    "sync.item_unknown": "Jenis kiriman dari kabupaten tidak dikenal: {kind}.",
    "sync.error.network": "Tidak tersambung ke server kabupaten. Data aman tersimpan dan akan dikirim otomatis.",
    "sync.error.not_enrolled": "Desa belum didaftarkan ke server kabupaten (balai sync enrol).",
    "sync.error.hub_signature": "Jawaban server tidak bertanda tangan kabupaten yang terdaftar; tidak dipakai.",
    "sync.error.bad_answer": "Jawaban server kabupaten tidak dapat dibaca.",
    "sync.error.bad_signature": "Server kabupaten menolak tanda tangan desa ini. Daftarkan ulang.",
    "sync.error.code_invalid": "Kode pendaftaran salah, sudah dipakai, atau kedaluwarsa.",
    "sync.error.internal": "Kesalahan di pengirim data; dicoba lagi otomatis.",
    "sync.export.not_enrolled": "Desa belum terdaftar di kabupaten, jadi belum ada kunci untuk mengenkripsi data.",
    "sync.export.nothing_pending": "Tidak ada data yang menunggu dikirim.",
    "sync.export.no_space": "Ruang di flashdisk tidak cukup.",
    "sync.export.write_failed": "Gagal menulis ke flashdisk. Jangan cabut flashdisk, lalu coba lagi.",
    "sync.clock_behind": "Jam komputer ini mundur {minutes} menit dari waktu yang pernah tercatat. "
                         "Periksa tanggal dan jam sebelum mencetak surat.",
}

SYNC_EN: dict[str, str] = {
    "sync.item_invalid": "An item from the district is incomplete ({detail}).",
    "sync.item_unknown": "Unknown kind of item from the district: {kind}.",
    "sync.error.network": "Cannot reach the district server. Data is stored safely and will be sent automatically.",
    "sync.error.not_enrolled": "This village is not enrolled with the district server yet (balai sync enrol).",
    "sync.error.hub_signature": "The server's answer is not signed by the enrolled district hub; ignored.",
    "sync.error.bad_answer": "The district server's answer could not be read.",
    "sync.error.bad_signature": "The district server refused this village's signature. Enrol again.",
    "sync.error.code_invalid": "Wrong, used or expired enrolment code.",
    "sync.error.internal": "An error in the uploader; it will try again automatically.",
    "sync.export.not_enrolled": "The village is not enrolled with the district, so there is no key to encrypt to.",
    "sync.export.nothing_pending": "Nothing is waiting to be sent.",
    "sync.export.no_space": "Not enough space on the USB stick.",
    "sync.export.write_failed": "Could not write to the USB stick. Keep it plugged in and try again.",
    "sync.clock_behind": "This computer's clock is {minutes} minutes behind a time it already recorded. "
                         "Check the date and time before printing letters.",
}
