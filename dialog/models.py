"""Continuous feedback and documentation of performance (PermenPANRB 6/2022 stage 2, domain.md §2.2, §5).

- Documentation: ``RencanaAksi`` per hasil kerja per periode; ``Realisasi`` per indikator per periode with
  ``BuktiDukung`` (uploaded files checked by content, or http/https links).
- Umpan balik berkelanjutan: ``UmpanBalik`` (on a result, a realisasi, a core value or in general) with a
  reply thread (``BalasanUmpanBalik``), per-participant read markers and ``PermintaanUmpanBalik``.
- Dialog / bimbingan / konseling records (``CatatanKinerja``) with agreed follow-ups (``TindakLanjut``) and
  the Format B.1.8 answers (``JawabanBimbingan`` on ``PernyataanBimbingan`` seed data).
- ``Penugasan`` from officials outside the leader line, accepted by the Pejabat Penilai.
- ``Notifikasi`` (in the app and by email, immediate or daily digest) and ``Aktivitas`` (timeline rows).

Every row is tenant-owned (``instansi`` on each row, fail-closed manager); writes go through
``dialog.services``.
"""

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinerja.models import TenantOwnedModel, TimeStampedModel, instansi_fk_tanpa_indeks
from skp.core_values import BERAKHLAK_V1

CORE_VALUE_KODES: tuple[str, ...] = tuple(kode for kode, *_rest in BERAKHLAK_V1)
CORE_VALUE_NAMA: dict[str, str] = {kode: nama for kode, nama, *_rest in BERAKHLAK_V1}
#: Free text typed by users (the limit of dialog.forms and dialog.api): forms and serializers built from
#: the model enforce it; the columns stay TEXT.
MAX_TEKS = 4000


# ---------------------------------------------------------------- documentation


class RencanaAksi(TenantOwnedModel):
    """A step the pegawai plans for one hasil kerja in one periode (feedback on RHK "melalui rencana aksi")."""

    skp = models.ForeignKey("skp.Skp", on_delete=models.CASCADE, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.CASCADE, related_name="rencana_aksi")
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    uraian = models.TextField(_("rencana aksi"), max_length=MAX_TEKS)
    target = models.CharField(_("target"), max_length=255, blank=True)
    urutan = models.PositiveSmallIntegerField(default=0)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")
        ordering = ["urutan", "id"]
        indexes = [models.Index(fields=["instansi", "skp", "periode"], name="rencana_aksi_skp_idx")]

    def __str__(self) -> str:
        return self.uraian[:80]


class Realisasi(TenantOwnedModel):
    """What was achieved on one indikator in one periode. One row per (indikator, periode)."""

    skp = models.ForeignKey("skp.Skp", on_delete=models.CASCADE, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.CASCADE, related_name="+")
    indikator = models.ForeignKey("skp.Indikator", on_delete=models.CASCADE, related_name="realisasi")
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    realisasi = models.TextField(_("realisasi"), max_length=MAX_TEKS)
    keterangan = models.TextField(_("keterangan"), blank=True, max_length=MAX_TEKS)
    diisi_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("realisasi")
        verbose_name_plural = _("realisasi")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "indikator", "periode"], name="uniq_realisasi_periode"
            )
        ]
        indexes = [models.Index(fields=["instansi", "skp", "periode"], name="realisasi_skp_idx")]

    def __str__(self) -> str:
        return self.realisasi[:80]


class JenisBukti(models.TextChoices):
    BERKAS = "berkas", _("Berkas")
    TAUTAN = "tautan", _("Tautan")


def bukti_upload_to(instance: "BuktiDukung", filename: str) -> str:
    """A random name under the tenant's folder; the extension comes from the sniffed type, never the user."""
    ext = PurePath(filename).suffix.lower()[:8]
    return f"bukti/{instance.instansi_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class BuktiDukung(TenantOwnedModel):
    """Evidence for a realisasi: a stored file (served only through an access-checked view) or a link."""

    realisasi = models.ForeignKey(Realisasi, on_delete=models.CASCADE, related_name="bukti")
    jenis = models.CharField(max_length=8, choices=JenisBukti.choices)
    berkas = models.FileField(upload_to=bukti_upload_to, max_length=255, blank=True)
    nama_berkas = models.CharField(_("nama berkas"), max_length=255, blank=True)
    tipe_konten = models.CharField(max_length=120, blank=True)
    ukuran = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    tautan = models.URLField(_("tautan"), max_length=2000, blank=True)
    judul = models.CharField(_("judul"), max_length=255, blank=True)
    diunggah_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(jenis="berkas") & ~models.Q(berkas=""))
                | (models.Q(jenis="tautan") & ~models.Q(tautan="")),
                name="bukti_berkas_atau_tautan",
            )
        ]

    def __str__(self) -> str:
        return self.judul or self.nama_berkas or self.tautan

    @property
    def label(self) -> str:
        return self.judul or self.nama_berkas or self.tautan


# ---------------------------------------------------------------- umpan balik


class PeranPemberi(models.TextChoices):
    PEJABAT_PENILAI = "pejabat_penilai", _("Pejabat Penilai Kinerja")
    PEMBERI_PENUGASAN = "pimpinan_pemberi_penugasan", _("Pimpinan pemberi penugasan")
    REKAN_KERJA = "rekan_kerja", _("Rekan kerja")
    BAWAHAN = "bawahan", _("Bawahan")


class SifatUmpanBalik(models.TextChoices):
    APRESIASI = "apresiasi", _("Apresiasi (sudah baik)")
    PERBAIKAN = "perbaikan", _("Perlu perbaikan")


def _tepat_satu(pegawai: str, non_asn: str) -> models.Q:
    """CHECK condition: exactly one of a pegawai foreign key and its non-ASN official twin is set."""
    return models.Q(**{f"{pegawai}__isnull": False, f"{non_asn}__isnull": True}) | models.Q(
        **{f"{pegawai}__isnull": True, f"{non_asn}__isnull": False}
    )


class StatusPermintaan(models.TextChoices):
    TERBUKA = "terbuka", _("Menunggu")
    DIJAWAB = "dijawab", _("Dijawab")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


class PermintaanUmpanBalik(TenantOwnedModel):
    """A pegawai asks someone who may give feedback (leader, assigning official, peer, subordinate) for it:
    a pegawai (``diminta``) or the pegawai's non-ASN Pejabat Penilai (``diminta_non_asn``, issue #16);
    exactly one of the two (CHECK ``permintaan_satu_diminta``)."""

    skp = models.ForeignKey("skp.Skp", on_delete=models.PROTECT, related_name="+")
    peminta = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    diminta = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    diminta_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    core_value = models.CharField(max_length=32, blank=True)
    pesan = models.TextField(_("pesan"), blank=True, max_length=MAX_TEKS)
    status = models.CharField(
        max_length=10, choices=StatusPermintaan.choices, default=StatusPermintaan.TERBUKA, db_index=True
    )
    dijawab_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("permintaan umpan balik")
        verbose_name_plural = _("permintaan umpan balik")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["instansi", "diminta", "status"], name="permintaan_diminta_idx"),
            models.Index(
                fields=["instansi", "diminta_non_asn", "status"],
                condition=models.Q(diminta_non_asn__isnull=False),
                name="permintaan_diminta_na_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_tepat_satu("diminta", "diminta_non_asn"),
                name="permintaan_satu_diminta",
            ),
        ]

    @property
    def diminta_nama(self) -> str:
        """The asked person's name: the pegawai's or the non-ASN official's (load the one set)."""
        if self.diminta_id is not None:
            return self.diminta.nama  # type: ignore[union-attr]
        return self.diminta_non_asn.nama if self.diminta_non_asn_id is not None else ""  # type: ignore[union-attr]


class UmpanBalik(TenantOwnedModel):
    """One feedback item on an SKP for a periode: on a result (``rhk``), a ``realisasi``, a ``core_value``,
    or general. ``penerima`` is the SKP owner (denormalised for one-query counts); ``aktivitas_terakhir_at``
    moves with every reply so read markers can tell what is new."""

    skp = models.ForeignKey("skp.Skp", on_delete=models.PROTECT, related_name="+")
    penerima = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="umpan_balik_diterima"
    )
    # The giver: a pegawai, or a non-ASN Pejabat Penilai (issue #16: Kepala Daerah/Menteri, a login
    # without a pegawai row); exactly one of the two is set (CHECK ``ub_satu_pemberi``).
    pemberi = models.ForeignKey(
        "kinerja.Pegawai",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="umpan_balik_diberikan",
    )
    pemberi_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="umpan_balik_diberikan",
        db_index=False,
    )
    peran_pemberi = models.CharField(max_length=32, choices=PeranPemberi.choices)
    periode = models.ForeignKey("kinerja.Periode", on_delete=models.PROTECT, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    realisasi = models.ForeignKey(
        Realisasi, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    core_value = models.CharField(max_length=32, blank=True)
    sifat = models.CharField(max_length=10, choices=SifatUmpanBalik.choices, blank=True)
    isi = models.TextField(_("isi umpan balik"), max_length=MAX_TEKS)
    permintaan = models.ForeignKey(
        PermintaanUmpanBalik, on_delete=models.SET_NULL, null=True, blank=True, related_name="jawaban"
    )
    aktivitas_terakhir_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("umpan balik")
        verbose_name_plural = _("umpan balik")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["instansi", "penerima", "periode"], name="ub_penerima_periode_idx"),
            models.Index(fields=["instansi", "skp", "created_at"], name="ub_skp_idx"),
            models.Index(fields=["instansi", "pemberi", "created_at"], name="ub_pemberi_idx"),
            models.Index(
                fields=["instansi", "pemberi_non_asn", "created_at"],
                condition=models.Q(pemberi_non_asn__isnull=False),
                name="ub_pemberi_non_asn_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(pemberi=models.F("penerima")), name="ub_bukan_diri_sendiri"
            ),
            models.CheckConstraint(
                condition=_tepat_satu("pemberi", "pemberi_non_asn"),
                name="ub_satu_pemberi",
            ),
        ]

    def __str__(self) -> str:
        return self.isi[:80]

    @property
    def pemberi_nama(self) -> str:
        """The giver's name: the pegawai's, or the non-ASN official's (load the one set)."""
        if self.pemberi_id is not None:
            return self.pemberi.nama  # type: ignore[union-attr]
        return self.pemberi_non_asn.nama if self.pemberi_non_asn_id is not None else ""  # type: ignore[union-attr]

    @property
    def pemberi_jabatan(self) -> str:
        """The giver's jabatan (``pemberi__jabatan`` or ``pemberi_non_asn`` loaded)."""
        if self.pemberi_id is not None:
            return self.pemberi.jabatan.nama  # type: ignore[union-attr]
        return self.pemberi_non_asn.jabatan if self.pemberi_non_asn_id is not None else ""  # type: ignore[union-attr]

    @property
    def pemberi_user_id(self) -> int | None:
        """The giver's login (for notifications and read markers)."""
        if self.pemberi_id is not None:
            return self.pemberi.user_id  # type: ignore[union-attr]
        return self.pemberi_non_asn.user_id if self.pemberi_non_asn_id is not None else None  # type: ignore[union-attr]

    @property
    def core_value_nama(self) -> str:
        return CORE_VALUE_NAMA.get(self.core_value, self.core_value)


class BalasanUmpanBalik(TenantOwnedModel):
    """A reply in a feedback thread (by the receiver, the giver or the receiver's Pejabat Penilai)."""

    umpan_balik = models.ForeignKey(UmpanBalik, on_delete=models.CASCADE, related_name="balasan")
    # a pegawai, or the non-ASN Pejabat Penilai of the receiver (exactly one: ``balasan_satu_penulis``)
    penulis = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    penulis_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    isi = models.TextField(_("balasan"), max_length=MAX_TEKS)

    class Meta:
        verbose_name = _("balasan umpan balik")
        verbose_name_plural = _("balasan umpan balik")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_tepat_satu("penulis", "penulis_non_asn"),
                name="balasan_satu_penulis",
            ),
        ]

    @property
    def penulis_nama(self) -> str:
        """The author's name (``penulis`` or ``penulis_non_asn`` loaded)."""
        if self.penulis_id is not None:
            return self.penulis.nama  # type: ignore[union-attr]
        return self.penulis_non_asn.nama if self.penulis_non_asn_id is not None else ""  # type: ignore[union-attr]


class UmpanBalikDibaca(TenantOwnedModel):
    """Read marker of one participant on one thread: read when ``dibaca_at >= aktivitas_terakhir_at``."""

    umpan_balik = models.ForeignKey(UmpanBalik, on_delete=models.CASCADE, related_name="dibaca")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dibaca_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["umpan_balik", "user"], name="uniq_ub_dibaca")]


# ---------------------------------------------------------------- dialog, bimbingan, konseling


class JenisCatatan(models.TextChoices):
    DIALOG = "dialog_kinerja", _("Dialog kinerja")
    BIMBINGAN = "bimbingan_kinerja", _("Bimbingan kinerja")
    KONSELING = "konseling_kinerja", _("Konseling kinerja")


class CatatanKinerja(TenantOwnedModel):
    """A recorded dialog, bimbingan or konseling session between a pegawai and their leader.

    Visible only to the pegawai, the leader and admins (``dialog.access.catatan_access``)."""

    jenis = models.CharField(max_length=20, choices=JenisCatatan.choices)
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="catatan_kinerja")
    pimpinan = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, null=True, related_name="+")
    skp = models.ForeignKey("skp.Skp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    periode = models.ForeignKey(
        "kinerja.Periode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tanggal = models.DateField(_("tanggal"))
    agenda = models.TextField(_("agenda"), blank=True, max_length=MAX_TEKS)
    catatan = models.TextField(_("catatan / hasil"), blank=True, max_length=MAX_TEKS)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    b18_diisi_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pegawai answered Format B.1.8"
    )
    b19_diisi_at = models.DateTimeField(
        null=True, blank=True, help_text="When the leader rated the competences (Format B.1.9)"
    )

    class Meta:
        verbose_name = _("catatan kinerja")
        verbose_name_plural = _("catatan kinerja")
        ordering = ["-tanggal", "-id"]
        indexes = [models.Index(fields=["instansi", "pegawai", "tanggal"], name="catatan_pegawai_idx")]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.tanggal}"


class StatusTindakLanjut(models.TextChoices):
    TERBUKA = "terbuka", _("Belum selesai")
    SELESAI = "selesai", _("Selesai")
    DIBAWA = "dibawa", _("Dibawa ke dialog berikutnya")


class TindakLanjut(TenantOwnedModel):
    """An agreed follow-up with a due date. Open ones are carried to the pegawai's next record
    (a copy with ``dibawa_dari``; the original becomes ``dibawa``)."""

    catatan = models.ForeignKey(CatatanKinerja, on_delete=models.CASCADE, related_name="tindak_lanjut")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    uraian = models.TextField(_("tindak lanjut"), max_length=MAX_TEKS)
    tenggat = models.DateField(_("tenggat"))
    status = models.CharField(
        max_length=8, choices=StatusTindakLanjut.choices, default=StatusTindakLanjut.TERBUKA, db_index=True
    )
    selesai_at = models.DateTimeField(null=True, blank=True)
    dibawa_dari = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        ordering = ["tenggat", "id"]
        indexes = [models.Index(fields=["instansi", "pegawai", "status"], name="tindak_lanjut_pegawai_idx")]

    @property
    def terlambat(self) -> bool:
        return self.status == StatusTindakLanjut.TERBUKA and self.tenggat < timezone.localdate()


class PernyataanBimbingan(TimeStampedModel):
    """One statement of Format B.1.8 "Umpan Balik Pelaksanaan Bimbingan Kinerja" (seed data, versioned,
    platform-editable like ``skp.CoreValue``)."""

    kode = models.CharField(max_length=32)
    urutan = models.PositiveSmallIntegerField()
    teks = models.TextField()
    versi = models.PositiveSmallIntegerField(default=1)
    aktif = models.BooleanField(default=True)

    class Meta:
        ordering = ["urutan", "-versi"]
        constraints = [models.UniqueConstraint(fields=["kode", "versi"], name="uniq_pernyataan_b18_versi")]

    def __str__(self) -> str:
        return f"{self.urutan}. {self.teks[:60]}"


class JawabanB18(models.TextChoices):
    YA = "ya", _("Ya")
    TIDAK = "tidak", _("Tidak")


class JawabanBimbingan(TenantOwnedModel):
    """The pegawai's answer to one B.1.8 statement for one bimbingan record."""

    catatan = models.ForeignKey(CatatanKinerja, on_delete=models.CASCADE, related_name="jawaban_b18")
    pernyataan = models.ForeignKey(PernyataanBimbingan, on_delete=models.PROTECT, related_name="+")
    jawaban = models.CharField(max_length=5, choices=JawabanB18.choices)
    keterangan = models.TextField(blank=True, max_length=MAX_TEKS)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["catatan", "pernyataan"], name="uniq_jawaban_b18")]


class KelompokKompetensi(models.TextChoices):
    MANAJERIAL = "manajerial", _("Manajerial")
    SOSIAL_KULTURAL = "sosial_kultural", _("Sosial kultural")
    TEKNIS = "teknis", _("Teknis")


class KompetensiB19(TimeStampedModel):
    """One competence of Format B.1.9 "Evaluasi Kompetensi Pegawai sebagai Tindak Lanjut Bimbingan
    Kinerja" (seed data ``dialog.kompetensi_b19``, versioned like ``PernyataanBimbingan``)."""

    kode = models.CharField(max_length=40)
    urutan = models.PositiveSmallIntegerField()
    kelompok = models.CharField(max_length=20, choices=KelompokKompetensi.choices)
    nama = models.CharField(max_length=120)
    uraian = models.TextField(blank=True, max_length=MAX_TEKS)
    versi = models.PositiveSmallIntegerField(default=1)
    aktif = models.BooleanField(default=True)

    class Meta:
        ordering = ["urutan", "-versi"]
        constraints = [models.UniqueConstraint(fields=["kode", "versi"], name="uniq_kompetensi_b19_versi")]

    def __str__(self) -> str:
        return self.nama


class PenilaianKompetensi(TenantOwnedModel):
    """The leader's rating (1-5) with a reason of one competence after a bimbingan (Format B.1.9)."""

    catatan = models.ForeignKey(CatatanKinerja, on_delete=models.CASCADE, related_name="penilaian_b19")
    kompetensi = models.ForeignKey(KompetensiB19, on_delete=models.PROTECT, related_name="+")
    nilai = models.PositiveSmallIntegerField()
    alasan = models.TextField(max_length=MAX_TEKS)

    class Meta:
        ordering = ["kompetensi__urutan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["catatan", "kompetensi"], name="uniq_penilaian_b19"),
            models.CheckConstraint(
                condition=models.Q(nilai__gte=1, nilai__lte=5), name="penilaian_b19_skala"
            ),
        ]


# ---------------------------------------------------------------- penugasan


class StatusPenugasan(models.TextChoices):
    TERBUKA = "terbuka", _("Terbuka untuk relawan")
    DITUTUP = "ditutup", _("Ditutup")
    DIUSULKAN = "diusulkan", _("Menunggu Pejabat Penilai")
    DITERIMA = "diterima", _("Diterima")
    DITOLAK = "ditolak", _("Ditolak")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


PERM_UMPAN_BALIK_PENUGASAN = "dialog.beri_umpan_balik_penugasan"


class Penugasan(TenantOwnedModel):
    """Work assigned by an official (``pemberi``) to a pegawai, decided by the pegawai's Pejabat Penilai.

    An open call (``status=terbuka``, no pegawai) collects volunteers: each volunteer is a new row with
    ``lowongan`` pointing at the call and ``sukarela=True``, decided like any other assignment. Once
    accepted, ``rhk`` is the hasil kerja added to ``skp``; while ``izin_aktif`` the pemberi holds
    ``dialog.beri_umpan_balik_penugasan`` on this row (granted/revoked by services and a beat task)."""

    pemberi = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="penugasan_diberikan"
    )
    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="penugasan"
    )
    penilai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lowongan = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="relawan"
    )
    sukarela = models.BooleanField(default=False)
    hasil_kerja = models.TextField(_("hasil kerja yang diharapkan"), max_length=MAX_TEKS)
    indikator = models.JSONField(default=list, blank=True, help_text='[{"aspek","iki","target"}]')
    mulai = models.DateField(_("mulai"))
    selesai = models.DateField(_("selesai"))
    status = models.CharField(max_length=10, choices=StatusPenugasan.choices, db_index=True)
    pesan = models.TextField(_("pesan"), blank=True, max_length=MAX_TEKS)
    catatan_keputusan = models.TextField(blank=True, max_length=MAX_TEKS)
    diputuskan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    diputuskan_at = models.DateTimeField(null=True, blank=True)
    skp = models.ForeignKey("skp.Skp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    izin_aktif = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("beri_umpan_balik_penugasan", "Dapat memberi umpan balik atas hasil kerja penugasan ini"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(selesai__gte=models.F("mulai")), name="penugasan_mulai_selesai"
            ),
        ]
        indexes = [
            models.Index(fields=["instansi", "penilai", "status"], name="penugasan_penilai_idx"),
            models.Index(fields=["instansi", "pegawai", "status"], name="penugasan_pegawai_idx"),
            models.Index(fields=["instansi", "pemberi", "status"], name="penugasan_pemberi_idx"),
        ]

    def __str__(self) -> str:
        return self.hasil_kerja[:80]


# ---------------------------------------------------------------- penugasan across instansi


class StatusLintas(models.TextChoices):
    DIUSULKAN = "diusulkan", _("Menunggu Pejabat Penilai")
    DITERIMA = "diterima", _("Diterima")
    DITOLAK = "ditolak", _("Ditolak")
    DIBATALKAN = "dibatalkan", _("Dibatalkan")


class PenugasanLintas(TenantOwnedModel):
    """An assignment from an official of ANOTHER instansi, in the RECEIVING instansi's tenant (domain.md
    "Penugasan across instansi": allowed when the receiving pegawai's Pejabat Penilai accepts).

    The assigning official is recorded by value (instansi, NIP, name, jabatan as typed at proposal time),
    never by a foreign key to the other instansi's rows; ``kunci`` pairs it with the assigner's own
    ``PenugasanKeluar`` row in their instansi. See ``dialog.services.penugasan_lintas``."""

    kunci = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    penilai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    pemberi_instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.PROTECT, related_name="+")
    pemberi_nip = models.CharField(max_length=32)
    pemberi_nama = models.CharField(max_length=255)
    pemberi_jabatan = models.CharField(max_length=255, blank=True)
    hasil_kerja = models.TextField(_("hasil kerja yang diharapkan"), max_length=MAX_TEKS)
    indikator = models.JSONField(default=list, blank=True)
    mulai = models.DateField(_("mulai"))
    selesai = models.DateField(_("selesai"))
    pesan = models.TextField(_("pesan"), blank=True, max_length=MAX_TEKS)
    status = models.CharField(max_length=10, choices=StatusLintas.choices, default=StatusLintas.DIUSULKAN)
    catatan_keputusan = models.TextField(blank=True, max_length=MAX_TEKS)
    diputuskan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    diputuskan_at = models.DateTimeField(null=True, blank=True)
    skp = models.ForeignKey("skp.Skp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("penugasan lintas instansi")
        verbose_name_plural = _("penugasan lintas instansi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(selesai__gte=models.F("mulai")), name="penugasan_lintas_mulai_selesai"
            )
        ]
        indexes = [
            models.Index(fields=["instansi", "penilai", "status"], name="penugasan_lintas_penilai_idx")
        ]

    def __str__(self) -> str:
        return self.hasil_kerja[:80]

    @property
    def pemberi_label(self) -> str:
        return f"{self.pemberi_jabatan} ({self.pemberi_nama}), {self.pemberi_instansi.nama}"

    def berlaku(self, today: dt.date) -> bool:
        """The assigner's feedback right: accepted and today within the assignment's dates."""
        return self.status == StatusLintas.DITERIMA and self.mulai <= today <= self.selesai


class PenugasanKeluar(TenantOwnedModel):
    """The assigning official's own record of an assignment sent to another instansi, in THEIR tenant:
    what they typed, and the decision the receiving Pejabat Penilai sent back (status, note, time)."""

    kunci = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    pemberi = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    tujuan_instansi = models.ForeignKey("kinerja.Instansi", on_delete=models.PROTECT, related_name="+")
    tujuan_nip = models.CharField(_("NIP pegawai"), max_length=32)
    hasil_kerja = models.TextField(_("hasil kerja yang diharapkan"), max_length=MAX_TEKS)
    indikator = models.JSONField(default=list, blank=True)
    mulai = models.DateField(_("mulai"))
    selesai = models.DateField(_("selesai"))
    status = models.CharField(max_length=10, choices=StatusLintas.choices, default=StatusLintas.DIUSULKAN)
    catatan_keputusan = models.TextField(blank=True, max_length=MAX_TEKS)
    diputuskan_at = models.DateTimeField(null=True, blank=True)
    umpan_balik_terkirim = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penugasan keluar instansi")
        verbose_name_plural = _("penugasan keluar instansi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["instansi", "pemberi", "status"], name="penugasan_keluar_pemberi_idx")
        ]

    def __str__(self) -> str:
        return self.hasil_kerja[:80]

    def berlaku(self, today: dt.date) -> bool:
        return self.status == StatusLintas.DITERIMA and self.mulai <= today <= self.selesai


class UmpanBalikLintas(TenantOwnedModel):
    """Feedback of the other-instansi assigner on an accepted assignment, while it runs (their only right).
    Stored in the receiving instansi; the giver is the assignment's recorded assigner."""

    penugasan = models.ForeignKey(PenugasanLintas, on_delete=models.CASCADE, related_name="umpan_balik")
    isi = models.TextField(_("isi umpan balik"), max_length=MAX_TEKS)

    class Meta:
        verbose_name = _("umpan balik lintas instansi")
        verbose_name_plural = _("umpan balik lintas instansi")
        ordering = ["created_at", "id"]


# ---------------------------------------------------------------- notifications and timeline


class JenisNotifikasi(models.TextChoices):
    UMPAN_BALIK = "umpan_balik", _("Umpan balik diterima")
    BALASAN = "balasan", _("Balasan umpan balik")
    PERMINTAAN = "permintaan_umpan_balik", _("Permintaan umpan balik")
    SKP_DIAJUKAN = "skp_diajukan", _("SKP diajukan")
    SKP_DIKEMBALIKAN = "skp_dikembalikan", _("SKP dikembalikan")
    SKP_DISETUJUI = "skp_disetujui", _("SKP disetujui")
    PENUGASAN = "penugasan", _("Penugasan")
    CATATAN = "catatan_kinerja", _("Catatan dialog/bimbingan/konseling")
    PENGINGAT_REALISASI = "pengingat_realisasi", _("Pengingat realisasi")
    PENGINGAT_UMPAN_BALIK = "pengingat_umpan_balik", _("Pengingat umpan balik pimpinan")
    EVALUASI_FINAL = "evaluasi_final", _("Evaluasi tahunan final")
    KEBERATAN = "keberatan", _("Keberatan")
    RHK_PIMPINAN_DIUBAH = "rhk_pimpinan_diubah", _("Hasil kerja pimpinan diubah")
    PENGINGAT_LOG_HARIAN = "pengingat_log_harian", _("Pengingat log harian")
    LOG_HARIAN_DIVERIFIKASI = "log_harian_diverifikasi", _("Log harian diverifikasi")


class StatusEmail(models.TextChoices):
    TIDAK_PERLU = "tidak_perlu", _("Tidak dikirim")
    SEGERA = "segera", _("Antri (segera)")
    DIGEST = "digest", _("Menunggu ringkasan harian")
    TERKIRIM = "terkirim", _("Terkirim")


class Notifikasi(TenantOwnedModel):
    """One in-app notification; ``email_status`` says whether/how it goes out by email.

    ``kunci`` makes reminders idempotent: at most one row per (instansi, penerima, kunci)."""

    instansi = instansi_fk_tanpa_indeks()  # composite indexes lead with instansi_id

    penerima = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    aktor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )  # indexed only where set (notifikasi_aktor_idx): the batch's notifications have no actor
    jenis = models.CharField(max_length=32, choices=JenisNotifikasi.choices)
    judul = models.CharField(max_length=255)
    pesan = models.TextField(blank=True)
    tautan = models.CharField(max_length=500, blank=True)
    kunci = models.CharField(max_length=200, blank=True)
    dibaca_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=12, choices=StatusEmail.choices, default=StatusEmail.TIDAK_PERLU
    )
    email_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "penerima", "kunci"],
                condition=~models.Q(kunci=""),
                name="uniq_notifikasi_kunci",
            )
        ]
        indexes = [
            models.Index(fields=["instansi", "penerima", "dibaca_at"], name="notifikasi_penerima_idx"),
            # only the rows still waiting for an e-mail (every query on email_status asks for those)
            models.Index(
                fields=["instansi", "email_status", "penerima"],
                condition=models.Q(email_status__in=[StatusEmail.SEGERA, StatusEmail.DIGEST]),
                name="notifikasi_email_antri_idx",
            ),
            models.Index(
                fields=["aktor"], condition=models.Q(aktor__isnull=False), name="notifikasi_aktor_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.judul


class ModeEmail(models.TextChoices):
    SEGERA = "segera", _("Segera, satu email per notifikasi")
    HARIAN = "harian", _("Ringkasan harian (satu email per hari)")
    MATI = "mati", _("Tidak menerima email")


class PreferensiNotifikasi(TenantOwnedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode_email = models.CharField(max_length=8, choices=ModeEmail.choices, default=ModeEmail.SEGERA)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instansi", "user"], name="uniq_preferensi_notifikasi")
        ]


class DigestHarian(TenantOwnedModel):
    """One row per user per day: the daily digest is sent at most once (idempotent task)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tanggal = models.DateField()
    jumlah = models.PositiveIntegerField(default=0)
    terkirim_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instansi", "user", "tanggal"], name="uniq_digest_harian")
        ]


class Aktivitas(TenantOwnedModel):
    """A timeline row about one pegawai, written by dialog services in the same transaction as the change.

    SKP status changes are not copied here: the timeline selector reads ``skp.SkpStatusChange`` directly."""

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+")
    aktor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    jenis = models.CharField(max_length=40)
    ringkasan = models.TextField(blank=True)
    objek_tipe = models.CharField(max_length=40, blank=True)
    objek_id = models.BigIntegerField(null=True, blank=True)
    skp = models.ForeignKey("skp.Skp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("aktivitas")
        verbose_name_plural = _("aktivitas")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["instansi", "pegawai", "created_at"], name="aktivitas_pegawai_idx")]


# ---------------------------------------------------------------- log harian (daily work log)


class StatusLog(models.TextChoices):
    MENUNGGU = "menunggu", _("Menunggu verifikasi")
    DITERIMA = "diterima", _("Diterima")
    DITOLAK = "ditolak", _("Ditolak")


def log_berkas_upload_to(instance: "LogHarian", filename: str) -> str:
    """A random name under the tenant's folder; the extension comes from the sniffed type."""
    ext = PurePath(filename).suffix.lower()[:8]
    return f"log-harian/{instance.instansi_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class LogHarian(TenantOwnedModel):
    """One activity a pegawai did on one day against one of their RHK (domain.md "Daily log").

    Rules live in ``dialog.log_harian_rules`` (pure), writes in the log harian services. ~20 M rows per
    instansi-year at 100k pegawai: one covering index (instansi, pegawai, tanggal) INCLUDE (rhk, status,
    durasi) serves the verification page, the list and the monthly recap (docs/log-harian.md)."""

    instansi = instansi_fk_tanpa_indeks()  # every index below leads with instansi_id

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+", db_index=False)
    skp = models.ForeignKey("skp.Skp", on_delete=models.PROTECT, related_name="+", db_index=False)
    rhk = models.ForeignKey("skp.Rhk", on_delete=models.PROTECT, related_name="+")
    rencana_aksi = models.ForeignKey(
        RencanaAksi, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    tanggal = models.DateField(_("tanggal"))
    uraian = models.TextField(_("uraian kegiatan"), max_length=MAX_TEKS)
    durasi_menit = models.PositiveSmallIntegerField(_("durasi (menit)"))
    tautan = models.URLField(_("tautan"), max_length=2000, blank=True)
    berkas = models.FileField(upload_to=log_berkas_upload_to, max_length=255, blank=True)
    nama_berkas = models.CharField(_("nama berkas"), max_length=255, blank=True)
    tipe_konten = models.CharField(max_length=120, blank=True)
    ukuran = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=StatusLog.choices, default=StatusLog.MENUNGGU)
    catatan_verifikasi = models.TextField(_("catatan verifikasi"), blank=True, max_length=MAX_TEKS)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("log harian")
        verbose_name_plural = _("log harian")
        ordering = ["-tanggal", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(durasi_menit__gte=1) & models.Q(durasi_menit__lte=1440),
                name="log_harian_durasi_1_1440",
            ),
        ]
        indexes = [
            models.Index(
                fields=["instansi", "pegawai", "tanggal"],
                include=["rhk", "status", "durasi_menit"],
                name="log_harian_pegawai_tgl_idx",
            ),
            models.Index(
                fields=["rencana_aksi"],
                condition=models.Q(rencana_aksi__isnull=False),
                name="log_harian_rencana_aksi_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tanggal:%Y-%m-%d} {self.uraian[:60]}"


class PengaturanLogHarian(TenantOwnedModel):
    """Per-instansi settings of the daily log; no row = the defaults (on, lock 5 days after the month,
    no reminders)."""

    aktif = models.BooleanField(_("log harian aktif"), default=True)
    hari_kunci = models.PositiveSmallIntegerField(_("hari setelah akhir bulan sampai log dikunci"), default=5)
    pengingat_aktif = models.BooleanField(_("pengingat log harian"), default=False)
    pengingat_hari_kerja = models.PositiveSmallIntegerField(
        _("pengingat setelah berapa hari kerja tanpa log"), default=3
    )

    class Meta:
        verbose_name = _("pengaturan log harian")
        constraints = [models.UniqueConstraint(fields=["instansi"], name="uniq_pengaturan_log_harian")]
