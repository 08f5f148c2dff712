"""Dialog HTML pages (htmx + Bootstrap), one module per subject:

- ``linimasa``: the dialog hub, an SKP's timeline and the team feed;
- ``dokumentasi``: realisasi and bukti dukung; ``rencana_aksi``: planned actions;
- ``umpan_balik``: feedback threads and requests;
- ``catatan``: dialog/bimbingan/konseling records, tindak lanjut, B.1.8 and B.1.9;
- ``penugasan``: penugasan within one instansi; ``penugasan_lintas``: across instansi;
- ``notifikasi``: notifications and e-mail preference;
- ``log_harian``: the daily work log (entry, correction, bulk verification, XLSX);
- ``_common``: the ``dialog_view`` decorator and request helpers.

Thin: parse → access (404) → service → render. The views are re-exported here for ``dialog/urls.py``.
"""

from dialog.views._common import (
    PER_HALAMAN,
    dialog_view,
)
from dialog.views.catatan import (
    bimbingan_b18,
    bimbingan_b19,
    catatan_baru,
    catatan_daftar,
    catatan_detail,
    tindak_lanjut_status,
    tindak_lanjut_tambah,
)
from dialog.views.dokumentasi import (
    bukti_hapus,
    bukti_unduh,
    realisasi,
    realisasi_simpan,
)
from dialog.views.linimasa import (
    beranda,
    linimasa,
    tim,
)
from dialog.views.notifikasi import (
    notifikasi_baca_semua,
    notifikasi_buka,
    notifikasi_daftar,
    notifikasi_jumlah,
    preferensi,
)
from dialog.views.penugasan import (
    penugasan_baru,
    penugasan_batal,
    penugasan_daftar,
    penugasan_detail,
    penugasan_relawan,
    penugasan_terima,
    penugasan_tolak,
)
from dialog.views.penugasan_lintas import (
    penugasan_keluar_detail,
    penugasan_lintas_baru,
    penugasan_lintas_detail,
)
from dialog.views.rencana_aksi import (
    rencana_aksi_hapus,
    rencana_aksi_tambah,
    rencana_aksi_ubah,
)
from dialog.views.umpan_balik import (
    permintaan_batal,
    permintaan_buat,
    umpan_balik_baca_semua,
    umpan_balik_balas,
    umpan_balik_dibaca,
    umpan_balik_skp,
)

__all__ = [
    "PER_HALAMAN",
    "beranda",
    "bimbingan_b18",
    "bimbingan_b19",
    "bukti_hapus",
    "bukti_unduh",
    "catatan_baru",
    "catatan_daftar",
    "catatan_detail",
    "dialog_view",
    "linimasa",
    "notifikasi_baca_semua",
    "notifikasi_buka",
    "notifikasi_daftar",
    "notifikasi_jumlah",
    "penugasan_baru",
    "penugasan_batal",
    "penugasan_daftar",
    "penugasan_detail",
    "penugasan_keluar_detail",
    "penugasan_lintas_baru",
    "penugasan_lintas_detail",
    "penugasan_relawan",
    "penugasan_terima",
    "penugasan_tolak",
    "permintaan_batal",
    "permintaan_buat",
    "preferensi",
    "realisasi",
    "realisasi_simpan",
    "rencana_aksi_hapus",
    "rencana_aksi_tambah",
    "rencana_aksi_ubah",
    "tim",
    "tindak_lanjut_status",
    "tindak_lanjut_tambah",
    "umpan_balik_baca_semua",
    "umpan_balik_balas",
    "umpan_balik_dibaca",
    "umpan_balik_skp",
]
