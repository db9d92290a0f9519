"""UI text for faults the office really has: a full disk, a printer gone mid-job (Indonesian first)."""

from __future__ import annotations

FAULTS_ID: dict[str, str] = {
    "disk.full": "Penyimpanan penuh: data tidak tersimpan. Hapus berkas yang tidak perlu atau hubungi "
                 "teknisi, lalu coba lagi. Data yang sudah ada aman dan tetap bisa dibaca.",
    "disk.low": "Penyimpanan hampir penuh: sisa {free}. Kosongkan ruang sebelum data tidak bisa disimpan.",
    "sync.error.disk_full": "Penyimpanan penuh: perubahan belum bisa disiapkan untuk dikirim ke kabupaten.",
}

FAULTS_EN: dict[str, str] = {
    "disk.full": "Storage full: nothing was saved. Delete files that are not needed or call the technician, "
                 "then try again. The data already stored is safe and can still be read.",
    "disk.low": "Storage almost full: {free} left. Free some space before data can no longer be saved.",
    "sync.error.disk_full": "Storage full: changes cannot be prepared for sending to the district yet.",
}
