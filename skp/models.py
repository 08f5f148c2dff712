"""SKP (Sasaran Kinerja Pegawai): plan, results (RHK), indicators, behaviour expectations, history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinerja.models import TenantOwnedModel, TimeStampedModel


class Pendekatan(models.TextChoices):
    KUANTITATIF = "kuantitatif", _("Kuantitatif")
    KUALITATIF = "kualitatif", _("Kualitatif")


class SkpStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    DIAJUKAN = "diajukan", _("Diajukan")
    DISETUJUI = "disetujui", _("Disetujui")
    DIKEMBALIKAN = "dikembalikan", _("Dikembalikan")
    DIGANTI = "diganti", _("Diganti versi baru")


EDITABLE_STATUSES = {SkpStatus.DRAFT, SkpStatus.DIKEMBALIKAN}
#: Free text typed by users (= ``skp.services.MAX_TEXT``): forms and serializers built from the model
#: enforce it; the column stays TEXT.
MAX_TEKS = 2000


class JenisRhk(models.TextChoices):
    UTAMA = "utama", _("Utama")
    TAMBAHAN = "tambahan", _("Tambahan")


class Aspek(models.TextChoices):
    KUANTITAS = "kuantitas", _("Kuantitas")
    KUALITAS = "kualitas", _("Kualitas")
    WAKTU = "waktu", _("Waktu")
    BIAYA = "biaya", _("Biaya")


class CascadingTipe(models.TextChoices):
    DIRECT = "direct", _("Langsung (direct)")
    NON_DIRECT = "non_direct", _("Tidak langsung (non-direct)")


class CoreValue(TimeStampedModel):
    """BerAKHLAK core value with its official guide texts (seed data, versioned, platform-editable)."""

    kode = models.CharField(max_length=32)
    nama = models.CharField(max_length=64)
    urutan = models.PositiveSmallIntegerField()
    panduan = models.JSONField(help_text="List of the 3 panduan perilaku texts")
    tagline = models.CharField(max_length=255, blank=True)
    versi = models.PositiveSmallIntegerField(default=1)
    aktif = models.BooleanField(default=True)

    class Meta:
        ordering = ["urutan"]
        constraints = [models.UniqueConstraint(fields=["kode", "versi"], name="uniq_core_value_versi")]

    def __str__(self) -> str:
        return self.nama


class Skp(TenantOwnedModel):
    """One SKP per pegawai per stint (periode_mulai..periode_selesai within a year).

    ``versi`` is the optimistic-concurrency counter (bumped by every edit); ``revisi`` counts
    approved revisions of the same plan (a revision is a new row pointing at ``revisi_dari``).
    """

    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="skp")
    pejabat_penilai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, null=True, blank=True, related_name="skp_dinilai"
    )
    # A Pejabat Penilai who is not a pegawai (issue #16); at most one of the two is set (CHECK).
    pejabat_penilai_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skp_dinilai",
        db_index=False,
    )
    tahun = models.PositiveSmallIntegerField()
    periode_mulai = models.DateField()
    periode_selesai = models.DateField()
    pendekatan = models.CharField(max_length=12, choices=Pendekatan.choices, default=Pendekatan.KUANTITATIF)
    status = models.CharField(
        max_length=12, choices=SkpStatus.choices, default=SkpStatus.DRAFT, db_index=True
    )
    versi = models.PositiveIntegerField(default=1)
    revisi = models.PositiveSmallIntegerField(default=0)
    revisi_dari = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tugas_belajar = models.BooleanField(default=False)
    dukungan_sumber_daya = models.JSONField(default=list, blank=True)
    skema_pertanggungjawaban = models.JSONField(default=list, blank=True)
    konsekuensi = models.JSONField(default=list, blank=True)
    diajukan_at = models.DateTimeField(null=True, blank=True)
    disetujui_at = models.DateTimeField(null=True, blank=True)
    disetujui_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    catatan_pengembalian = models.TextField(blank=True, max_length=MAX_TEKS)
    # Identity snapshots taken at approval: the approved document never changes.
    snapshot_pegawai = models.JSONField(null=True, blank=True)
    snapshot_penilai = models.JSONField(null=True, blank=True)
    # Also frozen at approval: the instansi's name/kode/tempat and the BerAKHLAK texts used (what the
    # signed PDF shows), so renaming the instansi or editing a core value never changes an approved SKP.
    snapshot_instansi = models.JSONField(null=True, blank=True)
    snapshot_perilaku = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("SKP")
        verbose_name_plural = _("SKP")
        ordering = ["-tahun", "-periode_mulai", "-id"]
        permissions = [("approve_skp", "Dapat menyetujui atau mengembalikan SKP ini")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(periode_selesai__gte=models.F("periode_mulai")), name="skp_periode_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(pejabat_penilai__isnull=True)
                | models.Q(pejabat_penilai_non_asn__isnull=True),
                name="skp_satu_pejabat_penilai",
            ),
        ]
        indexes = [
            models.Index(fields=["instansi", "pegawai", "tahun"], name="skp_pegawai_tahun_idx"),
            # covering: the HR report's SKP state per pegawai of a year is an index-only scan
            models.Index(
                fields=["instansi", "tahun", "pegawai"],
                include=["status", "periode_mulai", "periode_selesai"],
                name="skp_laporan_idx",
            ),
            models.Index(fields=["instansi", "pejabat_penilai", "status"], name="skp_penilai_status_idx"),
            models.Index(
                fields=["instansi", "pejabat_penilai_non_asn", "status"],
                condition=models.Q(pejabat_penilai_non_asn__isnull=False),
                name="skp_penilai_non_asn_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"SKP {self.tahun} {self.pegawai_id} ({self.status})"

    @property
    def ada_penilai(self) -> bool:
        """True when the SKP names a Pejabat Penilai (a pegawai or a non-ASN official)."""
        return self.pejabat_penilai_id is not None or self.pejabat_penilai_non_asn_id is not None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Rhk(TenantOwnedModel):
    """Rencana Hasil Kerja (a planned result) with 1..4 indicators."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rhk")
    jenis = models.CharField(max_length=10, choices=JenisRhk.choices, default=JenisRhk.UTAMA)
    rencana_hasil_kerja = models.TextField(max_length=MAX_TEKS)
    rhk_pimpinan = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rhk_bawahan"
    )
    # The leader's result text as it was when this SKP was approved ("" = not linked then; null = not
    # frozen yet). An approved SKP shows this, whatever the leader edits later.
    rhk_pimpinan_teks = models.TextField(null=True, blank=True)
    # The tim kerja whose ketua's result ``rhk_pimpinan`` is (null: the structural leader's), and its
    # label ("Tim: <nama> (ketua <nama>)") frozen at approval like ``rhk_pimpinan_teks`` ("" = no team).
    tim_kerja = models.ForeignKey(
        "kinerja.TimKerja",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rhk",
        # no index of its own: nothing looks results up by team (teams are never deleted), and the
        # results table is big (a plain CREATE INDEX would block it; docs/performance.md)
        db_index=False,
    )
    tim_kerja_teks = models.TextField(null=True, blank=True)
    # A JPT's result derives from an indikator kinerja utama of their unit's Perjanjian Kinerja.
    indikator_pk = models.ForeignKey(
        "perjanjian.IndikatorKinerjaUtama",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rhk",
        db_index=False,  # the partial index below, built concurrently (skp/0006)
    )
    # That indikator (with its sasaran and Manual IKU) as it was at approval ({} = not linked then;
    # null = not frozen yet); built by ``skp_approve``.
    indikator_pk_snapshot = models.JSONField(null=True, blank=True)
    cascading_tipe = models.CharField(max_length=12, choices=CascadingTipe.choices, blank=True)
    perspektif = models.CharField(max_length=100, blank=True)
    penugasan_dari = models.CharField(max_length=255, blank=True)
    urutan = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["skp", "jenis", "urutan", "id"]
        indexes = [
            models.Index(fields=["instansi", "rhk_pimpinan"], name="rhk_pimpinan_idx"),
            models.Index(
                fields=["instansi", "indikator_pk"],
                name="rhk_indikator_pk_idx",
                condition=models.Q(indikator_pk__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.rencana_hasil_kerja[:80]

    @property
    def rhk_pimpinan_tampil(self) -> str:
        """The leader's result as shown for this row: the approval snapshot when frozen, else the live
        text (``rhk_pimpinan`` select_related by the caller); "" when not linked."""
        if self.rhk_pimpinan_teks is not None:
            return self.rhk_pimpinan_teks
        return self.rhk_pimpinan.rencana_hasil_kerja if self.rhk_pimpinan_id and self.rhk_pimpinan else ""

    @property
    def tim_kerja_tampil(self) -> str:
        """Which team this result supports, as shown: the approval snapshot when frozen, else the live
        label (``tim_kerja__ketua`` select_related by the caller); "" for the structural leader."""
        if self.tim_kerja_teks is not None:
            return self.tim_kerja_teks
        return self.tim_kerja.label() if self.tim_kerja_id and self.tim_kerja else ""

    @property
    def indikator_pk_tampil(self) -> dict[str, str] | None:
        """The PK indikator this row derives from (uraian, target, sasaran, Manual IKU): the approval
        snapshot when frozen, else live (``indikator_pk__sasaran`` select_related by the caller)."""
        if self.indikator_pk_snapshot is not None:
            return dict(self.indikator_pk_snapshot) or None
        if self.indikator_pk_id and self.indikator_pk is not None:
            return self.indikator_pk.snapshot()
        return None


class Indikator(TenantOwnedModel):
    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="indikator")
    aspek = models.CharField(max_length=10, choices=Aspek.choices)
    iki = models.TextField(max_length=MAX_TEKS)
    target = models.CharField(max_length=255)
    urutan = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rhk", "urutan", "id"]


class PerilakuKerja(TenantOwnedModel):
    """One row per BerAKHLAK value per SKP, holding the leader's ekspektasi khusus."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="perilaku")
    core_value = models.CharField(max_length=32)
    ekspektasi_khusus = models.TextField(blank=True, max_length=MAX_TEKS)
    urutan = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["skp", "urutan"]
        constraints = [models.UniqueConstraint(fields=["skp", "core_value"], name="uniq_perilaku_skp")]


class SkpStatusChange(TenantOwnedModel):
    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="riwayat_status")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dari = models.CharField(max_length=12, blank=True)
    ke = models.CharField(max_length=12)
    catatan = models.TextField(blank=True, max_length=MAX_TEKS)

    class Meta:
        ordering = ["skp", "created_at", "id"]
