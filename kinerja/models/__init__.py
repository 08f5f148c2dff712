from .audit import AuditLog
from .base import TenantManager, TenantOwnedModel, TimeStampedModel
from .org import Jabatan, JenisJabatan, JenjangJf, UnitKerja
from .people import Pegawai, Penempatan, StatusPegawai
from .tenancy import DelegasiPenilai, Instansi, Periode, PeranInstansi, Role, Siklus, User

__all__ = [
    "AuditLog",
    "DelegasiPenilai",
    "Instansi",
    "Jabatan",
    "JenisJabatan",
    "JenjangJf",
    "Pegawai",
    "Penempatan",
    "Periode",
    "PeranInstansi",
    "Role",
    "Siklus",
    "StatusPegawai",
    "TenantManager",
    "TenantOwnedModel",
    "TimeStampedModel",
    "UnitKerja",
    "User",
]
