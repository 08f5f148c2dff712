"""Pegawai writes: create, change placement (mutasi) with history."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, Jabatan, Pegawai, Penempatan, UnitKerja, User
from kinerja.models.people import JenisPenempatan
from kinerja.rls import rls_unrestricted
from kinerja.services.audit import audit_log, snapshot
from kinerja.validators import nip_errors

PLACEMENT_FIELDS = ["unit_kerja", "jabatan", "atasan"]


@transaction.atomic
def pegawai_create(
    *,
    actor: User | None,
    instansi: Instansi,
    nip: str,
    nama: str,
    status: str,
    unit_kerja: UnitKerja,
    jabatan: Jabatan,
    atasan: Pegawai | None = None,
    pangkat_golongan: str = "",
    email: str = "",
    password: str | None = None,
    mulai: dt.date | None = None,
    tugas_belajar: bool = False,
) -> Pegawai:
    """Create the login account and the pegawai with an initial placement. Audited."""
    errors = nip_errors(nip, status)
    if errors:
        raise ApplicationError("NIP tidak valid.", errors={"nip": errors})
    _check_same_instansi(instansi_id=instansi.pk, unit_kerja=unit_kerja, jabatan=jabatan, atasan=atasan)
    # NIP is unique across every instansi; row-level security hides other instansi's accounts, so
    # this one existence check reads across them (existence only).
    with rls_unrestricted():
        taken = User.objects.filter(nip=nip).exists()
    if taken:
        raise ApplicationError("NIP sudah terdaftar.", errors={"nip": ["NIP sudah terdaftar."]})
    # password None: create_user stores an unusable password (make_password(None)).
    user = User.objects.create_user(nip=nip, password=password, nama=nama, email=email)
    pegawai = Pegawai.objects.create(
        instansi=instansi,
        user=user,
        nip=nip,
        nama=nama,
        status=status,
        unit_kerja=unit_kerja,
        jabatan=jabatan,
        atasan=atasan,
        pangkat_golongan=pangkat_golongan,
        email=email,
        tugas_belajar=tugas_belajar,
    )
    Penempatan.objects.create(
        instansi=instansi,
        pegawai=pegawai,
        unit_kerja=unit_kerja,
        jabatan=jabatan,
        atasan=atasan,
        jenis=JenisPenempatan.AWAL,
        mulai=mulai or timezone.localdate(),
    )
    audit_log(actor=actor, instansi=instansi, action="pegawai.buat", obj=pegawai, after=snapshot(pegawai))
    return pegawai


@transaction.atomic
def pegawai_mutasi(
    *,
    actor: User | None,
    pegawai: Pegawai,
    unit_kerja: UnitKerja,
    jabatan: Jabatan,
    atasan: Pegawai | None,
    tanggal: dt.date | None = None,
) -> Pegawai:
    """Move a pegawai to a new unit/jabatan/atasan: close the current placement, open a new one."""
    tanggal = tanggal or timezone.localdate()
    _check_same_instansi(
        instansi_id=pegawai.instansi_id, unit_kerja=unit_kerja, jabatan=jabatan, atasan=atasan
    )
    if atasan is not None and atasan.pk == pegawai.pk:
        raise ApplicationError(
            "Pegawai tidak dapat menjadi atasan dirinya sendiri.", errors={"atasan": ["Siklus."]}
        )
    if atasan is not None and _is_in_chain(start=atasan, target=pegawai):
        raise ApplicationError("Atasan ini membentuk siklus atasan-bawahan.", errors={"atasan": ["Siklus."]})
    before = snapshot(pegawai, PLACEMENT_FIELDS)
    current = Penempatan.objects.filter(
        instansi_id=pegawai.instansi_id, pegawai=pegawai, selesai__isnull=True
    )
    # A correction on the day the current placement began replaces it instead of ending it before it started.
    same_day = current.filter(mulai__gte=tanggal)
    if same_day.exists():
        same_day.update(unit_kerja=unit_kerja, jabatan=jabatan, atasan=atasan, updated_at=timezone.now())
    else:
        current.update(selesai=tanggal - dt.timedelta(days=1))
        Penempatan.objects.create(
            instansi_id=pegawai.instansi_id,
            pegawai=pegawai,
            unit_kerja=unit_kerja,
            jabatan=jabatan,
            atasan=atasan,
            jenis=JenisPenempatan.MUTASI,
            mulai=tanggal,
        )
    pegawai.unit_kerja, pegawai.jabatan, pegawai.atasan = unit_kerja, jabatan, atasan
    pegawai.save(update_fields=["unit_kerja", "jabatan", "atasan", "updated_at"])
    audit_log(
        actor=actor,
        instansi=pegawai.instansi_id,
        action="pegawai.mutasi",
        obj=pegawai,
        before=before,
        after=snapshot(pegawai, PLACEMENT_FIELDS),
    )
    return pegawai


def _check_same_instansi(
    *, instansi_id: int, unit_kerja: UnitKerja, jabatan: Jabatan, atasan: Pegawai | None
) -> None:
    """Unit, jabatan and atasan must belong to the pegawai's own instansi (never another tenant's)."""
    errors: dict[str, list[str]] = {}
    if unit_kerja.instansi_id != instansi_id:
        errors["unit_kerja"] = ["Unit kerja tidak ditemukan."]
    if jabatan.instansi_id != instansi_id:
        errors["jabatan"] = ["Jabatan tidak ditemukan."]
    if atasan is not None and atasan.instansi_id != instansi_id:
        errors["atasan"] = ["Atasan tidak ditemukan."]
    if errors:
        raise ApplicationError("Data penempatan tidak valid.", errors=errors)


def _is_in_chain(*, start: Pegawai, target: Pegawai) -> bool:
    """True if ``target`` is ``start`` or one of its superiors (one recursive CTE query)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            WITH RECURSIVE chain(id, atasan_id, n) AS (
                SELECT id, atasan_id, 0 FROM kinerja_pegawai WHERE id = %s AND instansi_id = %s
                UNION ALL
                SELECT p.id, p.atasan_id, c.n + 1 FROM kinerja_pegawai p JOIN chain c ON p.id = c.atasan_id
                WHERE c.n < 1000 AND p.instansi_id = %s
            )
            SELECT EXISTS (SELECT 1 FROM chain WHERE id = %s)
            """,
            [start.pk, start.instansi_id, start.instansi_id, target.pk],
        )
        row = cur.fetchone()
    return bool(row and row[0])
