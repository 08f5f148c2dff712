"""Evaluation: periodic and annual evaluations, unit performance, distribution rules, the year-end batch
(chunk ledger, follow-ups, angka kredit) and objections (keberatan).

Every tenant-owned row carries ``instansi`` (TenantOwnedModel) so the batch's set-based SQL filters
``instansi_id`` on every table without a JOIN.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluasi.scoring import Predikat, PredikatOrganisasi, Rating, predikat_cocok_q
from kinerja.models import TenantOwnedModel, TimeStampedModel, instansi_fk_tanpa_indeks

#: Free text typed by users (the limit of evaluasi.forms and evaluasi.api): forms and serializers built
#: from the model enforce it; the columns stay TEXT.
MAX_TEKS = 5000


class JenisEvaluasi(models.TextChoices):
    PERIODIK = "periodik", _("Periodik")
    TAHUNAN = "tahunan", _("Tahunan")


class StatusEvaluasi(models.TextChoices):
    BELUM_DINILAI = "belum_dinilai", _("Belum dinilai")
    DINILAI = "dinilai", _("Dinilai")
    FINAL = "final", _("Final")


class Evaluasi(TenantOwnedModel):
    """One evaluation: periodic (per SKP stint and period) or annual (per pegawai and year).

    Both kinds share one table so ``evaluasi/{id}/`` addresses either. Rows are materialised
    set-based by ``evaluasi.services.evaluasi_periodik_ensure`` / ``evaluasi_tahunan_ensure``.
    ``skp`` of an annual row is the stint that covers 31 December (else the latest stint);
    ``pejabat_penilai`` and ``unit_kerja`` are copied from it when the row is made (the batch
    refreshes ``unit_kerja`` until the row is final, so the distribution is per unit at year end).
    """

    instansi = instansi_fk_tanpa_indeks()  # composite indexes lead with instansi_id

    jenis = models.CharField(max_length=8, choices=JenisEvaluasi.choices)
    tahun = models.PositiveSmallIntegerField()
    periode = models.ForeignKey(
        "kinerja.Periode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="evaluasi")
    skp = models.ForeignKey("skp.Skp", on_delete=models.PROTECT, related_name="evaluasi")
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="evaluasi_dinilai"
    )
    # A Pejabat Penilai who is not a pegawai (issue #16), copied from the SKP like ``pejabat_penilai``;
    # at most one of the two is set (CHECK). SIASN reads ``status_penilai``.
    pejabat_penilai_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluasi_dinilai",
        db_index=False,
    )
    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    rating_hasil_kerja = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku_kerja = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    predikat = models.CharField(max_length=20, choices=Predikat.choices, blank=True)
    justifikasi = models.TextField(blank=True, max_length=MAX_TEKS)
    jumlah_umpan_balik = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=14, choices=StatusEvaluasi.choices, default=StatusEvaluasi.BELUM_DINILAI
    )
    dinilai_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dinilai_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    # When the result was delivered to the pegawai (domain.md "Keberatan on periodic results"): a periodic
    # result at its rating by the Pejabat Penilai, an annual one at finalisation (``final_at``). The
    # keberatan deadline counts from it (evaluasi.jendela.keberatan_batas); printed on the document.
    diterima_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock of the rating (api-contract §3: PATCH with a stale ``versi`` → 409). Bumped by every
    # rating and keberatan decision; the database default covers the set-based INSERTs of the batch.
    versi = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        verbose_name = _("evaluasi kinerja")
        verbose_name_plural = _("evaluasi kinerja")
        ordering = ["tahun", "jenis", "periode_id", "pegawai_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "skp", "periode"],
                condition=Q(jenis="periodik"),
                name="uniq_evaluasi_periodik",
            ),
            models.UniqueConstraint(
                fields=["instansi", "pegawai", "tahun"],
                condition=Q(jenis="tahunan"),
                name="uniq_evaluasi_tahunan",
            ),
            # the target of the tenant foreign keys of TindakLanjut and AngkaKredit (evaluasi/0007)
            models.UniqueConstraint(fields=["instansi", "pegawai", "id"], name="uniq_evaluasi_kunci_tenant"),
            models.CheckConstraint(
                condition=Q(jenis="periodik", periode__isnull=False)
                | Q(jenis="tahunan", periode__isnull=True),
                name="evaluasi_periode_sesuai_jenis",
            ),
            models.CheckConstraint(
                condition=Q(predikat="") | (~Q(rating_hasil_kerja="") & ~Q(rating_perilaku_kerja="")),
                name="evaluasi_predikat_butuh_rating",
            ),
            # domain §6.4: the predikat is always the matrix cell of the ratings shown (issue #17)
            models.CheckConstraint(
                condition=predikat_cocok_q("rating_hasil_kerja", "rating_perilaku_kerja", "predikat"),
                name="evaluasi_predikat_sesuai_matriks",
            ),
            models.CheckConstraint(
                condition=Q(pejabat_penilai__isnull=True) | Q(pejabat_penilai_non_asn__isnull=True),
                name="evaluasi_satu_pejabat_penilai",
            ),
        ]
        indexes = [
            # covering: the HR report's per-pegawai predikat is an index-only scan (docs/performance.md, Cluster)
            models.Index(
                fields=["instansi", "tahun", "jenis", "pegawai"],
                include=["predikat", "periode"],
                name="evaluasi_laporan_idx",
            ),
            models.Index(fields=["instansi", "pejabat_penilai", "tahun"], name="evaluasi_penilai_idx"),
            models.Index(
                fields=["instansi", "pejabat_penilai_non_asn", "tahun"],
                condition=Q(pejabat_penilai_non_asn__isnull=False),
                name="evaluasi_penilai_non_asn_idx",
            ),
            models.Index(fields=["instansi", "unit_kerja", "tahun", "periode"], name="evaluasi_unit_idx"),
        ]

    def __str__(self) -> str:
        if self.jenis == JenisEvaluasi.TAHUNAN:
            return f"Evaluasi tahunan {self.tahun} #{self.pegawai_id}"
        return f"Evaluasi periodik {self.periode_id} #{self.pegawai_id}"

    @property
    def is_final(self) -> bool:
        return self.status == StatusEvaluasi.FINAL

    @property
    def status_penilai(self) -> str:
        """SIASN ``statusPenilai`` (api-contract §6): "NON ASN" when a non-ASN official rates, else "ASN"."""
        return "NON ASN" if self.pejabat_penilai_non_asn_id is not None else "ASN"


class AturanDistribusi(TimeStampedModel):
    """A versioned distribution-guideline rule set (domain §7): platform data, seeded by migration.

    ``definisi`` = ``{"aturan": {<predikat organisasi or "*">: [{"jenis": "maks"|"min"|"ada"|
    "tidak_ada"|"terbanyak", "predikat": [...], "persen": n}]}}``, evaluated by
    ``evaluasi.scoring.cek_distribusi``. A change is a new ``versi`` row, never an edit in place.
    """

    kode = models.CharField(max_length=32)
    versi = models.PositiveSmallIntegerField(default=1)
    nama = models.CharField(max_length=255)
    sumber = models.TextField(blank=True)
    definisi = models.JSONField()
    bawaan = models.BooleanField(
        default=False, help_text="The default rule set for instansi without a choice"
    )
    aktif = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("aturan pola distribusi")
        verbose_name_plural = _("aturan pola distribusi")
        ordering = ["kode", "-versi"]
        constraints = [models.UniqueConstraint(fields=["kode", "versi"], name="uniq_aturan_distribusi_versi")]

    def __str__(self) -> str:
        return f"{self.nama} (v{self.versi})"


class PengaturanEvaluasi(TenantOwnedModel):
    """Per-instansi evaluation settings: which distribution rule set applies (null = the default) and the
    annual rating window (domain.md "Annual window": 1 December .. 31 January of the next year by default;
    evaluated by ``evaluasi.jendela.jendela_tahunan``)."""

    aturan_distribusi = models.ForeignKey(
        AturanDistribusi, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    jendela_buka_bulan = models.PositiveSmallIntegerField(
        _("bulan jendela penilaian tahunan dibuka"), default=12, db_default=12
    )
    jendela_buka_tanggal = models.PositiveSmallIntegerField(
        _("tanggal jendela penilaian tahunan dibuka"), default=1, db_default=1
    )
    jendela_tutup_bulan = models.PositiveSmallIntegerField(
        _("bulan jendela penilaian tahunan ditutup"), default=1, db_default=1
    )
    jendela_tutup_tanggal = models.PositiveSmallIntegerField(
        _("tanggal jendela penilaian tahunan ditutup"), default=31, db_default=31
    )

    class Meta:
        verbose_name = _("pengaturan evaluasi")
        constraints = [models.UniqueConstraint(fields=["instansi"], name="uniq_pengaturan_evaluasi")]


class KinerjaOrganisasi(TenantOwnedModel):
    """Predikat kinerja organisasi of a unit for a period (``periode`` null = the year), with justification."""

    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    tahun = models.PositiveSmallIntegerField()
    periode = models.ForeignKey(
        "kinerja.Periode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    predikat = models.CharField(max_length=20, choices=PredikatOrganisasi.choices)
    justifikasi = models.TextField(max_length=MAX_TEKS)
    ditetapkan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("predikat kinerja organisasi")
        verbose_name_plural = _("predikat kinerja organisasi")
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "unit_kerja", "tahun", "periode"],
                name="uniq_kinerja_organisasi",
                nulls_distinct=False,
            )
        ]


class AlasanDeviasi(TenantOwnedModel):
    """The written reason for one distribution warning (``kode`` from ``scoring.Peringatan``) of a unit."""

    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    tahun = models.PositiveSmallIntegerField()
    periode = models.ForeignKey(
        "kinerja.Periode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kode = models.CharField(max_length=120)
    pesan = models.TextField(blank=True)
    alasan = models.TextField(max_length=MAX_TEKS)
    aturan = models.ForeignKey(AturanDistribusi, on_delete=models.PROTECT, null=True, related_name="+")
    ditulis_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("alasan deviasi distribusi")
        verbose_name_plural = _("alasan deviasi distribusi")
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "unit_kerja", "tahun", "periode", "kode"],
                name="uniq_alasan_deviasi",
                nulls_distinct=False,
            )
        ]


class TahapBatch(models.TextChoices):
    NILAI = "nilai", _("Rekap & predikat")
    FINAL = "final", _("Finalisasi & tindak lanjut")
    SELESAI = "selesai", _("Putaran selesai")


class BatchChunk(TenantOwnedModel):
    """Completion ledger of the year-end batch: one row per finished (putaran, tahap, pegawai id range).

    Written in the chunk's own transaction, so a killed worker leaves exactly the unfinished chunks
    for the next run, which resumes the same ``ronde``. A run that completes writes the ``selesai``
    marker; the next run opens a new ``ronde`` (and, being idempotent, changes only what changed,
    e.g. ratings given after the first run). Dry runs never write here.
    """

    tahun = models.PositiveSmallIntegerField()
    ronde = models.PositiveIntegerField(default=1)
    tahap = models.CharField(max_length=8, choices=TahapBatch.choices)
    id_dari = models.BigIntegerField()
    id_sampai = models.BigIntegerField(help_text="exclusive")
    jumlah = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("kinerja.Job", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "tahun", "ronde", "tahap", "id_dari", "id_sampai"],
                name="uniq_batch_chunk",
            )
        ]


class JenisTindakLanjut(models.TextChoices):
    TALENT_POOL = "talent_pool", _("Kandidat kelompok rencana suksesi (talent pool)")
    PENGEMBANGAN_KOMPETENSI = "pengembangan_kompetensi", _("Prioritas pengembangan kompetensi")
    PERBAIKAN_KINERJA = "perbaikan_kinerja", _("Masa perbaikan kinerja 6 bulan")


class TindakLanjut(TenantOwnedModel):
    """A follow-up recorded by the year-end batch (domain §8); decisions themselves happen outside the app."""

    # instansi, pegawai and evaluasi are checked by ONE foreign key in the database,
    # (instansi_id, pegawai_id, evaluasi_id) -> evaluasi (instansi_id, pegawai_id, id) (evaluasi/0007):
    # the row can only point at an evaluation of the same instansi and the same pegawai, and the batch
    # inserting ~1M of these per 1M pegawai pays one check per row instead of three.
    instansi = instansi_fk_tanpa_indeks(db_constraint=False)

    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    tahun = models.PositiveSmallIntegerField()
    evaluasi = models.ForeignKey(
        Evaluasi, on_delete=models.CASCADE, related_name="tindak_lanjut", db_constraint=False
    )
    jenis = models.CharField(max_length=24, choices=JenisTindakLanjut.choices)
    mulai = models.DateField(null=True, blank=True)
    selesai = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "pegawai", "tahun", "jenis"], name="uniq_tindak_lanjut"
            )
        ]


class JenisLangkah(models.TextChoices):
    """The steps after the 6-month improvement window (domain §8.2; Product decisions "Sanksi end state")."""

    UJI_KOMPETENSI = "uji_kompetensi", _("Uji kompetensi kembali")
    PINDAH_JABATAN = "pindah_jabatan", _("Dipindahkan ke jabatan lain yang sesuai kompetensi")
    TURUN_JABATAN = "turun_jabatan", _("Ditempatkan pada jabatan yang lebih rendah")
    PENEMPATAN_SEMENTARA = "penempatan_sementara", _("Penempatan sementara (paling lama 1 tahun)")
    DIBERHENTIKAN_DENGAN_HORMAT = "diberhentikan_dengan_hormat", _("Diberhentikan dengan hormat")


def langkah_upload_to(instance: "LangkahTindakLanjut", filename: str) -> str:
    """A random name under the tenant's folder (the file is checked to be a whole PDF before saving)."""
    return f"tindak_lanjut/{instance.instansi_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class LangkahTindakLanjut(TenantOwnedModel):
    """One recorded step of the chain after an improvement window (uji kompetensi → pindah/turun jabatan →
    penempatan sementara ≤ 1 year → diberhentikan dengan hormat). Recorded by an admin with the date,
    a note and an optional document; the decision itself is made outside the app, never automatically."""

    tindak_lanjut = models.ForeignKey(TindakLanjut, on_delete=models.CASCADE, related_name="langkah")
    jenis = models.CharField(max_length=32, choices=JenisLangkah.choices)
    tanggal = models.DateField()
    sampai = models.DateField(null=True, blank=True)
    catatan = models.TextField(max_length=MAX_TEKS)
    berkas = models.FileField(upload_to=langkah_upload_to, max_length=255, blank=True)
    nama_berkas = models.CharField(max_length=255, blank=True)
    dicatat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("langkah tindak lanjut")
        verbose_name_plural = _("langkah tindak lanjut")
        ordering = ["tanggal", "id"]


class AngkaKredit(TenantOwnedModel):
    """Angka kredit of a JF for a year from its final annual predikat (domain §8.3). Export only."""

    # instansi, pegawai and evaluasi are checked by ONE foreign key in the database,
    # (instansi_id, pegawai_id, evaluasi_id) -> evaluasi (instansi_id, pegawai_id, id) (evaluasi/0007):
    # the row can only point at an evaluation of the same instansi and the same pegawai, and the batch
    # inserting ~1M of these per 1M pegawai pays one check per row instead of three.
    instansi = instansi_fk_tanpa_indeks(db_constraint=False)

    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    tahun = models.PositiveSmallIntegerField()
    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    jenjang = models.CharField(max_length=16)
    predikat = models.CharField(max_length=20, choices=Predikat.choices)
    persentase = models.DecimalField(max_digits=5, decimal_places=2)
    koefisien = models.DecimalField(max_digits=6, decimal_places=3)
    bulan = models.PositiveSmallIntegerField()
    nilai = models.DecimalField(max_digits=9, decimal_places=3)
    #: One entry per jenjang held in the year (a promotion mid-year gives two): {jenjang, bulan, koefisien};
    #: ``jenjang``/``koefisien`` above are those of the last month (scoring.angka_kredit_rincian).
    rincian = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("angka kredit")
        verbose_name_plural = _("angka kredit")
        constraints = [
            models.UniqueConstraint(fields=["instansi", "pegawai", "tahun"], name="uniq_angka_kredit")
        ]


class StatusKeberatan(models.TextChoices):
    DIAJUKAN = "diajukan", _("Diajukan")
    DITERIMA = "diterima", _("Diterima")
    DITOLAK = "ditolak", _("Ditolak")


class Keberatan(TenantOwnedModel):
    """An objection to a final evaluation, decided by the atasan of the Pejabat Penilai."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.PROTECT, related_name="keberatan")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="+")
    pemutus = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="keberatan_diputus"
    )
    # The atasan of the Pejabat Penilai when that atasan is a non-ASN official (issue #16); at most one
    # of ``pemutus`` / ``pemutus_non_asn`` is set (CHECK).
    pemutus_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="keberatan_diputus",
        db_index=False,
    )
    alasan = models.TextField(max_length=MAX_TEKS)
    status = models.CharField(
        max_length=10, choices=StatusKeberatan.choices, default=StatusKeberatan.DIAJUKAN
    )
    predikat_semula = models.CharField(max_length=20, choices=Predikat.choices)
    predikat_baru = models.CharField(max_length=20, choices=Predikat.choices, blank=True)
    # The ratings at filing and the ones an accepted keberatan sets (issue #17): ``predikat_baru`` is the
    # matrix cell of the new ratings (checked by the database), never chosen on its own.
    rating_hasil_kerja_semula = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku_kerja_semula = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_hasil_kerja_baru = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku_kerja_baru = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    catatan_keputusan = models.TextField(blank=True, max_length=MAX_TEKS)
    diputus_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    diputus_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("keberatan")
        verbose_name_plural = _("keberatan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "evaluasi"], name="uniq_keberatan_evaluasi"),
            models.CheckConstraint(
                condition=predikat_cocok_q(
                    "rating_hasil_kerja_baru", "rating_perilaku_kerja_baru", "predikat_baru"
                ),
                name="keberatan_predikat_baru_sesuai_matriks",
            ),
            models.CheckConstraint(
                condition=Q(pemutus__isnull=True) | Q(pemutus_non_asn__isnull=True),
                name="keberatan_satu_pemutus",
            ),
        ]
        indexes = [
            models.Index(fields=["instansi", "pemutus", "status"], name="keberatan_pemutus_idx"),
            models.Index(
                fields=["instansi", "pemutus_non_asn", "status"],
                condition=Q(pemutus_non_asn__isnull=False),
                name="keberatan_pemutus_non_asn_idx",
            ),
        ]


# ---------------------------------------------------------------------------------------------- SIASN


class JenisKirimanSiasn(models.TextChoices):
    SKP22 = "skp22", _("Hasil kinerja tahunan (skp22/save)")
    PERIODIK = "periodik", _("Kinerja periodik (kinerjaperiodik/save)")
    ANGKA_KREDIT = "angkakredit", _("Angka kredit JF (angkakredit/save)")


class StatusKirimanSiasn(models.TextChoices):
    TERKIRIM = "terkirim", _("Terkirim")
    GAGAL = "gagal", _("Gagal")


#: ``KirimanSiasn.status`` also knows "dikirim": a first send (``id`` null) started and no answer is stored
#: yet (``dikirim_at``); the audit (``LogSiasn.hasil``) keeps the two outcomes above.
STATUS_DIKIRIM = "dikirim"
STATUS_KIRIMAN_CHOICES = [*StatusKirimanSiasn.choices, (STATUS_DIKIRIM, _("Sedang dikirim"))]


class PegawaiSiasn(TenantOwnedModel):
    """A pegawai's SIASN id (``pnsDinilaiOrang`` = ``data.id`` of ``pns/data-utama/{nip}``), looked up once
    and kept, with the data-utama fields last read (the read side compares them)."""

    pegawai = models.OneToOneField("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+")
    siasn_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ID SIASN pegawai")
        verbose_name_plural = _("ID SIASN pegawai")


class KirimanSiasn(TenantOwnedModel):
    """What SIASN holds of one result: its record id, the SHA-256 of the payload it accepted, when, and the
    last attempt's status/message. One row per (kind, evaluation); angka kredit hangs on the annual one.
    A result whose payload hash is unchanged is not sent again; a changed one is sent with ``siasn_id``."""

    jenis = models.CharField(max_length=12, choices=JenisKirimanSiasn.choices)
    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="+")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.CASCADE, related_name="+")
    tahun = models.PositiveSmallIntegerField()
    siasn_id = models.CharField(max_length=64, blank=True)
    payload_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the last accepted payload"
    )
    terkirim_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_KIRIMAN_CHOICES)
    pesan = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: write-ahead intent: set (and committed) before a first send (``id`` null); cleared when SIASN's answer
    #: is stored. Set with an empty ``siasn_id`` on a later run = in doubt: SIASN may hold a record Kinerja
    #: does not know, so the next run first asks its riwayat (``pns/rw-skp22/{nip}``, ``rw-kinerjaperiodik``,
    #: ``rw-angkakredit``; docs/siasn.md "Resume").
    dikirim_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiriman SIASN")
        verbose_name_plural = _("kiriman SIASN")
        constraints = [
            models.UniqueConstraint(fields=["instansi", "jenis", "evaluasi"], name="uniq_kiriman_siasn"),
        ]
        indexes = [models.Index(fields=["instansi", "tahun", "jenis"], name="kiriman_siasn_tahun_idx")]


class LogSiasn(TenantOwnedModel):
    """Audit of the SIASN exchange: every payload sent (or refused before sending) and SIASN's answer, per
    pegawai. Append-only by convention; exported for inspectors (CSV/XLSX)."""

    job = models.ForeignKey("kinerja.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.SET_NULL, null=True, related_name="+")
    nip = models.CharField(max_length=18)
    tahun = models.PositiveSmallIntegerField()
    jenis = models.CharField(max_length=12, choices=JenisKirimanSiasn.choices)
    endpoint = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    payload_hash = models.CharField(max_length=64, blank=True)
    versi_kode = models.PositiveSmallIntegerField(default=1)
    hasil = models.CharField(max_length=10, choices=StatusKirimanSiasn.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    siasn_id = models.CharField(max_length=64, blank=True)
    pesan = models.TextField(blank=True)
    jawaban = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("log SIASN")
        verbose_name_plural = _("log SIASN")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["instansi", "job", "hasil"], name="log_siasn_job_idx"),
            models.Index(fields=["instansi", "tahun", "created_at"], name="log_siasn_tahun_idx"),
        ]
