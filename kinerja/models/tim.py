"""Tim kerja (issue #16): a team per instansi and year with a ketua and anggota from any unit.

Lives in ``kinerja`` with the rest of the organisation structure: ``skp`` (cascading from the ketua's
results, the Matriks Peran Hasil per team) and ``dialog`` (the ketua's feedback) both read it, and the
dependency direction (kinerja ← skp ← dialog) lets them. Membership rows carry dates: an anggota who
leaves keeps their row with ``selesai`` set, so the history stays."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantOwnedModel


class TimKerja(TenantOwnedModel):
    nama = models.CharField(_("nama tim"), max_length=255)
    tahun = models.PositiveSmallIntegerField(_("tahun"))
    ketua = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.PROTECT, related_name="tim_dipimpin", verbose_name=_("ketua tim")
    )
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    versi = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tim kerja")
        verbose_name_plural = _("tim kerja")
        ordering = ["-tahun", "nama", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "tahun", "nama"], name="uniq_tim_nama_tahun"),
        ]
        indexes = [models.Index(fields=["instansi", "ketua", "tahun"], name="tim_ketua_tahun_idx")]

    def __str__(self) -> str:
        return f"{self.nama} ({self.tahun})"

    def label(self, ketua_nama: str | None = None) -> str:
        """ "Tim: <nama> (ketua <nama>)": what an SKP prints next to a result cascaded from this team
        (``ketua`` select_related by the caller)."""
        return f"Tim: {self.nama} (ketua {ketua_nama or self.ketua.nama})"


class AnggotaTim(TenantOwnedModel):
    """One stint of a pegawai in a team: ``selesai`` null = current anggota."""

    tim = models.ForeignKey(TimKerja, on_delete=models.CASCADE, related_name="keanggotaan")
    pegawai = models.ForeignKey("kinerja.Pegawai", on_delete=models.PROTECT, related_name="keanggotaan_tim")
    mulai = models.DateField()
    selesai = models.DateField(null=True, blank=True)
    ditambah_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dikeluarkan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("anggota tim")
        verbose_name_plural = _("anggota tim")
        ordering = ["tim", "mulai", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tim", "pegawai"],
                condition=models.Q(selesai__isnull=True),
                name="uniq_anggota_tim_aktif",
            ),
            models.CheckConstraint(
                condition=models.Q(selesai__isnull=True) | models.Q(selesai__gte=models.F("mulai")),
                name="anggota_tim_mulai_selesai",
            ),
        ]
        indexes = [models.Index(fields=["instansi", "pegawai", "selesai"], name="anggota_tim_pegawai_idx")]
