"""Signed documents (SKP, Matriks Peran Hasil, evaluation, predikat): write-once PDF + public code."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantManager, TenantOwnedModel


class JenisDokumen(models.TextChoices):
    SKP = "skp", _("Sasaran Kinerja Pegawai")
    MATRIKS_PERAN_HASIL = "matriks_peran_hasil", _("Matriks Peran Hasil")
    EVALUASI_KINERJA = "evaluasi_kinerja", _("Dokumen Evaluasi Kinerja Pegawai")
    PENETAPAN_PREDIKAT = "penetapan_predikat", _("Penetapan Predikat Kinerja")
    RINGKASAN_UNIT = "ringkasan_unit", _("Rekap SKP Unit Kerja")


class DokumenQuerySet(models.QuerySet["Dokumen"]):
    def update(self, **kwargs: Any) -> int:
        """Bulk updates may touch metadata, never the stored file or its identity."""
        forbidden = set(kwargs) & set(Dokumen.WRITE_ONCE_FIELDS)
        if forbidden:
            raise DokumenWriteOnceError(f"Dokumen: {', '.join(sorted(forbidden))} tidak boleh diubah.")
        return super().update(**kwargs)


class DokumenManager(TenantManager.from_queryset(DokumenQuerySet)):  # type: ignore[misc]
    """The fail-closed tenant manager, with the write-once queryset."""


class DokumenWriteOnceError(Exception):
    """Raised on any attempt to change a stored document's file, hash or code."""


def dokumen_upload_to(instance: "Dokumen", filename: str) -> str:
    year = instance.ditandatangani_at.year if instance.ditandatangani_at else "0000"
    return f"dokumen/{instance.instansi_id}/{year}/{instance.kode}.pdf"


class Dokumen(TenantOwnedModel):
    _loaded_write_once: dict[str, Any]

    """One signed PDF. The file, its SHA-256, size and public code never change once written
    (enforced here, in the queryset and by a PostgreSQL trigger, see migration 0003).

    ``sumber_type``/``sumber_id``/``sumber_versi`` name what it was rendered from (e.g.
    ``skp.skp``/42/``"7"``); the unique constraint makes rendering idempotent per source version.
    """

    WRITE_ONCE_FIELDS: ClassVar[tuple[str, ...]] = ("berkas", "sha256", "ukuran", "kode")

    jenis = models.CharField(_("jenis dokumen"), max_length=32, choices=JenisDokumen.choices)
    kode = models.CharField(_("kode verifikasi"), max_length=16, unique=True)
    judul = models.CharField(_("judul"), max_length=255)
    pegawai = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Identity at signing time: the public page shows what the document shows.
    pegawai_nama = models.CharField(max_length=255, blank=True)
    pegawai_nip = models.CharField(max_length=32, blank=True)
    sumber_type = models.CharField(max_length=64, blank=True)
    sumber_id = models.BigIntegerField(null=True, blank=True)
    sumber_versi = models.CharField(max_length=64, blank=True)
    berkas = models.FileField(upload_to=dokumen_upload_to, max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    ukuran = models.PositiveIntegerField(default=0)
    penandatangan = models.CharField(_("penandatangan"), max_length=255)
    sertifikat_subjek = models.CharField(max_length=500)
    sertifikat_penerbit = models.CharField(max_length=500, blank=True)
    sertifikat_serial = models.CharField(max_length=80)
    sertifikat_sha256 = models.CharField(max_length=64)
    # PEM of the trust anchor(s) at signing time: verification survives key rotation.
    akar_kepercayaan_pem = models.TextField()
    demo = models.BooleanField(default=False)
    ditandatangani_at = models.DateTimeField()
    metadata = models.JSONField(default=dict, blank=True)

    objects = DokumenManager()  # type: ignore[misc]  # TenantManager with the write-once queryset

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        ordering = ["-ditandatangani_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "jenis", "sumber_type", "sumber_id", "sumber_versi"],
                condition=models.Q(sumber_id__isnull=False),
                name="uniq_dokumen_sumber_versi",
            ),
        ]
        indexes = [
            models.Index(fields=["instansi", "sumber_type", "sumber_id"], name="dokumen_sumber_idx"),
            models.Index(fields=["instansi", "jenis", "ditandatangani_at"], name="dokumen_jenis_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.kode}"

    def _write_once_value(self, field: str) -> Any:
        return self.berkas.name if field == "berkas" else getattr(self, field)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> "Dokumen":
        obj = super().from_db(db, field_names, values, **kwargs)
        obj._loaded_write_once = {
            f: obj._write_once_value(f) for f in cls.WRITE_ONCE_FIELDS if f in field_names
        }
        return obj

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Invariant only (no side effects): an existing row's file/hash/code never change."""
        if not self._state.adding:
            loaded: dict[str, Any] = getattr(self, "_loaded_write_once", {})
            if len(loaded) != len(self.WRITE_ONCE_FIELDS):
                raise DokumenWriteOnceError("Dokumen yang sudah tersimpan hanya dapat diubah lewat update().")
            changed = [f for f, old in loaded.items() if self._write_once_value(f) != old]
            if changed:
                raise DokumenWriteOnceError(f"Dokumen: {', '.join(changed)} tidak boleh diubah.")
        super().save(*args, **kwargs)
        self._loaded_write_once = {f: self._write_once_value(f) for f in self.WRITE_ONCE_FIELDS}

    @property
    def kode_tampil(self) -> str:
        """``ABCDEFGHJK`` → ``ABCDE-FGHJK`` for print and screen."""
        return f"{self.kode[:5]}-{self.kode[5:]}" if len(self.kode) == 10 else self.kode
