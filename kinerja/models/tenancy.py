"""Tenancy: the instansi (tenant), user accounts, per-instansi roles, periods and delegations."""

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .base import TenantOwnedModel, TimeStampedModel


class Siklus(models.TextChoices):
    BULANAN = "bulanan", _("Bulanan")
    TRIWULANAN = "triwulanan", _("Triwulanan")
    SEMESTERAN = "semesteran", _("Semesteran")


#: Months per periodic period of each cycle (domain.md "Periodic cycle options": bulanan, triwulanan
#: (default), semesteran). The one rule every period computation uses.
BULAN_PER_PERIODE: dict[str, int] = {Siklus.BULANAN: 1, Siklus.TRIWULANAN: 3, Siklus.SEMESTERAN: 6}


class JenisInstansi(models.TextChoices):
    PUSAT = "pusat", _("Instansi Pusat")
    DAERAH = "daerah", _("Instansi Daerah")


class Instansi(TimeStampedModel):
    """The tenant. Not tenant-owned itself; every tenant-owned row points here."""

    kode = models.CharField(_("kode"), max_length=32, unique=True)
    nama = models.CharField(_("nama"), max_length=255)
    jenis = models.CharField(
        _("jenis"), max_length=10, choices=JenisInstansi.choices, default=JenisInstansi.DAERAH
    )
    siklus = models.CharField(
        _("siklus evaluasi periodik"), max_length=12, choices=Siklus.choices, default=Siklus.TRIWULANAN
    )
    keberatan_hari = models.PositiveSmallIntegerField(_("batas keberatan (hari)"), default=14)
    tempat = models.CharField(_("tempat penandatanganan"), max_length=100, blank=True)
    aktif = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["nama"]

    def __str__(self) -> str:
        return f"{self.kode} - {self.nama}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, nip: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(nip=nip, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, nip: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_platform_admin", True)
        return self.create_user(nip, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. The username is the NIP (or NI PPPK); platform admins may use another id."""

    nip = models.CharField(_("NIP"), max_length=32, unique=True)
    nama = models.CharField(_("nama"), max_length=255, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_platform_admin = models.BooleanField(_("admin platform"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised by "keluar dari semua perangkat" (kinerja.services.auth.sesi_revoke_all): part of the
    # session auth hash, so every session signed with the old value is logged out on its next request.
    sesi_versi = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "nip"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nama"]

    class Meta:
        verbose_name = _("akun")
        verbose_name_plural = _("akun")

    def __str__(self) -> str:
        return f"{self.nama} ({self.nip})" if self.nama else self.nip

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password hash, plus ``sesi_versi`` once it was raised (at 0 the value is
        Django's own, so sessions signed before this field existed stay valid)."""
        if not self.sesi_versi:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # not in django-stubs
        key_salt = "kinerja.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.sesi_versi}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def check_password(self, raw_password: str | None) -> bool:
        """Django's check; a hash upgrade is stored through ``account_set_password`` (the application
        role may not UPDATE the ``password`` column, see ``kinerja.identity``)."""

        def setter(raw: str | None) -> None:
            from kinerja.identity import account_set_password

            account_set_password(self, raw, upgrade=True)

        return check_password(raw_password, self.password, setter)


class Role(models.TextChoices):
    PEGAWAI = "pegawai", _("Pegawai")
    PEJABAT_PENILAI = "pejabat_penilai", _("Pejabat Penilai Kinerja")
    ADMIN_INSTANSI = "admin_instansi", _("Admin Instansi")
    HR_VIEWER = "hr_viewer", _("Staf SDM (lihat & ekspor)")
    PLATFORM_ADMIN = "platform_admin", _("Admin Platform")


GRANTABLE_ROLES = (Role.ADMIN_INSTANSI, Role.HR_VIEWER)


class PeranInstansi(TenantOwnedModel):
    """An explicitly granted role in one instansi (pegawai and pejabat_penilai are derived)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="peran")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in GRANTABLE_ROLES])

    class Meta:
        verbose_name = _("peran")
        verbose_name_plural = _("peran")
        constraints = [
            models.UniqueConstraint(fields=["instansi", "user", "role"], name="uniq_peran_instansi")
        ]


class Periode(TenantOwnedModel):
    """One periodic evaluation period (a month, a quarter or a semester) of a year, per the instansi's cycle."""

    tahun = models.PositiveSmallIntegerField()
    nomor = models.PositiveSmallIntegerField(help_text="1..4 (triwulan), 1..12 (bulan) or 1..2 (semester)")
    siklus = models.CharField(max_length=12, choices=Siklus.choices)
    mulai = models.DateField()
    selesai = models.DateField()

    class Meta:
        verbose_name = _("periode")
        verbose_name_plural = _("periode")
        ordering = ["tahun", "mulai"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "tahun", "siklus", "nomor"], name="uniq_periode"),
            models.CheckConstraint(
                condition=models.Q(selesai__gte=models.F("mulai")), name="periode_mulai_selesai"
            ),
        ]

    def __str__(self) -> str:
        if self.siklus == Siklus.TRIWULANAN:
            return f"Triwulan {self.nomor} {self.tahun}"
        if self.siklus == Siklus.SEMESTERAN:
            return f"Semester {self.nomor} {self.tahun}"
        return f"Bulan {self.nomor} {self.tahun}"


class JenisDelegasi(models.TextChoices):
    PLT = "plt", _("Pelaksana Tugas (Plt)")
    PLH = "plh", _("Pelaksana Harian (Plh)")


class DelegasiPenilai(TenantOwnedModel):
    """Delegation of Pejabat Penilai authority for a date range.

    The delegate gets guardian object permissions on each subordinate while the range is
    current; services grant and revoke them (``kinerja.services.delegasi``).
    """

    pemberi = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.CASCADE, related_name="delegasi_diberikan"
    )
    penerima = models.ForeignKey(
        "kinerja.Pegawai", on_delete=models.CASCADE, related_name="delegasi_diterima"
    )
    jenis = models.CharField(max_length=4, choices=JenisDelegasi.choices)
    mulai = models.DateField()
    selesai = models.DateField()
    keterangan = models.CharField(max_length=255, blank=True)
    berlaku = models.BooleanField(default=False, help_text="True while permissions are granted")
    dicabut = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("delegasi pejabat penilai")
        verbose_name_plural = _("delegasi pejabat penilai")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(selesai__gte=models.F("mulai")), name="delegasi_mulai_selesai"
            ),
            models.CheckConstraint(
                condition=~models.Q(pemberi=models.F("penerima")), name="delegasi_bukan_diri"
            ),
        ]
