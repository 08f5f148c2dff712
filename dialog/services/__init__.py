"""Dialog writes, one module per subject:

- ``notifikasi``: notifications (in app, e-mail after commit, daily digest), SKP workflow hooks, reminders;
- ``umpan_balik``: continuous feedback, threads and feedback requests;
- ``dokumentasi``: realisasi and bukti dukung;
- ``rencana_aksi``: planned actions;
- ``catatan``: dialog/bimbingan/konseling records, tindak lanjut, B.1.8 and B.1.9;
- ``penugasan``: penugasan within one instansi; ``penugasan_lintas``: across instansi;
- ``log_harian``: the daily work log (entries, bulk verification, reminders; rules in ``dialog.log_harian_rules``);
- ``_common``: private helpers (actor, text/id validation, timeline row).

Every public function is keyword-only, atomic, checks the actor and writes an audit row (and a timeline
row where the pegawai would want to see it) in the same transaction. Emails leave only after commit, as
Celery tasks that take ids. Objects arrive resolved through ``dialog.access`` (404 for missing/other
instansi); ids that are *fields* of the input (periode, rhk, indikator) are validated here (400).

The public names are re-exported here, so ``from dialog.services import x`` and ``services.x`` keep working.
"""

from dialog.services._common import (
    MAX_TEXT,
)
from dialog.services.catatan import (
    bimbingan_jawab,
    bimbingan_kompetensi_nilai,
    catatan_create,
    tindak_lanjut_add,
    tindak_lanjut_set_status,
)
from dialog.services.dokumentasi import (
    MAX_BUKTI_PER_REALISASI,
    bukti_add,
    bukti_remove,
    realisasi_save,
)
from dialog.services.log_harian import (
    log_harian_create,
    log_harian_delete,
    log_harian_pengaturan_set,
    log_harian_pengingat,
    log_harian_update,
    log_harian_verify,
)
from dialog.services.notifikasi import (
    digest_harian_send,
    notifikasi_create,
    notifikasi_create_bulk,
    notifikasi_email_send,
    notifikasi_mark_all_read,
    notifikasi_mark_read,
    pengingat_periode,
    preferensi_set,
    rhk_pimpinan_diubah_notify,
    skp_status_notify,
)
from dialog.services.penugasan import (
    penugasan_accept,
    penugasan_cancel,
    penugasan_izin_sync,
    penugasan_open,
    penugasan_propose,
    penugasan_reject,
    penugasan_volunteer,
)
from dialog.services.penugasan_lintas import (
    penugasan_keluar_cancel,
    penugasan_lintas_decide,
    penugasan_lintas_propose,
    umpan_balik_lintas_give,
)
from dialog.services.rencana_aksi import (
    rencana_aksi_add,
    rencana_aksi_remove,
    rencana_aksi_update,
)
from dialog.services.umpan_balik import (
    permintaan_cancel,
    permintaan_create,
    umpan_balik_give,
    umpan_balik_mark_all_read,
    umpan_balik_mark_read,
    umpan_balik_reply,
)

__all__ = [
    "MAX_BUKTI_PER_REALISASI",
    "MAX_TEXT",
    "bimbingan_jawab",
    "bimbingan_kompetensi_nilai",
    "bukti_add",
    "bukti_remove",
    "catatan_create",
    "digest_harian_send",
    "log_harian_create",
    "log_harian_delete",
    "log_harian_pengaturan_set",
    "log_harian_pengingat",
    "log_harian_update",
    "log_harian_verify",
    "notifikasi_create",
    "notifikasi_create_bulk",
    "notifikasi_email_send",
    "notifikasi_mark_all_read",
    "notifikasi_mark_read",
    "pengingat_periode",
    "penugasan_accept",
    "penugasan_cancel",
    "penugasan_izin_sync",
    "penugasan_keluar_cancel",
    "penugasan_lintas_decide",
    "penugasan_lintas_propose",
    "penugasan_open",
    "penugasan_propose",
    "penugasan_reject",
    "penugasan_volunteer",
    "permintaan_cancel",
    "permintaan_create",
    "preferensi_set",
    "realisasi_save",
    "rencana_aksi_add",
    "rencana_aksi_remove",
    "rencana_aksi_update",
    "rhk_pimpinan_diubah_notify",
    "skp_status_notify",
    "tindak_lanjut_add",
    "tindak_lanjut_set_status",
    "umpan_balik_give",
    "umpan_balik_lintas_give",
    "umpan_balik_mark_all_read",
    "umpan_balik_mark_read",
    "umpan_balik_reply",
]
