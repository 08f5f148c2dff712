from .audit import AuditLog
from .base import TenantManager, TenantOwnedModel, TimeStampedModel, instansi_fk_tanpa_indeks
from .dokumen import Dokumen, DokumenWriteOnceError, JenisDokumen
from .jobs import Job, JobStatus
from .org import Jabatan, JenisJabatan, JenjangJf, UnitKerja
from .people import Pegawai, PejabatNonAsn, Penempatan, StatusPegawai
from .tenancy import DelegasiPenilai, Instansi, PeranInstansi, Periode, Role, Siklus, User
from .tim import AnggotaTim, TimKerja

__all__ = [
    "AnggotaTim",
    "AuditLog",
    "DelegasiPenilai",
    "Dokumen",
    "DokumenWriteOnceError",
    "Instansi",
    "Jabatan",
    "JenisDokumen",
    "JenisJabatan",
    "JenjangJf",
    "Job",
    "JobStatus",
    "Pegawai",
    "PejabatNonAsn",
    "Penempatan",
    "PeranInstansi",
    "Periode",
    "Role",
    "Siklus",
    "StatusPegawai",
    "TenantManager",
    "TenantOwnedModel",
    "TimKerja",
    "TimeStampedModel",
    "UnitKerja",
    "User",
    "instansi_fk_tanpa_indeks",
]
