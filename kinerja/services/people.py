"""Pegawai writes: create, change placement (mutasi) with history."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError
from kinerja.identity import account_set_password
from kinerja.models import Instansi, Jabatan, Pegawai, PejabatNonAsn, Penempatan, UnitKerja, User
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
    fields = ["unit_kerja", "jabatan", "atasan", "updated_at"]
    if atasan is not None and pegawai.penilai_non_asn_id is not None:
        # a pegawai superior replaces a non-ASN Pejabat Penilai (one Pejabat Penilai, CHECK)
        pegawai.penilai_non_asn = None
        fields.append("penilai_non_asn")
    pegawai.save(update_fields=fields)
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


# ---------------------------------------------------------------- Pejabat Penilai non-ASN (issue #16)

MAX_USERNAME = 32


@dataclass
class NonAsnHasil:
    """What ``pejabat_non_asn_simpan`` did: the official, whether it is new, and the pegawai it now rates
    (``ditambah``) or no longer rates (``dilepas``): the SKP and evaluation services follow them."""

    pejabat: PejabatNonAsn
    dibuat: bool
    ditambah: list[int] = field(default_factory=list)
    dilepas: list[int] = field(default_factory=list)


def _non_asn_errors(*, username: str, nama: str, jabatan: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Isi nama pengguna untuk masuk.")]
    elif len(username) > MAX_USERNAME or not all(c.isalnum() or c in "._-" for c in username):
        errors["username"] = [
            _(
                "Nama pengguna paling banyak %(n)d karakter: huruf, angka, titik, garis bawah atau tanda minus."
            )
            % {"n": MAX_USERNAME}
        ]
    if not nama:
        errors["nama"] = [_("Isi nama pejabat.")]
    elif len(nama) > 255:
        errors["nama"] = [_("Paling banyak 255 karakter.")]
    if not jabatan:
        errors["jabatan"] = [_("Isi jabatan pejabat, misalnya Bupati Sukamaju.")]
    elif len(jabatan) > 255:
        errors["jabatan"] = [_("Paling banyak 255 karakter.")]
    return errors


@transaction.atomic
def pejabat_non_asn_simpan(
    *,
    actor: User | None,
    instansi: Instansi,
    username: str,
    nama: str,
    jabatan: str,
    password: str | None = None,
    menilai: list[str] | None = None,
    pejabat: PejabatNonAsn | None = None,
) -> NonAsnHasil:
    """Create (``pejabat`` None) or update a Pejabat Penilai non-ASN of ``instansi`` (issue #16): a login
    without a pegawai row, bound to that instansi. ``password`` (None: unchanged; a new account without
    one cannot log in) goes through ``account_set_password``. ``menilai`` (NIPs; None: unchanged) becomes
    the list of pegawai it rates: their ``penilai_non_asn`` is set (and ``atasan`` cleared: one Pejabat
    Penilai), the ones left out lose it. Unknown NIPs or a username taken elsewhere: ApplicationError with
    field errors, nothing written. Audited (the password never)."""
    username, nama, jabatan = (username or "").strip(), (nama or "").strip(), (jabatan or "").strip()
    errors = _non_asn_errors(username=username, nama=nama, jabatan=jabatan)
    if pejabat is None and not errors.get("username"):
        # usernames (NIPs) are unique across every instansi: existence only, across them
        with rls_unrestricted():
            existing = User.objects.filter(nip=username).values_list("pk", flat=True).first()
        if existing is not None:
            pejabat = PejabatNonAsn.objects.filter(instansi=instansi, user_id=existing).first()
            if pejabat is None:
                errors["username"] = [_("Nama pengguna ini sudah dipakai akun lain.")]
    elif pejabat is not None and pejabat.user.nip != username:
        errors["username"] = [_("Nama pengguna tidak dapat diubah.")]
    nips = [n.strip() for n in (menilai or []) if n.strip()]
    rows = list(Pegawai.objects.filter(instansi=instansi, nip__in=nips).values_list("pk", "nip"))
    unknown = sorted(set(nips) - {nip for _pk, nip in rows})
    if unknown:
        errors["menilai"] = [
            _("NIP berikut bukan pegawai instansi %(kode)s: %(nip)s.")
            % {"kode": instansi.kode, "nip": ", ".join(unknown)}
        ]
    if password:
        user_for_check = pejabat.user if pejabat is not None else User(nip=username, nama=nama)
        try:
            password_validation.validate_password(password, user_for_check)
        except DjangoValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ApplicationError(_("Data pejabat penilai non-ASN tidak valid."), errors=errors)

    dibuat = pejabat is None
    if pejabat is None:
        # no password yet (unusable): it is written below through the one password path
        user = User.objects.create_user(nip=username, password=None, nama=nama)
        pejabat = PejabatNonAsn.objects.create(instansi=instansi, user=user, nama=nama, jabatan=jabatan)
        before: dict[str, object] | None = None
    else:
        before = {"nama": pejabat.nama, "jabatan": pejabat.jabatan}
        pejabat.nama, pejabat.jabatan = nama, jabatan
        pejabat.save(update_fields=["nama", "jabatan", "updated_at"])
        if pejabat.user.nama != nama:
            User.objects.filter(pk=pejabat.user_id).update(nama=nama)
    if password:
        account_set_password(pejabat.user, password)

    hasil = NonAsnHasil(pejabat=pejabat, dibuat=dibuat)
    if menilai is not None:
        target = {pk for pk, _nip in rows}
        current = set(
            Pegawai.objects.filter(instansi=instansi, penilai_non_asn=pejabat).values_list("pk", flat=True)
        )
        hasil.ditambah = sorted(target - current)
        hasil.dilepas = sorted(current - target)
        if hasil.dilepas:
            Pegawai.objects.filter(instansi=instansi, pk__in=hasil.dilepas).update(
                penilai_non_asn=None, updated_at=timezone.now()
            )
        if hasil.ditambah:
            Pegawai.objects.filter(instansi=instansi, pk__in=hasil.ditambah).update(
                penilai_non_asn=pejabat, atasan=None, updated_at=timezone.now()
            )
    audit_log(
        actor=actor,
        instansi=instansi,
        action="pejabat_non_asn.buat" if dibuat else "pejabat_non_asn.ubah",
        obj=pejabat,
        before=before,
        after={
            "username": username,
            "nama": nama,
            "jabatan": jabatan,
            "kata_sandi_diubah": bool(password),
            "menilai_ditambah": hasil.ditambah,
            "menilai_dilepas": hasil.dilepas,
        },
    )
    return hasil
