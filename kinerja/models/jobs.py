"""Background jobs (year-end batch, bulk exports) with live progress for the UI and the API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantOwnedModel


class JobStatus(models.TextChoices):
    ANTRI = "antri", _("Antri")
    BERJALAN = "berjalan", _("Berjalan")
    SELESAI = "selesai", _("Selesai")
    GAGAL = "gagal", _("Gagal")


class Job(TenantOwnedModel):
    """One run of a long task. ``done``/``total`` drive ``progress``; ``detail`` is JSON for the UI."""

    jenis = models.CharField(max_length=40)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.ANTRI, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pesan = models.TextField(blank=True)
    hasil = models.FileField(upload_to="jobs/%Y/%m/", null=True, blank=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    #: Written with every progress update of a running job; a ``berjalan`` job whose heartbeat is older
    #: than ``KINERJA_JOB_HEARTBEAT_TIMEOUT`` lost its worker (``job_dead_sweep``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["instansi", "jenis", "created_at"], name="job_jenis_idx")]

    def __str__(self) -> str:
        return f"{self.jenis} #{self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        if self.status == JobStatus.SELESAI:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))
