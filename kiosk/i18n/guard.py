"""UI text for the web guard: refused cross-site posts, oversized bodies and the like (Indonesian first)."""

from __future__ import annotations

GUARD_ID: dict[str, str] = {
    "guard.cross_site": "Permintaan ditolak: formulir ini tidak dikirim dari halaman Balai sendiri. "
                        "Buka halamannya lagi dari alamat kantor desa lalu coba lagi.",
    "guard.too_large": "Permintaan ditolak: isinya terlalu besar (paling banyak {max_mb} MB).",
}

GUARD_EN: dict[str, str] = {
    "guard.cross_site": "Request refused: this form was not sent from Balai's own page. "
                        "Open the page again from the village office's address and try again.",
    "guard.too_large": "Request refused: it is too large (at most {max_mb} MB).",
}
