"""Unit kerja tree writes. The materialised path is maintained here and only here."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, Jabatan, JenisJabatan, JenjangJf, UnitKerja, User
from kinerja.services.audit import audit_log


def _child_path(parent: UnitKerja | None, pk: int) -> str:
    return f"{parent.path if parent else ''}{pk}."


@transaction.atomic
def unit_kerja_create(
    *,
    actor: User | None,
    instansi: Instansi,
    nama: str,
    induk: UnitKerja | None = None,
    mandiri: bool = False,
) -> UnitKerja:
    """Create a unit under ``induk`` (or as a top unit) and set its path. Audited."""
    nama = nama.strip()
    if not nama:
        raise ApplicationError("Nama unit kerja wajib diisi.", errors={"nama": ["Wajib diisi."]})
    if induk is not None and induk.instansi_id != instansi.pk:
        raise ApplicationError("Unit induk tidak ditemukan.", errors={"induk": ["Tidak ditemukan."]})
    if UnitKerja.objects.filter(instansi=instansi, induk=induk, nama=nama).exists():
        raise ApplicationError(
            "Nama unit sudah dipakai di bawah induk yang sama.", errors={"nama": ["Sudah dipakai."]}
        )
    unit = UnitKerja.objects.create(
        instansi=instansi,
        nama=nama,
        induk=induk,
        depth=(induk.depth + 1) if induk else 0,
        is_unit_kerja_mandiri=mandiri,
    )
    unit.path = _child_path(induk, unit.pk)
    unit.save(update_fields=["path"])
    audit_log(
        actor=actor,
        instansi=instansi,
        action="unit_kerja.buat",
        obj=unit,
        after={"nama": nama, "path": unit.path},
    )
    return unit


@transaction.atomic
def unit_kerja_move(*, actor: User | None, unit: UnitKerja, induk_baru: UnitKerja | None) -> UnitKerja:
    """Move ``unit`` and its whole subtree under ``induk_baru`` with one UPDATE. Refuses cycles."""
    if induk_baru is not None:
        if induk_baru.instansi_id != unit.instansi_id:
            raise ApplicationError("Unit induk tidak ditemukan.", errors={"induk": ["Tidak ditemukan."]})
        if induk_baru.path.startswith(unit.path):
            raise ApplicationError(
                "Unit tidak dapat dipindah ke bawah dirinya sendiri.", errors={"induk": ["Membentuk siklus."]}
            )
    old_path, old_depth = unit.path, unit.depth
    new_path = _child_path(induk_baru, unit.pk)
    new_depth = (induk_baru.depth + 1) if induk_baru else 0
    UnitKerja.objects.filter(instansi_id=unit.instansi_id, path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
        depth=F("depth") + (new_depth - old_depth),
    )
    UnitKerja.objects.filter(pk=unit.pk).update(induk=induk_baru)
    audit_log(
        actor=actor,
        instansi=unit.instansi_id,
        action="unit_kerja.pindah",
        obj=unit,
        before={"induk": unit.induk_id, "path": old_path},
        after={"induk": induk_baru.pk if induk_baru else None, "path": new_path},
    )
    unit.refresh_from_db()
    return unit


@transaction.atomic
def jabatan_get_or_create(
    *, actor: User | None, instansi: Instansi, nama: str, jenis: str, jenjang: str = ""
) -> tuple[Jabatan, bool]:
    """Find the jabatan (nama, jenis, jenjang) of the instansi or create it. Audited when created."""
    nama = nama.strip()
    errors: dict[str, list[str]] = {}
    if not nama:
        errors["nama"] = ["Wajib diisi."]
    if jenis not in JenisJabatan.values:
        errors["jenis"] = ["Jenis jabatan tidak dikenal."]
    if jenjang and jenjang not in JenjangJf.values:
        errors["jenjang"] = ["Jenjang jabatan fungsional tidak dikenal."]
    if errors:
        raise ApplicationError("Data jabatan tidak valid.", errors=errors)
    jabatan, created = Jabatan.objects.get_or_create(
        instansi=instansi, nama=nama, jenis=jenis, jenjang=jenjang
    )
    if created:
        audit_log(
            actor=actor,
            instansi=instansi,
            action="jabatan.buat",
            obj=jabatan,
            after={"nama": nama, "jenis": jenis, "jenjang": jenjang},
        )
    return jabatan, created
