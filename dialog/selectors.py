"""Dialog reads with fixed query shapes (tests pin the counts).

Public interface used by the evaluation app (keep the signatures stable):
``umpan_balik_counts``, ``umpan_balik_for_periode``, ``realisasi_for_periode``.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from dialog.models import (
    PERM_UMPAN_BALIK_PENUGASAN,
    Aktivitas,
    BalasanUmpanBalik,
    BuktiDukung,
    CatatanKinerja,
    JawabanBimbingan,
    KompetensiB19,
    Notifikasi,
    PenilaianKompetensi,
    Penugasan,
    PenugasanKeluar,
    PenugasanLintas,
    PeranPemberi,
    PermintaanUmpanBalik,
    PernyataanBimbingan,
    Realisasi,
    RencanaAksi,
    StatusPenugasan,
    StatusPermintaan,
    StatusTindakLanjut,
    TindakLanjut,
    UmpanBalik,
    UmpanBalikDibaca,
)
from kinerja.models import AnggotaTim, Instansi, Pegawai, PejabatNonAsn, Periode, User
from kinerja.selectors.people import can_nilai, pegawai_dinilai_ids, pegawai_dinilai_oleh
from kinerja.selectors.tim import tim_ketua_of
from kinerja.tenancy import non_asn_of, pegawai_of
from skp.models import Indikator, Rhk, Skp, SkpStatus, SkpStatusChange

ADMIN_ROLES = {"admin_instansi", "platform_admin"}
VIEWER_ROLES = ADMIN_ROLES | {"hr_viewer"}


# ---------------------------------------------------------------- interface for evaluasi


def umpan_balik_counts(
    *,
    instansi: Instansi,
    pegawai_ids: list[int],
    mulai: dt.date,
    selesai: dt.date,
    from_penilai_only: bool = False,
) -> dict[int, int]:
    """Feedback items received by each pegawai (replies not counted) whose periode overlaps [mulai, selesai]
    (inclusive). Every requested id is a key (0 when none). One aggregate query.

    ``from_penilai_only`` counts only feedback given as Pejabat Penilai (the leader's mandatory feedback)."""
    counts = dict.fromkeys(pegawai_ids, 0)
    if not pegawai_ids:
        return counts
    qs = UmpanBalik.objects.filter(
        instansi=instansi,
        penerima_id__in=pegawai_ids,
        periode__mulai__lte=selesai,
        periode__selesai__gte=mulai,
    )
    if from_penilai_only:
        qs = qs.filter(peran_pemberi=PeranPemberi.PEJABAT_PENILAI)
    for row in qs.values("penerima_id").annotate(n=Count("id")).order_by():
        counts[row["penerima_id"]] = row["n"]
    return counts


def _thread_prefetch() -> Prefetch:
    return Prefetch(
        "balasan",
        queryset=BalasanUmpanBalik.objects.select_related("penulis", "penulis_non_asn").order_by(
            "created_at", "id"
        ),
    )


def umpan_balik_for_periode(
    *, instansi: Instansi, pegawai: Pegawai, periode: Periode
) -> QuerySet[UmpanBalik]:
    """All feedback received by ``pegawai`` for ``periode`` (any of their SKPs), oldest first, with the
    giver (jabatan, unit), the result/realisasi it is about and the replies with their authors.
    Constant number of queries (2) for any number of rows."""
    return (
        UmpanBalik.objects.filter(instansi=instansi, penerima=pegawai, periode=periode)
        .select_related(
            "pemberi__jabatan",
            "pemberi__unit_kerja",
            "pemberi_non_asn",
            "rhk",
            "realisasi__indikator",
            "periode",
        )
        .prefetch_related(_thread_prefetch())
        .order_by("created_at", "id")
    )


def realisasi_for_periode(*, instansi: Instansi, skp: Skp, periode: Periode) -> QuerySet[Realisasi]:
    """Realisasi of every indikator of ``skp`` filled for ``periode``, in SKP order, with the indikator,
    its result and the bukti dukung (files and links). Constant number of queries (2)."""
    return (
        Realisasi.objects.filter(instansi=instansi, skp=skp, periode=periode)
        .select_related("indikator", "rhk", "diisi_oleh")
        .prefetch_related(Prefetch("bukti", queryset=BuktiDukung.objects.order_by("created_at", "id")))
        .order_by("rhk__jenis", "rhk__urutan", "rhk_id", "indikator__urutan", "indikator_id")
    )


# ---------------------------------------------------------------- periods


def periode_for_skp(*, skp: Skp) -> QuerySet[Periode]:
    """Periods of the instansi that overlap the SKP's stint, in order."""
    return Periode.objects.filter(
        instansi_id=skp.instansi_id, mulai__lte=skp.periode_selesai, selesai__gte=skp.periode_mulai
    ).order_by("mulai", "id")


def periode_default(periods: list[Periode], today: dt.date | None = None) -> Periode | None:
    """The period containing today, else the last one already started, else the first."""
    today = today or timezone.localdate()
    for p in periods:
        if p.mulai <= today <= p.selesai:
            return p
    started = [p for p in periods if p.mulai <= today]
    return started[-1] if started else (periods[0] if periods else None)


# ---------------------------------------------------------------- who may give feedback


def penugasan_izin_untuk(*, user: User, skp: Skp) -> QuerySet[Penugasan]:
    """Accepted assignments on ``skp`` given by ``user`` on which they currently hold the guardian permission."""
    own = pegawai_of(user)
    if own is None:
        return Penugasan.objects.none()
    base = Penugasan.objects.filter(
        instansi_id=skp.instansi_id, skp=skp, pemberi=own, status=StatusPenugasan.DITERIMA
    )
    return get_objects_for_user(user, PERM_UMPAN_BALIK_PENUGASAN, klass=base, accept_global_perms=False)


def rhk_tim_ketua_ids(*, user: User, skp: Skp) -> set[int]:
    """Results of ``skp`` cascaded from a result of ``user`` as ketua tim (the results a ketua gives
    feedback on in the role ``pimpinan_pemberi_penugasan``). One query."""
    own = pegawai_of(user)
    if own is None:
        return set()
    return set(
        Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp)
        .filter(Q(tim_kerja__ketua=own) | Q(rhk_pimpinan__skp__pegawai=own))
        .values_list("pk", flat=True)
    )


def is_pimpinan_of(*, user: User, pegawai: Pegawai, skp: Skp | None = None) -> bool:
    """Pejabat Penilai of the pegawai: named on the SKP, direct superior, or delegated (guardian)."""
    own = pegawai_of(user)
    if own is None or own.instansi_id != pegawai.instansi_id or own.pk == pegawai.pk:
        return False
    if skp is not None and skp.pejabat_penilai_id == own.pk:
        return True
    return can_nilai(user=user, pegawai=pegawai)  # direct superior or current delegation


def non_asn_penilai_of(*, user: User, pegawai: Pegawai, skp: Skp | None = None) -> PejabatNonAsn | None:
    """The user's non-ASN official row (issue #16) when it is the Pejabat Penilai of ``pegawai``: named on
    ``skp`` or as the pegawai's ``penilai_non_asn``, in the same instansi; else None (no query for a
    pegawai's account, the official row is cached on the user)."""
    official = non_asn_of(user)
    if official is None or official.instansi_id != pegawai.instansi_id:
        return None
    if skp is not None and skp.pejabat_penilai_non_asn_id == official.pk:
        return official
    return official if pegawai.penilai_non_asn_id == official.pk else None


def pemberi_q(user: User, *, prefix: str = "") -> Q:
    """Rows whose giver is ``user``: their pegawai row, or their non-ASN official row; nothing otherwise."""
    own = pegawai_of(user)
    if own is not None:
        return Q(**{f"{prefix}pemberi_id": own.pk})
    official = non_asn_of(user)
    if official is not None:
        return Q(**{f"{prefix}pemberi_non_asn_id": official.pk})
    return Q(pk__in=[])


def peran_pemberi_untuk(*, user: User, skp: Skp) -> str | None:
    """The role in which ``user`` may give feedback on ``skp``, or None (the owner never may).

    Order: Pejabat Penilai (direct or delegated), ketua of a tim kerja the owner is a current anggota of
    that year or assigning official with the permission (both ``pimpinan_pemberi_penugasan``),
    subordinate of the owner, peer (same atasan). A non-ASN official gives feedback only as the Pejabat
    Penilai of the pegawai it rates."""
    own = pegawai_of(user)
    if own is None:
        official = non_asn_penilai_of(user=user, pegawai=skp.pegawai, skp=skp)
        return PeranPemberi.PEJABAT_PENILAI if official is not None else None
    if own.instansi_id != skp.instansi_id or own.pk == skp.pegawai_id:
        return None
    owner = skp.pegawai
    if is_pimpinan_of(user=user, pegawai=owner, skp=skp):
        return PeranPemberi.PEJABAT_PENILAI
    if tim_ketua_of(ketua=own, pegawai=owner, tahun=skp.tahun).exists():
        # the ketua tim of a team the owner belongs to this year (issue #16): feedback, never rating
        return PeranPemberi.PEMBERI_PENUGASAN
    if penugasan_izin_untuk(user=user, skp=skp).exists():
        return PeranPemberi.PEMBERI_PENUGASAN
    if own.atasan_id == owner.pk:
        return PeranPemberi.BAWAHAN
    if own.atasan_id is not None and own.atasan_id == owner.atasan_id:
        return PeranPemberi.REKAN_KERJA
    return None


def boleh_lihat_semua_umpan_balik(*, user: User, skp: Skp, roles: list[str]) -> bool:
    """The owner, the Pejabat Penilai and admins/HR see every thread of an SKP; other givers only their own."""
    if VIEWER_ROLES & set(roles):
        return True
    own = pegawai_of(user)
    if own is None:
        return non_asn_penilai_of(user=user, pegawai=skp.pegawai, skp=skp) is not None
    return own.pk == skp.pegawai_id or is_pimpinan_of(user=user, pegawai=skp.pegawai, skp=skp)


# ---------------------------------------------------------------- feedback threads


def umpan_balik_threads(
    *, skp: Skp, viewer: User, lihat_semua: bool, periode: Periode | None = None
) -> QuerySet[UmpanBalik]:
    """Threads of an SKP visible to ``viewer``, newest activity first, annotated ``belum_dibaca``
    (new since the viewer's read marker). Constant queries: page + replies."""
    qs = UmpanBalik.objects.filter(instansi_id=skp.instansi_id, skp=skp)
    if not lihat_semua:
        qs = qs.filter(pemberi_q(viewer))
    if periode is not None:
        qs = qs.filter(periode=periode)
    return _with_unread(qs, viewer).order_by("-aktivitas_terakhir_at", "-id")


def _with_unread(qs: QuerySet[UmpanBalik], viewer: User) -> QuerySet[UmpanBalik]:
    seen = UmpanBalikDibaca.objects.filter(
        umpan_balik=OuterRef("pk"), user=viewer, dibaca_at__gte=OuterRef("aktivitas_terakhir_at")
    )
    return (
        qs.select_related(
            "pemberi__jabatan", "pemberi_non_asn", "penerima", "periode", "rhk", "realisasi__indikator"
        )
        .prefetch_related(_thread_prefetch())
        .annotate(sudah_dibaca=Exists(seen))
    )


def umpan_balik_diterima(*, user: User, instansi: Instansi) -> QuerySet[UmpanBalik]:
    """Feedback received by the user (all SKPs), newest activity first, with unread flags."""
    own = pegawai_of(user)
    qs = UmpanBalik.objects.filter(instansi=instansi, penerima_id=own.pk if own is not None else -1)
    return _with_unread(qs, user).order_by("-aktivitas_terakhir_at", "-id")


def umpan_balik_diberikan(*, user: User, instansi: Instansi) -> QuerySet[UmpanBalik]:
    qs = UmpanBalik.objects.filter(instansi=instansi).filter(pemberi_q(user))
    return _with_unread(qs, user).order_by("-aktivitas_terakhir_at", "-id")


def umpan_balik_belum_dibaca_count(*, user: User, instansi: Instansi) -> int:
    own = pegawai_of(user)
    if own is None:
        if non_asn_of(user) is None:
            return 0
        cond = pemberi_q(user)  # a non-ASN official receives none: the threads it started
    else:
        cond = Q(penerima=own) | Q(pemberi=own)
    seen = UmpanBalikDibaca.objects.filter(
        umpan_balik=OuterRef("pk"), user=user, dibaca_at__gte=OuterRef("aktivitas_terakhir_at")
    )
    return UmpanBalik.objects.filter(instansi=instansi).filter(cond).exclude(Exists(seen)).count()


def umpan_balik_pimpinan_per_periode(*, skp: Skp, periods: list[Periode]) -> dict[int, int]:
    """How many feedback items the Pejabat Penilai gave the SKP owner per period (mandatory for the leader)."""
    if not periods:
        return {}
    counts = dict.fromkeys((p.pk for p in periods), 0)
    rows = (
        UmpanBalik.objects.filter(
            instansi_id=skp.instansi_id,
            penerima_id=skp.pegawai_id,
            peran_pemberi=PeranPemberi.PEJABAT_PENILAI,
            periode_id__in=list(counts),
        )
        .values("periode_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["periode_id"]] = row["n"]
    return counts


def permintaan_masuk(*, user: User, instansi: Instansi) -> QuerySet[PermintaanUmpanBalik]:
    """Open feedback requests addressed to the user: to their pegawai row, or to their non-ASN official
    row (issue #16); none otherwise."""
    own = pegawai_of(user)
    if own is not None:
        cond = Q(diminta_id=own.pk)
    else:
        official = non_asn_of(user)
        cond = Q(diminta_non_asn_id=official.pk) if official is not None else Q(pk__in=[])
    return (
        PermintaanUmpanBalik.objects.filter(cond, instansi=instansi, status=StatusPermintaan.TERBUKA)
        .select_related("peminta__jabatan", "periode", "rhk", "skp")
        .order_by("-created_at", "-id")
    )


def permintaan_masuk_count(*, user: User, instansi: Instansi) -> int:
    """How many open feedback requests are addressed to the user (one query)."""
    return permintaan_masuk(user=user, instansi=instansi).count()


def realisasi_kelengkapan(*, skp: Skp, periode: Periode) -> tuple[int, int]:
    """``(filled, total)`` indicators of ``skp`` with a realisasi for ``periode``. Two queries."""
    total = Indikator.objects.filter(instansi_id=skp.instansi_id, rhk__skp=skp).count()
    terisi = Realisasi.objects.filter(instansi_id=skp.instansi_id, skp=skp, periode=periode).count()
    return terisi, total


def permintaan_untuk_skp(*, skp: Skp) -> QuerySet[PermintaanUmpanBalik]:
    return (
        PermintaanUmpanBalik.objects.filter(instansi_id=skp.instansi_id, skp=skp)
        .select_related("diminta", "diminta_non_asn", "periode", "rhk")
        .order_by("-created_at", "-id")
    )


def kandidat_pemberi_non_asn(*, skp: Skp) -> list[PejabatNonAsn]:
    """The non-ASN Pejabat Penilai (issue #16) the SKP owner may ask for feedback: the one named on the SKP
    and the owner's current ``penilai_non_asn`` (the ones that may give it, ``non_asn_penilai_of``); same
    instansi, login active. No query when there is none, else one."""
    ids = {pk for pk in (skp.pejabat_penilai_non_asn_id, skp.pegawai.penilai_non_asn_id) if pk is not None}
    if not ids:
        return []
    return list(
        PejabatNonAsn.objects.filter(instansi_id=skp.instansi_id, pk__in=ids, user__is_active=True).order_by(
            "nama", "id"
        )
    )


def kandidat_pemberi(*, skp: Skp) -> list[Pegawai]:
    """People the SKP owner may ask for feedback: the Pejabat Penilai, assigning officials holding the
    permission, peers and subordinates (current structure). Three queries."""
    owner = skp.pegawai
    ids: list[int] = []
    if skp.pejabat_penilai_id:
        ids.append(skp.pejabat_penilai_id)
    if owner.atasan_id:
        ids.append(owner.atasan_id)
    pemberi_ids = list(
        Penugasan.objects.filter(
            instansi_id=skp.instansi_id, skp=skp, status=StatusPenugasan.DITERIMA, izin_aktif=True
        ).values_list("pemberi_id", flat=True)
    )
    cond = Q(pk__in=ids + pemberi_ids) | Q(atasan_id=owner.pk)
    if owner.atasan_id:
        cond |= Q(atasan_id=owner.atasan_id)
    return list(
        Pegawai.objects.filter(instansi_id=skp.instansi_id, aktif=True)
        .filter(cond)
        .exclude(pk=owner.pk)
        .select_related("jabatan")
        .order_by("nama", "id")
    )


def _covers(skp: Skp, day: dt.date) -> bool:
    return skp.periode_mulai <= day <= skp.periode_selesai


@dataclass
class TargetUmpanBalik:
    pegawai: Pegawai
    peran: str
    skp: Skp | None = None


def target_umpan_balik(*, user: User, instansi: Instansi) -> list[TargetUmpanBalik]:
    """Whom the user may give feedback to, each with their latest current SKP: people they appraise,
    their own atasan (as subordinate), peers, and assignees (permission held). Constant queries."""
    own = pegawai_of(user)
    peran: dict[int, str] = {}
    if own is None:
        # a non-ASN official (issue #16): the pegawai it rates, as their Pejabat Penilai
        official = non_asn_of(user)
        if official is None or official.instansi_id != instansi.pk:
            return []
        for pk in pegawai_dinilai_oleh(user=user, instansi=instansi).values_list("pk", flat=True):
            peran[pk] = PeranPemberi.PEJABAT_PENILAI
        return _target_rows(instansi=instansi, peran=peran)
    if own.instansi_id != instansi.pk:
        return []
    for pk in pegawai_dinilai_oleh(user=user, instansi=instansi).values_list("pk", flat=True):
        peran[pk] = PeranPemberi.PEJABAT_PENILAI
    izin = get_objects_for_user(
        user,
        PERM_UMPAN_BALIK_PENUGASAN,
        klass=Penugasan.objects.filter(instansi=instansi, pemberi=own, status=StatusPenugasan.DITERIMA),
        accept_global_perms=False,
    )
    for pk in izin.values_list("pegawai_id", flat=True):
        peran.setdefault(pk, PeranPemberi.PEMBERI_PENUGASAN)
    for pk in AnggotaTim.objects.filter(
        instansi=instansi, tim__ketua=own, tim__tahun=timezone.localdate().year, selesai__isnull=True
    ).values_list("pegawai_id", flat=True):
        peran.setdefault(pk, PeranPemberi.PEMBERI_PENUGASAN)
    if own.atasan_id:
        peran.setdefault(own.atasan_id, PeranPemberi.BAWAHAN)
        for pk in (
            Pegawai.objects.filter(instansi=instansi, atasan_id=own.atasan_id, aktif=True)
            .exclude(pk=own.pk)
            .values_list("pk", flat=True)
        ):
            peran.setdefault(pk, PeranPemberi.REKAN_KERJA)
    return _target_rows(instansi=instansi, peran=peran)


def _target_rows(*, instansi: Instansi, peran: dict[int, str]) -> list[TargetUmpanBalik]:
    if not peran:
        return []
    people = list(
        Pegawai.objects.filter(instansi=instansi, pk__in=list(peran))
        .select_related("jabatan")
        .order_by("nama", "id")
    )
    today = timezone.localdate()
    skps: dict[int, Skp] = {}  # the SKP covering today, else the latest one
    for s in (
        Skp.objects.filter(instansi=instansi, pegawai_id__in=list(peran))
        .exclude(status=SkpStatus.DIGANTI)
        .order_by("pegawai_id", "-tahun", "-periode_mulai", "-id")
    ):
        best = skps.get(s.pegawai_id)
        if best is None or (_covers(s, today) and not _covers(best, today)):
            skps[s.pegawai_id] = s
    return [TargetUmpanBalik(pegawai=p, peran=peran[p.pk], skp=skps.get(p.pk)) for p in people]


# ---------------------------------------------------------------- documentation page


@dataclass
class BarisIndikator:
    indikator: Indikator
    realisasi: Realisasi | None
    form: Any = None  # the page's form for this indikator, set by the view


@dataclass
class BarisRhk:
    rhk: Rhk
    indikator: list[BarisIndikator] = field(default_factory=list)
    rencana_aksi: list[RencanaAksi] = field(default_factory=list)
    aksi_form: Any = None  # set by the view


def dokumentasi_periode(*, skp: Skp, periode: Periode) -> list[BarisRhk]:
    """Results of the SKP with their indicators, each indicator's realisasi (with bukti) and the results'
    rencana aksi for ``periode``. Four queries whatever the size."""
    rhks = list(
        Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp)
        .prefetch_related(Prefetch("indikator", queryset=Indikator.objects.order_by("urutan", "id")))
        .order_by("jenis", "urutan", "id")
    )
    realisasi = {
        r.indikator_id: r for r in realisasi_for_periode(instansi=skp.instansi, skp=skp, periode=periode)
    }
    aksi: dict[int, list[RencanaAksi]] = {}
    for a in RencanaAksi.objects.filter(instansi_id=skp.instansi_id, skp=skp, periode=periode).order_by(
        "urutan", "id"
    ):
        aksi.setdefault(a.rhk_id, []).append(a)
    return [
        BarisRhk(
            rhk=r,
            indikator=[BarisIndikator(indikator=i, realisasi=realisasi.get(i.pk)) for i in r.indikator.all()],
            rencana_aksi=aksi.get(r.pk, []),
        )
        for r in rhks
    ]


# ---------------------------------------------------------------- dialog / bimbingan / konseling


def catatan_visible_to(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[CatatanKinerja]:
    """Records the user may see: their own, those of people they appraise (direct or delegated) or lead on
    the record, and everything for admins. Never HR viewers or peers."""
    qs = CatatanKinerja.objects.filter(instansi=instansi)
    if ADMIN_ROLES & set(roles):
        return qs
    own = pegawai_of(user)
    if own is None or own.instansi_id != instansi.pk:
        return qs.none()
    cond = Q(pegawai=own) | Q(pimpinan=own)
    if "pejabat_penilai" in roles:
        cond |= Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    return qs.filter(cond)


def catatan_list(
    *, user: User, instansi: Instansi, roles: list[str], pegawai: Pegawai | None = None, jenis: str = ""
) -> QuerySet[CatatanKinerja]:
    qs = catatan_visible_to(user=user, instansi=instansi, roles=roles)
    if pegawai is not None:
        qs = qs.filter(pegawai=pegawai)
    if jenis:
        qs = qs.filter(jenis=jenis)
    return (
        qs.select_related("pegawai__jabatan", "pimpinan", "periode")
        .annotate(
            jumlah_tindak_lanjut=Count("tindak_lanjut", distinct=True),
            tindak_lanjut_terbuka=Count(
                "tindak_lanjut", filter=Q(tindak_lanjut__status=StatusTindakLanjut.TERBUKA), distinct=True
            ),
        )
        .order_by("-tanggal", "-id")
    )


def catatan_detail(*, catatan: CatatanKinerja) -> dict[str, Any]:
    tindak_lanjut = list(
        TindakLanjut.objects.filter(instansi_id=catatan.instansi_id, catatan=catatan)
        .select_related("dibawa_dari__catatan")
        .order_by("tenggat", "id")
    )
    jawaban = {
        j.pernyataan_id: j
        for j in JawabanBimbingan.objects.filter(instansi_id=catatan.instansi_id, catatan=catatan)
    }
    penilaian = {
        n.kompetensi_id: n
        for n in PenilaianKompetensi.objects.filter(instansi_id=catatan.instansi_id, catatan=catatan)
    }
    return {"tindak_lanjut": tindak_lanjut, "jawaban": jawaban, "penilaian_b19": penilaian}


def tindak_lanjut_terbuka(*, pegawai: Pegawai) -> QuerySet[TindakLanjut]:
    return (
        TindakLanjut.objects.filter(
            instansi_id=pegawai.instansi_id, pegawai=pegawai, status=StatusTindakLanjut.TERBUKA
        )
        .select_related("catatan")
        .order_by("tenggat", "id")
    )


def pernyataan_b18_current() -> list[PernyataanBimbingan]:
    """The active version of each B.1.8 statement, in form order."""
    seen: dict[str, PernyataanBimbingan] = {}
    for p in PernyataanBimbingan.objects.filter(aktif=True).order_by("urutan", "-versi"):
        seen.setdefault(p.kode, p)
    return sorted(seen.values(), key=lambda p: p.urutan)


def kompetensi_b19_current() -> list[KompetensiB19]:
    """The active version of each B.1.9 competence, in form order."""
    seen: dict[str, KompetensiB19] = {}
    for k in KompetensiB19.objects.filter(aktif=True).order_by("urutan", "-versi"):
        seen.setdefault(k.kode, k)
    return sorted(seen.values(), key=lambda k: k.urutan)


def kompetensi_b19_dinilai(*, catatan: CatatanKinerja) -> list[KompetensiB19]:
    """The competences a filled B.1.9 was rated with (the version of that day), in form order."""
    return list(
        KompetensiB19.objects.filter(
            pk__in=PenilaianKompetensi.objects.filter(
                instansi_id=catatan.instansi_id, catatan=catatan
            ).values("kompetensi_id")
        ).order_by("urutan")
    )


# ---------------------------------------------------------------- penugasan


def _penugasan_qs(instansi: Instansi) -> QuerySet[Penugasan]:
    return Penugasan.objects.filter(instansi=instansi).select_related(
        "pemberi__jabatan", "pemberi__unit_kerja", "pegawai__jabatan", "penilai", "lowongan", "rhk"
    )


def penugasan_untuk_diputuskan(*, user: User, instansi: Instansi) -> QuerySet[Penugasan]:
    """Proposals waiting for this Pejabat Penilai (named on the row, or appraising the pegawai now)."""
    own = pegawai_of(user)
    cond = Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    if own is not None:
        cond |= Q(penilai=own)
    return (
        _penugasan_qs(instansi)
        .filter(status=StatusPenugasan.DIUSULKAN)
        .filter(cond)
        .order_by("created_at", "id")
    )


def penugasan_diberikan(*, user: User, instansi: Instansi) -> QuerySet[Penugasan]:
    own = pegawai_of(user)
    return (
        _penugasan_qs(instansi)
        .filter(pemberi_id=own.pk if own is not None else -1)
        .annotate(jumlah_relawan=Count("relawan", distinct=True))
        .order_by("-created_at", "-id")
    )


def penugasan_saya(*, user: User, instansi: Instansi) -> QuerySet[Penugasan]:
    own = pegawai_of(user)
    return (
        _penugasan_qs(instansi)
        .filter(pegawai_id=own.pk if own is not None else -1)
        .order_by("-created_at", "-id")
    )


def penugasan_terbuka(*, instansi: Instansi, today: dt.date | None = None) -> QuerySet[Penugasan]:
    """Open calls for volunteers whose end date has not passed."""
    today = today or timezone.localdate()
    return (
        _penugasan_qs(instansi)
        .filter(status=StatusPenugasan.TERBUKA, selesai__gte=today)
        .annotate(jumlah_relawan=Count("relawan", distinct=True))
        .order_by("selesai", "id")
    )


def penugasan_visible_to(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Penugasan]:
    """Rows the user may open: given by or to them, to decide (now or before), open calls, all for admins."""
    qs = _penugasan_qs(instansi)
    if ADMIN_ROLES & set(roles):
        return qs
    own = pegawai_of(user)
    if own is None or own.instansi_id != instansi.pk:
        return qs.none()
    cond = Q(pemberi=own) | Q(pegawai=own) | Q(penilai=own) | Q(status=StatusPenugasan.TERBUKA)
    if "pejabat_penilai" in roles:
        cond |= Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    return qs.filter(cond)


def penugasan_lintas_untuk(*, user: User, instansi: Instansi) -> QuerySet[PenugasanLintas]:
    """Assignments from other instansi to decide (as Pejabat Penilai) or received (as pegawai)."""
    own = pegawai_of(user)
    oid = own.pk if own is not None and own.instansi_id == instansi.pk else -1
    return (
        PenugasanLintas.objects.filter(instansi=instansi)
        .filter(Q(penilai_id=oid) | Q(pegawai_id=oid))
        .select_related("pegawai", "pemberi_instansi")
        .order_by("-created_at", "-id")
    )


def penugasan_keluar_saya(*, user: User, instansi: Instansi) -> QuerySet[PenugasanKeluar]:
    """The caller's own assignments sent to other instansi (their own records, in this instansi)."""
    own = pegawai_of(user)
    oid = own.pk if own is not None and own.instansi_id == instansi.pk else -1
    return (
        PenugasanKeluar.objects.filter(instansi=instansi, pemberi_id=oid)
        .select_related("tujuan_instansi")
        .order_by("-created_at", "-id")
    )


def skp_for_penugasan(*, pegawai: Pegawai, mulai: dt.date) -> Skp | None:
    """The pegawai's SKP (latest non-superseded version) whose stint covers the assignment start,
    else the one covering today."""
    qs = Skp.objects.filter(instansi_id=pegawai.instansi_id, pegawai=pegawai).exclude(
        status=SkpStatus.DIGANTI
    )
    skp = qs.filter(periode_mulai__lte=mulai, periode_selesai__gte=mulai).order_by("-revisi", "-id").first()
    if skp is None:
        today = timezone.localdate()
        skp = (
            qs.filter(periode_mulai__lte=today, periode_selesai__gte=today).order_by("-revisi", "-id").first()
        )
    return skp


# ---------------------------------------------------------------- notifications


def notifikasi_list(
    *, user: User, instansi: Instansi, hanya_belum_dibaca: bool = False
) -> QuerySet[Notifikasi]:
    qs = Notifikasi.objects.filter(instansi=instansi, penerima=user).select_related("aktor")
    if hanya_belum_dibaca:
        qs = qs.filter(dibaca_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notifikasi_belum_dibaca_count(*, user: User, instansi: Instansi) -> int:
    return Notifikasi.objects.filter(instansi=instansi, penerima=user, dibaca_at__isnull=True).count()


# ---------------------------------------------------------------- timeline and team feed


def _aktivitas_values(qs: QuerySet[Aktivitas]) -> QuerySet[Any]:
    return qs.values(
        t_sumber=Value("a", output_field=CharField()),
        t_id=F("id"),
        t_waktu=F("created_at"),
        t_jenis=F("jenis"),
        t_ringkasan=F("ringkasan"),
        t_aktor=F("aktor__nama"),
        t_pegawai_id=F("pegawai_id"),
        t_pegawai_nama=F("pegawai__nama"),
        t_objek_tipe=F("objek_tipe"),
        t_objek_id=F("objek_id"),
        t_skp_id=F("skp_id"),
    )


def _skp_status_values(qs: QuerySet[SkpStatusChange]) -> QuerySet[Any]:
    return qs.values(
        t_sumber=Value("s", output_field=CharField()),
        t_id=F("id"),
        t_waktu=F("created_at"),
        t_jenis=Concat(Value("skp."), F("ke"), output_field=CharField()),
        t_ringkasan=F("catatan"),
        t_aktor=F("actor__nama"),
        t_pegawai_id=F("skp__pegawai_id"),
        t_pegawai_nama=F("skp__pegawai__nama"),
        t_objek_tipe=Value("skp", output_field=CharField()),
        t_objek_id=F("skp_id"),
        t_skp_id=Value(None, output_field=BigIntegerField()),
    )


def linimasa_pegawai(*, instansi: Instansi, pegawai: Pegawai) -> QuerySet[Any]:
    """Everything that happened around one pegawai, newest first: dialog activity (feedback, realisasi,
    records, assignments) and SKP status changes, as one UNION query (rows are dicts ``t_*``).
    A page costs two queries (count + rows) whatever its size."""
    a = Aktivitas.objects.filter(instansi=instansi, pegawai=pegawai)
    s = SkpStatusChange.objects.filter(instansi=instansi, skp__pegawai=pegawai)
    return (
        _aktivitas_values(a).union(_skp_status_values(s), all=True).order_by("-t_waktu", "-t_sumber", "-t_id")
    )


def feed_tim(*, user: User, instansi: Instansi) -> QuerySet[Any]:
    """The team feed of a leader: the same rows as the timeline for everyone they appraise (direct or
    delegated), newest first. Two queries per page."""
    tim = pegawai_dinilai_oleh(user=user, instansi=instansi).values("pk")
    a = Aktivitas.objects.filter(instansi=instansi, pegawai__in=tim)
    s = SkpStatusChange.objects.filter(instansi=instansi, skp__pegawai__in=tim)
    return (
        _aktivitas_values(a).union(_skp_status_values(s), all=True).order_by("-t_waktu", "-t_sumber", "-t_id")
    )


def linimasa_access_ok(*, user: User, pegawai: Pegawai, roles: list[str]) -> bool:
    """Timeline of a pegawai: themself, their leader (direct or delegated, or the non-ASN official that
    rates them: its team feed lists the same rows) and admins (it lists records)."""
    if ADMIN_ROLES & set(roles):
        return True
    own = pegawai_of(user)
    if own is None:
        return non_asn_penilai_of(user=user, pegawai=pegawai) is not None
    if own.instansi_id != pegawai.instansi_id:
        return False
    return own.pk == pegawai.pk or is_pimpinan_of(user=user, pegawai=pegawai)


def tim_status_periode(*, user: User, instansi: Instansi, periode: Periode) -> list[dict[str, Any]]:
    """For the leader's team page: each appraised pegawai with whether the leader gave feedback in ``periode``
    and how many indicators have realisasi. Constant queries."""
    team = list(pegawai_dinilai_oleh(user=user, instansi=instansi))
    ids = [p.pk for p in team]
    dari_pimpinan = umpan_balik_counts(
        instansi=instansi,
        pegawai_ids=ids,
        mulai=periode.mulai,
        selesai=periode.selesai,
        from_penilai_only=True,
    )
    semua = umpan_balik_counts(
        instansi=instansi, pegawai_ids=ids, mulai=periode.mulai, selesai=periode.selesai
    )
    skps: dict[int, Skp] = {}
    for s in (
        Skp.objects.filter(
            instansi=instansi,
            pegawai_id__in=ids,
            periode_mulai__lte=periode.selesai,
            periode_selesai__gte=periode.mulai,
        )
        .exclude(status=SkpStatus.DIGANTI)
        .annotate(
            jumlah_indikator=Count("rhk__indikator", distinct=True),
        )
        .order_by("pegawai_id", "-periode_mulai", "-id")
    ):
        skps.setdefault(s.pegawai_id, s)
    terisi = dict(
        Realisasi.objects.filter(instansi=instansi, periode=periode, skp_id__in=[s.pk for s in skps.values()])
        .values("skp_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("skp_id", "n")
    )
    rows = []
    for p in team:
        skp = skps.get(p.pk)
        rows.append(
            {
                "pegawai": p,
                "skp": skp,
                "umpan_balik_pimpinan": dari_pimpinan.get(p.pk, 0),
                "umpan_balik_semua": semua.get(p.pk, 0),
                "indikator": getattr(skp, "jumlah_indikator", 0) if skp else 0,
                "realisasi": terisi.get(skp.pk, 0) if skp else 0,
            }
        )
    return rows


# ---------------------------------------------------------------- semester monitoring check


@dataclass(frozen=True)
class Semester:
    nomor: int
    mulai: dt.date
    selesai: dt.date
    selesai_sudah: bool  # the semester is over (a gap is final, not just "not yet")


def semester_dimulai(*, tahun: int, today: dt.date | None = None) -> list[Semester]:
    """The semesters of ``tahun`` that have begun by ``today`` (a future semester has nothing to check)."""
    from kinerja.services.tenancy import semester_bounds

    today = today or timezone.localdate()
    return [Semester(n, a, b, b < today) for n, a, b in semester_bounds(tahun) if a <= today]


def _awal_hari(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def pemantauan_semester_tanpa_dialog(
    *, instansi: Instansi, unit_ids: Any, tahun: int, today: dt.date | None = None
) -> QuerySet[Pegawai]:
    """The semester monitoring check (domain.md "Periodic cycle options"; PP30 via S001 "Pemantauan ...
    paling sedikit 1 kali dalam 1 semester"): active pegawai of ``unit_ids`` who have a Pejabat Penilai and,
    in at least one semester of ``tahun`` that has begun, neither a recorded dialog/bimbingan/konseling with
    their leader (``CatatanKinerja`` dated in it) nor feedback given as Pejabat Penilai (``UmpanBalik``
    created in it). Each row carries ``ada_s1``/``ada_s2`` (True/False; None for a semester not begun).
    One set-based query, whatever the cycle (bulanan, triwulanan, semesteran)."""
    semesters = semester_dimulai(tahun=tahun, today=today)
    qs = Pegawai.objects.filter(instansi=instansi, aktif=True, unit_kerja_id__in=unit_ids).filter(
        # rated by a pegawai (atasan) or by a non-ASN official (issue #16: its feedback counts too)
        Q(atasan__isnull=False) | Q(penilai_non_asn__isnull=False)
    )
    if not semesters:
        return qs.none()
    annotations: dict[str, Any] = {}
    for s in semesters:
        catatan = CatatanKinerja.objects.filter(
            instansi=instansi,
            pegawai=OuterRef("pk"),
            pimpinan__isnull=False,
            tanggal__gte=s.mulai,
            tanggal__lte=s.selesai,
        )
        umpan_balik = UmpanBalik.objects.filter(
            instansi=instansi,
            penerima=OuterRef("pk"),
            peran_pemberi=PeranPemberi.PEJABAT_PENILAI,
            created_at__gte=_awal_hari(s.mulai),
            created_at__lt=_awal_hari(s.selesai + dt.timedelta(days=1)),
        )
        annotations[f"ada_s{s.nomor}"] = ExpressionWrapper(
            Q(Exists(catatan)) | Q(Exists(umpan_balik)), output_field=BooleanField()
        )
    kurang = Q()
    for name in annotations:
        kurang |= Q(**{name: False})
    return (
        qs.annotate(**annotations)
        .filter(kurang)
        .select_related("jabatan", "unit_kerja", "atasan", "penilai_non_asn")
        .order_by("nama", "id")
    )
