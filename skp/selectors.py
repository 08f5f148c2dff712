"""SKP reads with fixed query shapes (tests pin the counts)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from kinerja.models import AnggotaTim, Instansi, Pegawai, TimKerja, User
from kinerja.models.org import JPT
from kinerja.selectors.people import non_asn_in, pegawai_dinilai_ids
from kinerja.selectors.tim import tim_of_anggota
from kinerja.tenancy import pegawai_of
from skp.models import Indikator, JenisRhk, Rhk, Skp, SkpStatus, SkpStatusChange


def _detail_prefetch() -> list[Prefetch | str]:
    return [
        Prefetch(
            "rhk",
            queryset=Rhk.objects.select_related("rhk_pimpinan", "tim_kerja__ketua", "indikator_pk__sasaran")
            .prefetch_related(Prefetch("indikator", queryset=Indikator.objects.order_by("urutan", "id")))
            .order_by("jenis", "urutan", "id"),
        ),
        "perilaku",
    ]


def skp_detail_queryset(*, instansi: Instansi) -> QuerySet[Skp]:
    """SKP with everything the detail page/serializer needs, in a constant number of queries."""
    return (
        Skp.objects.filter(instansi=instansi)
        .select_related(
            "pegawai__jabatan",
            "pegawai__unit_kerja",
            "pejabat_penilai__jabatan",
            "pejabat_penilai__unit_kerja",
            "pejabat_penilai_non_asn",
        )
        .prefetch_related(*_detail_prefetch())
    )


def skp_visible_to(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Skp]:
    """Own SKPs, SKPs the user appraises (direct or delegated), and all for admin/hr of the instansi."""
    qs = Skp.objects.filter(instansi=instansi)
    if {"admin_instansi", "hr_viewer", "platform_admin"} & set(roles):
        return qs
    own = pegawai_of(user)
    cond = Q(pk__in=[])
    if own is not None and own.instansi_id == instansi.pk:
        cond |= Q(pegawai=own) | Q(pejabat_penilai=own)
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        cond |= Q(pejabat_penilai_non_asn=official)
    if "pejabat_penilai" in roles:
        cond |= Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    return qs.filter(cond)


def skp_list(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Skp]:
    return (
        skp_visible_to(user=user, instansi=instansi, roles=roles)
        .select_related(
            "pegawai__jabatan", "pegawai__unit_kerja", "pejabat_penilai", "pejabat_penilai_non_asn"
        )
        .annotate(jumlah_rhk=Count("rhk", distinct=True))
        .order_by("-tahun", "pegawai__nama", "-id")
    )


def _inbox_cond(*, user: User, instansi: Instansi) -> Q:
    own = pegawai_of(user)
    cond = Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    if own is not None:
        cond |= Q(pejabat_penilai=own)
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        cond |= Q(pejabat_penilai_non_asn=official)
    return cond


def skp_inbox(*, user: User, instansi: Instansi) -> QuerySet[Skp]:
    """Submitted SKPs waiting for this Pejabat Penilai (direct or delegated)."""
    return (
        Skp.objects.filter(instansi=instansi, status=SkpStatus.DIAJUKAN)
        .filter(_inbox_cond(user=user, instansi=instansi))
        .select_related("pegawai__jabatan", "pegawai__unit_kerja")
        .annotate(jumlah_rhk=Count("rhk", distinct=True))
        .order_by("diajukan_at", "id")
    )


def skp_inbox_count(*, user: User, instansi: Instansi) -> int:
    """How many SKPs wait for this Pejabat Penilai (the inbox without its annotations): three queries
    (delegations, appraised pegawai, the count) whatever the team size."""
    return (
        Skp.objects.filter(instansi=instansi, status=SkpStatus.DIAJUKAN)
        .filter(_inbox_cond(user=user, instansi=instansi))
        .count()
    )


def skp_aktif_pegawai(*, pegawai: Pegawai, tahun: int, today: dt.date) -> Skp | None:
    """The pegawai's current SKP of ``tahun`` for the home page: the stint covering ``today``, else the
    latest stint; never a superseded version. One query, with the Pejabat Penilai."""
    rows = list(
        Skp.objects.filter(instansi_id=pegawai.instansi_id, pegawai=pegawai, tahun=tahun)
        .exclude(status=SkpStatus.DIGANTI)
        .select_related("pejabat_penilai", "pejabat_penilai_non_asn")
        .order_by("-periode_mulai", "-id")
    )
    return next((s for s in rows if s.periode_mulai <= today <= s.periode_selesai), rows[0] if rows else None)


def skp_riwayat(*, skp: Skp) -> QuerySet[SkpStatusChange]:
    return (
        SkpStatusChange.objects.filter(instansi_id=skp.instansi_id, skp=skp)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def skp_revisi_of(*, skp: Skp) -> QuerySet[Skp]:
    """Revisions started from ``skp`` (newest first)."""
    return Skp.objects.filter(instansi_id=skp.instansi_id, revisi_dari=skp).order_by("-revisi", "-id")


def skp_penilai_for_period(*, skp: Skp) -> QuerySet[Skp]:
    """The Pejabat Penilai's own SKPs whose stint overlaps this SKP's period (cascading sources)."""
    if skp.pejabat_penilai_id is None:
        return Skp.objects.none()
    return Skp.objects.filter(
        instansi_id=skp.instansi_id,
        pegawai_id=skp.pejabat_penilai_id,
        periode_mulai__lte=skp.periode_selesai,
        periode_selesai__gte=skp.periode_mulai,
    ).exclude(status=SkpStatus.DIGANTI)


def tim_sumber_for(*, skp: Skp) -> dict[int, TimKerja]:
    """``{ketua pegawai id: team}`` for the teams of the SKP's year in which its owner is a current
    anggota (issue #16): their ketua's results are cascading sources too. One query."""
    out: dict[int, TimKerja] = {}
    if not skp.pegawai_id:
        return out
    for tim in tim_of_anggota(pegawai=skp.pegawai, tahun=skp.tahun):
        out.setdefault(tim.ketua_id, tim)
    return out


def _ketua_skp(*, skp: Skp, ketua_ids: list[int]) -> QuerySet[Skp]:
    """The ketua tim's SKPs of the same year (never a superseded version)."""
    return Skp.objects.filter(instansi_id=skp.instansi_id, pegawai_id__in=ketua_ids, tahun=skp.tahun).exclude(
        status=SkpStatus.DIGANTI
    )


def rhk_pimpinan_choices(*, skp: Skp, tim_sumber: dict[int, TimKerja] | None = None) -> QuerySet[Rhk]:
    """Leader results a pegawai may link to: the Pejabat Penilai's own SKP results for the overlapping
    period, and the results of the ketua tim's SKP of the same year for each team the owner is a current
    anggota of (``tim_sumber``, computed when not given). Structural leader's results first."""
    if tim_sumber is None:
        tim_sumber = tim_sumber_for(skp=skp)
    cond = Q(skp__in=skp_penilai_for_period(skp=skp))
    ketua_ids = [k for k in tim_sumber if k != skp.pejabat_penilai_id]
    if ketua_ids:
        cond |= Q(skp__in=_ketua_skp(skp=skp, ketua_ids=ketua_ids))
    penilai = skp.pejabat_penilai_id or 0
    return (
        Rhk.objects.filter(cond, instansi_id=skp.instansi_id)
        .select_related("skp")
        .prefetch_related("indikator")
        .annotate(
            _struktural=Case(When(skp__pegawai_id=penilai, then=Value(0)), default=Value(1)),
        )
        .order_by("_struktural", "skp__pegawai_id", "skp__periode_mulai", "jenis", "urutan", "id")
    )


def rhk_pimpinan_pilihan(*, skp: Skp) -> list[Rhk]:
    """``rhk_pimpinan_choices`` as a list for the forms, each result with ``tim_sumber`` (the team it
    comes through, None for the Pejabat Penilai's own): two queries plus the indicators."""
    tim_sumber = tim_sumber_for(skp=skp)
    rows = list(rhk_pimpinan_choices(skp=skp, tim_sumber=tim_sumber))
    for r in rows:
        r.tim_sumber = (  # type: ignore[attr-defined]
            None if r.skp.pegawai_id == skp.pejabat_penilai_id else tim_sumber.get(r.skp.pegawai_id)
        )
    return rows


#: The statuses whose links to a leader's result must not move under them (issue #14).
STATUS_TERKUNCI = (SkpStatus.DIAJUKAN, SkpStatus.DISETUJUI)


@dataclass(frozen=True)
class Dependan:
    """One SKP whose results name a leader result as ``rhk_pimpinan``."""

    rhk_pimpinan_id: int
    skp_id: int
    pegawai_nama: str
    pemilik_user_id: int | None
    status: str

    @property
    def terkunci(self) -> bool:
        return self.status in STATUS_TERKUNCI

    def label(self) -> str:
        return f"{self.pegawai_nama} ({SkpStatus(self.status).label})"


def rhk_dependan(*, instansi_id: int, rhk_ids: list[int]) -> dict[int, list[Dependan]]:
    """``{leader result id: [SKPs linking to it]}``, one entry per SKP (superseded versions left out),
    ordered by name. One query."""
    out: dict[int, list[Dependan]] = {}
    if not rhk_ids:
        return out
    rows = (
        Rhk.objects.filter(instansi_id=instansi_id, rhk_pimpinan_id__in=rhk_ids)
        .exclude(skp__status=SkpStatus.DIGANTI)
        .values_list(
            "rhk_pimpinan_id", "skp_id", "skp__pegawai__nama", "skp__pegawai__user_id", "skp__status"
        )
        .distinct()
        .order_by("rhk_pimpinan_id", "skp__pegawai__nama", "skp_id")
    )
    for pimpinan_id, skp_id, nama, user_id, status in rows:
        out.setdefault(pimpinan_id, []).append(Dependan(pimpinan_id, skp_id, nama, user_id, status))
    return out


def skp_previous_of(*, skp: Skp) -> QuerySet[Skp]:
    """Earlier own SKPs to copy from (newest first)."""
    return (
        Skp.objects.filter(instansi_id=skp.instansi_id, pegawai_id=skp.pegawai_id, tahun__lt=skp.tahun + 1)
        .exclude(pk=skp.pk)
        .order_by("-tahun", "-periode_mulai")
    )


def matriks_peran_hasil(*, leader_skp: Skp, tahun: int, tim: TimKerja | None = None) -> dict:
    """Matriks Peran Hasil: columns = leader's results (with indicators), rows = direct subordinates
    (with ``tim``: the team's current anggota, the "Ketua Tim → Anggota Tim" variant, issue #16),
    cells = each row's results linked to the column (or empty = N/A). Constant query count."""
    leader: Pegawai = leader_skp.pegawai
    columns = list(
        Rhk.objects.filter(instansi_id=leader_skp.instansi_id, skp=leader_skp)
        .prefetch_related("indikator")
        .order_by("jenis", "urutan", "id")
    )
    orang = Pegawai.objects.filter(instansi_id=leader.instansi_id, aktif=True)
    if tim is not None:
        orang = orang.filter(
            pk__in=AnggotaTim.objects.filter(
                instansi_id=tim.instansi_id, tim=tim, selesai__isnull=True
            ).values("pegawai_id")
        )
    else:
        orang = orang.filter(atasan=leader)
    bawahan = list(orang.select_related("jabatan", "unit_kerja").order_by("nama", "id"))
    sub_skps = list(
        Skp.objects.filter(
            instansi_id=leader.instansi_id,
            pegawai__in=[b.pk for b in bawahan],
            tahun=tahun,
            periode_mulai__lte=leader_skp.periode_selesai,
            periode_selesai__gte=leader_skp.periode_mulai,
        )
        .exclude(status=SkpStatus.DIGANTI)
        .order_by("pegawai_id", "-periode_mulai")
    )
    skp_by_pegawai: dict[int, Skp] = {}
    for s in sub_skps:
        skp_by_pegawai.setdefault(s.pegawai_id, s)
    linked = list(
        Rhk.objects.filter(instansi_id=leader.instansi_id, skp__in=list(skp_by_pegawai.values())).order_by(
            "urutan", "id"
        )
    )
    cells: dict[tuple[int, int], list[Rhk]] = {}
    unlinked: dict[int, list[Rhk]] = {}
    skp_owner = {s.pk: s.pegawai_id for s in skp_by_pegawai.values()}
    column_ids = {c.pk for c in columns}
    for r in linked:
        owner = skp_owner[r.skp_id]
        if r.rhk_pimpinan_id in column_ids:
            cells.setdefault((owner, r.rhk_pimpinan_id), []).append(r)
        else:
            unlinked.setdefault(owner, []).append(r)
    rows = [
        {
            "pegawai": b,
            "skp": skp_by_pegawai.get(b.pk),
            "cells": [cells.get((b.pk, c.pk), []) for c in columns],
            "unlinked": unlinked.get(b.pk, []),
        }
        for b in bawahan
    ]
    uncovered = [c for c in columns if not any(cells.get((b.pk, c.pk)) for b in bawahan)]
    return {"columns": columns, "rows": rows, "uncovered": uncovered}


# ---------------------------------------------------------------- pohon kinerja

POHON_MAKS_KEDALAMAN = 15
POHON_MAKS_PEGAWAI = 1500
_STATUS_RANK: dict[str, int] = {
    SkpStatus.DISETUJUI: 3,
    SkpStatus.DIAJUKAN: 2,
    SkpStatus.DIKEMBALIKAN: 1,
    SkpStatus.DRAFT: 0,
}


@dataclass
class PohonNode:
    pegawai: Pegawai
    skp: Skp | None
    rhk: list[Rhk] = field(default_factory=list)
    anak: list["PohonNode"] = field(default_factory=list)
    induk: "PohonNode | None" = None
    tim: list[TimKerja] = field(default_factory=list)  # teams this pegawai leads that year (issue #16)


@dataclass
class Pohon:
    akar: list[PohonNode]
    # Leader results no subordinate in the tree supports; subordinate utama results not linked to their leader.
    tidak_didukung: list[tuple[PohonNode, Rhk]]
    tidak_terkait: list[tuple[PohonNode, Rhk]]
    jumlah_pegawai: int
    terpotong: bool

    @property
    def semua(self) -> list[PohonNode]:
        return _pohon_urut(self.akar)


def pegawai_subtree_ids(*, instansi: Instansi, akar_ids: list[int] | None) -> list[int]:
    """Active pegawai of ``akar_ids`` and everyone below them along atasan lines (``None``: from every
    pegawai without atasan), top level first, at most ``POHON_MAKS_PEGAWAI + 1``: one recursive CTE."""
    table = Pegawai._meta.db_table
    root = "atasan_id IS NULL" if akar_ids is None else "id = ANY(%s)"
    params: list[Any] = [instansi.pk] + ([] if akar_ids is None else [list(akar_ids)])
    params += [instansi.pk, POHON_MAKS_KEDALAMAN, POHON_MAKS_PEGAWAI + 1]
    sql = f"""
        WITH RECURSIVE pohon(id, lvl) AS (
            SELECT id, 0 FROM {table} WHERE instansi_id = %s AND aktif AND {root}
            UNION
            SELECT p.id, pohon.lvl + 1 FROM {table} p JOIN pohon ON p.atasan_id = pohon.id
            WHERE p.instansi_id = %s AND p.aktif AND pohon.lvl < %s
        )
        SELECT id FROM pohon GROUP BY id ORDER BY MIN(lvl), id LIMIT %s
    """  # noqa: S608 (table name from model meta, values are parameters)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def pohon_kinerja(*, instansi: Instansi, tahun: int, akar_ids: list[int] | None = None) -> Pohon:
    """Pohon kinerja of ``tahun`` from ``akar_ids`` (default: the pegawai without atasan) down the
    atasan→bawahan lines, with each pegawai's SKP results and their links to the leader's results.

    Five queries whatever the size: subtree ids (recursive CTE), pegawai, SKPs, results, the teams the
    pegawai lead (issue #16: their anggota's results link across the tree). Per pegawai the
    SKP shown is the one in force: approved first, then submitted, returned, draft; latest stint first.
    """
    ids = pegawai_subtree_ids(instansi=instansi, akar_ids=akar_ids)
    terpotong = len(ids) > POHON_MAKS_PEGAWAI
    ids = ids[:POHON_MAKS_PEGAWAI]
    pegawai = list(
        Pegawai.objects.filter(instansi=instansi, pk__in=ids)
        .select_related("jabatan", "unit_kerja")
        .order_by("nama", "id")
    )
    chosen: dict[int, Skp] = {}
    for s in Skp.objects.filter(instansi=instansi, pegawai_id__in=ids, tahun=tahun).exclude(
        status=SkpStatus.DIGANTI
    ):
        cur = chosen.get(s.pegawai_id)
        if cur is None or (_STATUS_RANK.get(s.status, 0), s.periode_mulai) > (
            _STATUS_RANK.get(cur.status, 0),
            cur.periode_mulai,
        ):
            chosen[s.pegawai_id] = s
    rhk_by_skp: dict[int, list[Rhk]] = {}
    for r in (
        Rhk.objects.filter(instansi=instansi, skp_id__in=[s.pk for s in chosen.values()])
        .select_related("rhk_pimpinan", "tim_kerja__ketua", "indikator_pk__sasaran")
        .order_by("jenis", "urutan", "id")
    ):
        rhk_by_skp.setdefault(r.skp_id, []).append(r)

    nodes = {p.pk: PohonNode(pegawai=p, skp=chosen.get(p.pk)) for p in pegawai}
    for tim in TimKerja.objects.filter(instansi=instansi, tahun=tahun, ketua_id__in=ids).order_by(
        "nama", "id"
    ):
        nodes[tim.ketua_id].tim.append(tim)
    akar: list[PohonNode] = []
    for node in nodes.values():
        node.rhk = rhk_by_skp.get(node.skp.pk, []) if node.skp else []
        parent = nodes.get(node.pegawai.atasan_id) if node.pegawai.atasan_id else None
        if parent is not None and node.pegawai.pk not in (akar_ids or []):
            node.induk = parent
            parent.anak.append(node)
        else:
            akar.append(node)

    # Coverage: count supporters per leader result, list the gaps.
    pendukung: dict[int, int] = {}
    for node in nodes.values():
        for r in node.rhk:
            if r.rhk_pimpinan_id:
                pendukung[r.rhk_pimpinan_id] = pendukung.get(r.rhk_pimpinan_id, 0) + 1
    tidak_didukung: list[tuple[PohonNode, Rhk]] = []
    tidak_terkait: list[tuple[PohonNode, Rhk]] = []
    for node in _pohon_urut(akar):
        for r in node.rhk:
            r.jumlah_pendukung = pendukung.get(r.pk, 0)  # type: ignore[attr-defined]
            if node.anak and not r.jumlah_pendukung:  # type: ignore[attr-defined]
                tidak_didukung.append((node, r))
            wajib_terkait = (
                node.induk is not None
                and r.jenis == JenisRhk.UTAMA
                and node.pegawai.jabatan.jenis not in JPT
                and not (node.skp and node.skp.tugas_belajar)
            )
            r.belum_terkait = wajib_terkait and r.rhk_pimpinan_id is None  # type: ignore[attr-defined]
            if r.belum_terkait:  # type: ignore[attr-defined]
                tidak_terkait.append((node, r))
    return Pohon(
        akar=akar,
        tidak_didukung=tidak_didukung,
        tidak_terkait=tidak_terkait,
        jumlah_pegawai=len(nodes),
        terpotong=terpotong,
    )


def _pohon_urut(akar: list[PohonNode]) -> list[PohonNode]:
    """Nodes top-down (pre-order), iteratively: deep trees must not hit the recursion limit."""
    out: list[PohonNode] = []
    stack = list(reversed(akar))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.anak))
    return out
