"""Organisation structure: unit kerja tree (materialised path) and jabatan catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantOwnedModel


class UnitKerja(TenantOwnedModel):
    """A unit of any depth. ``path`` is the materialised path of ids ("12.45.97.") so a whole
    subtree is one indexed ``LIKE 'prefix%'`` query; services keep it current."""

    nama = models.CharField(_("nama unit kerja"), max_length=255)
    induk = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="anak")
    path = models.CharField(max_length=1024, db_index=False, default="", editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_unit_kerja_mandiri = models.BooleanField(_("unit kerja mandiri"), default=False)

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "induk", "nama"], name="uniq_unit_nama_per_induk", nulls_distinct=False
            ),
        ]
        indexes = [
            models.Index(
                fields=["instansi", "path"],
                name="unit_path_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.nama


class JenisJabatan(models.TextChoices):
    JPT_UTAMA = "jpt_utama", _("JPT Utama")
    JPT_MADYA = "jpt_madya", _("JPT Madya")
    JPT_PRATAMA = "jpt_pratama", _("JPT Pratama")
    ADMINISTRATOR = "administrator", _("Administrator")
    PENGAWAS = "pengawas", _("Pengawas")
    PELAKSANA = "pelaksana", _("Pelaksana")
    FUNGSIONAL = "fungsional", _("Fungsional")


JPT = {JenisJabatan.JPT_UTAMA, JenisJabatan.JPT_MADYA, JenisJabatan.JPT_PRATAMA}


class JenjangJf(models.TextChoices):
    AHLI_UTAMA = "ahli_utama", _("Ahli Utama")
    AHLI_MADYA = "ahli_madya", _("Ahli Madya")
    AHLI_MUDA = "ahli_muda", _("Ahli Muda")
    AHLI_PERTAMA = "ahli_pertama", _("Ahli Pertama")
    PENYELIA = "penyelia", _("Penyelia")
    MAHIR = "mahir", _("Mahir")
    TERAMPIL = "terampil", _("Terampil")
    PEMULA = "pemula", _("Pemula")


class Jabatan(TenantOwnedModel):
    nama = models.CharField(_("nama jabatan"), max_length=255)
    jenis = models.CharField(_("jenis jabatan"), max_length=16, choices=JenisJabatan.choices)
    jenjang = models.CharField(_("jenjang JF"), max_length=16, choices=JenjangJf.choices, blank=True)

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("jabatan")
        ordering = ["nama"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "nama", "jenis", "jenjang"], name="uniq_jabatan"),
        ]

    def __str__(self) -> str:
        return self.nama

    @property
    def is_jpt(self) -> bool:
        return self.jenis in JPT
