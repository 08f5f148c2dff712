"""People: pegawai and their placement history (mutasi)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantOwnedModel


class StatusPegawai(models.TextChoices):
    PNS = "pns", _("PNS")
    CPNS = "cpns", _("CPNS")
    PPPK = "pppk", _("PPPK")


class Pegawai(TenantOwnedModel):
    """An ASN in one instansi. ``atasan`` is the direct superior = default Pejabat Penilai."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pegawai")
    nip = models.CharField(_("NIP / NI PPPK"), max_length=18, unique=True)
    nama = models.CharField(_("nama"), max_length=255)
    status = models.CharField(_("status"), max_length=4, choices=StatusPegawai.choices)
    pangkat_golongan = models.CharField(_("pangkat/golongan"), max_length=100, blank=True)
    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="pegawai")
    jabatan = models.ForeignKey("kinerja.Jabatan", on_delete=models.PROTECT, related_name="pegawai")
    atasan = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bawahan",
        verbose_name=_("atasan"),
    )
    # The Pejabat Penilai Kinerja when it is not a pegawai (a Kepala Daerah, Menteri: issue #16,
    # domain.md §2.1); set by ``pejabat_non_asn_simpan``, never together with ``atasan`` (CHECK).
    # No index of its own: the partial one of migration 0010 covers the few rows that set it.
    penilai_non_asn = models.ForeignKey(
        "kinerja.PejabatNonAsn",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dinilai",
        db_index=False,
        verbose_name=_("pejabat penilai non-ASN"),
    )
    email = models.EmailField(_("email"), blank=True)
    tugas_belajar = models.BooleanField(_("tugas belajar"), default=False)
    aktif = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["nama", "id"]
        indexes = [
            models.Index(fields=["instansi", "atasan"], name="pegawai_atasan_idx"),
            models.Index(fields=["instansi", "unit_kerja"], name="pegawai_unit_idx"),
            models.Index(fields=["instansi", "nama", "id"], name="pegawai_nama_idx"),
            models.Index(
                fields=["instansi", "penilai_non_asn"],
                condition=models.Q(penilai_non_asn__isnull=False),
                name="pegawai_penilai_non_asn_idx",
            ),
        ]
        permissions = [("nilai_pegawai", "Dapat bertindak sebagai Pejabat Penilai (delegasi)")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(atasan__isnull=True) | models.Q(penilai_non_asn__isnull=True),
                name="pegawai_satu_penilai",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nama} ({self.nip})"


class PejabatNonAsn(TenantOwnedModel):
    """A Pejabat Penilai Kinerja who is not a pegawai (Kepala Daerah, Menteri, pimpinan instansi; domain.md
    §2.1): a login without a pegawai row, bound to exactly one instansi. It rates the pegawai whose
    ``penilai_non_asn`` names it, and decides keberatan as the atasan of their Pejabat Penilai."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pejabat_non_asn"
    )
    nama = models.CharField(_("nama"), max_length=255)
    jabatan = models.CharField(_("jabatan"), max_length=255)

    #: What a SIASN sender puts in ``statusPenilai`` for an evaluation this official rated.
    STATUS_SIASN = "NON ASN"

    class Meta:
        verbose_name = _("pejabat penilai non-ASN")
        verbose_name_plural = _("pejabat penilai non-ASN")
        ordering = ["nama", "id"]

    def __str__(self) -> str:
        return f"{self.nama} ({self.jabatan})"


class JenisPenempatan(models.TextChoices):
    AWAL = "awal", _("Penempatan awal")
    MUTASI = "mutasi", _("Mutasi")


class Penempatan(TenantOwnedModel):
    """Placement history: one row per stint in a unit/jabatan/atasan; ``selesai`` null = current."""

    pegawai = models.ForeignKey(Pegawai, on_delete=models.CASCADE, related_name="penempatan")
    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    jabatan = models.ForeignKey("kinerja.Jabatan", on_delete=models.PROTECT, related_name="+")
    atasan = models.ForeignKey(Pegawai, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    jenis = models.CharField(max_length=8, choices=JenisPenempatan.choices, default=JenisPenempatan.AWAL)
    mulai = models.DateField()
    selesai = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("penempatan")
        verbose_name_plural = _("riwayat penempatan")
        ordering = ["pegawai", "-mulai", "-id"]
        indexes = [models.Index(fields=["instansi", "pegawai", "mulai"], name="penempatan_pegawai_idx")]
