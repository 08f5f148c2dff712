"""Perjanjian Kinerja (PK) of a unit kerja for a year: the root of the pohon kinerja.

A PK is versioned: every save through ``perjanjian.services.pk_simpan`` writes a new version with its own
sasaran and indikator rows; the previous version stays readable (``aktif=False``). Indikator rows carry
``asal`` (the row of the previous version they continue), so SKP results linked to an indikator follow it
into the new version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinerja.models import TenantOwnedModel

MAX_TEKS = 2000


class PerjanjianKinerja(TenantOwnedModel):
    unit_kerja = models.ForeignKey("kinerja.UnitKerja", on_delete=models.PROTECT, related_name="+")
    tahun = models.PositiveSmallIntegerField()
    versi = models.PositiveSmallIntegerField(default=1)
    aktif = models.BooleanField(default=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    catatan = models.TextField(blank=True, max_length=MAX_TEKS)

    class Meta:
        verbose_name = _("perjanjian kinerja")
        verbose_name_plural = _("perjanjian kinerja")
        ordering = ["tahun", "unit_kerja", "-versi"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "unit_kerja", "tahun", "versi"], name="uniq_pk_versi"
            ),
            models.UniqueConstraint(
                fields=["instansi", "unit_kerja", "tahun"],
                condition=models.Q(aktif=True),
                name="uniq_pk_aktif",
            ),
        ]
        indexes = [models.Index(fields=["instansi", "tahun", "aktif"], name="pk_tahun_idx")]

    def __str__(self) -> str:
        return f"PK {self.tahun} unit {self.unit_kerja_id} v{self.versi}"


class SasaranStrategis(TenantOwnedModel):
    perjanjian = models.ForeignKey(PerjanjianKinerja, on_delete=models.CASCADE, related_name="sasaran")
    uraian = models.TextField(max_length=MAX_TEKS)
    urutan = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["perjanjian", "urutan", "id"]

    def __str__(self) -> str:
        return self.uraian[:80]


class IndikatorKinerjaUtama(TenantOwnedModel):
    """An IKU with its target and its Manual IKU (definisi, formula, sumber data, periode pelaporan)."""

    perjanjian = models.ForeignKey(PerjanjianKinerja, on_delete=models.CASCADE, related_name="+")
    sasaran = models.ForeignKey(SasaranStrategis, on_delete=models.CASCADE, related_name="indikator")
    asal = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uraian = models.TextField(max_length=MAX_TEKS)
    target = models.CharField(max_length=255)
    definisi = models.TextField(blank=True, max_length=MAX_TEKS)
    formula = models.TextField(blank=True, max_length=MAX_TEKS)
    sumber_data = models.CharField(max_length=255, blank=True)
    periode_pelaporan = models.CharField(max_length=100, blank=True)
    urutan = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sasaran", "urutan", "id"]
        indexes = [models.Index(fields=["instansi", "perjanjian"], name="iku_pk_idx")]

    def __str__(self) -> str:
        return self.uraian[:80]

    def snapshot(self) -> dict[str, str]:
        """What an approved SKP freezes of this indikator (``skp.services.skp_approve`` builds the same
        keys in SQL)."""
        return {
            "uraian": self.uraian,
            "target": self.target,
            "sasaran": self.sasaran.uraian,
            "definisi": self.definisi,
            "formula": self.formula,
            "sumber_data": self.sumber_data,
            "periode_pelaporan": self.periode_pelaporan,
        }
