"""SKP reads with fixed query shapes (tests pin the counts)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from kinerja.models import Instansi, Pegawai, User
from kinerja.selectors.people import pegawai_dinilai_oleh
from kinerja.tenancy import pegawai_of
from skp.models import Indikator, Rhk, Skp, SkpStatus, SkpStatusChange


def _detail_prefetch() -> list[Prefetch | str]:
    return [
        Prefetch(
            "rhk",
            queryset=Rhk.objects.select_related("rhk_pimpinan")
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
    if "pejabat_penilai" in roles:
        cond |= Q(pegawai__in=pegawai_dinilai_oleh(user=user, instansi=instansi).values("pk"))
    return qs.filter(cond)


def skp_list(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Skp]:
    return (
        skp_visible_to(user=user, instansi=instansi, roles=roles)
        .select_related("pegawai__jabatan", "pegawai__unit_kerja", "pejabat_penilai")
        .annotate(jumlah_rhk=Count("rhk", distinct=True))
        .order_by("-tahun", "pegawai__nama", "-id")
    )


def skp_inbox(*, user: User, instansi: Instansi) -> QuerySet[Skp]:
    """Submitted SKPs waiting for this Pejabat Penilai (direct or delegated)."""
    own = pegawai_of(user)
    cond = Q(pegawai__in=pegawai_dinilai_oleh(user=user, instansi=instansi).values("pk"))
    if own is not None:
        cond |= Q(pejabat_penilai=own)
    return (
        Skp.objects.filter(instansi=instansi, status=SkpStatus.DIAJUKAN)
        .filter(cond)
        .select_related("pegawai__jabatan", "pegawai__unit_kerja")
        .annotate(jumlah_rhk=Count("rhk", distinct=True))
        .order_by("diajukan_at", "id")
    )


def skp_riwayat(*, skp: Skp) -> QuerySet[SkpStatusChange]:
    return (
        SkpStatusChange.objects.filter(instansi_id=skp.instansi_id, skp=skp)
        .select_related("actor")
        .order_by("created_at", "id")
    )


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


def rhk_pimpinan_choices(*, skp: Skp) -> QuerySet[Rhk]:
    """Leader results a pegawai may link to: the Pejabat Penilai's own SKP results for the overlapping period."""
    return (
        Rhk.objects.filter(instansi_id=skp.instansi_id, skp__in=skp_penilai_for_period(skp=skp))
        .prefetch_related("indikator")
        .order_by("skp__periode_mulai", "jenis", "urutan", "id")
    )


def skp_previous_of(*, skp: Skp) -> QuerySet[Skp]:
    """Earlier own SKPs to copy from (newest first)."""
    return (
        Skp.objects.filter(instansi_id=skp.instansi_id, pegawai_id=skp.pegawai_id, tahun__lt=skp.tahun + 1)
        .exclude(pk=skp.pk)
        .order_by("-tahun", "-periode_mulai")
    )


def matriks_peran_hasil(*, leader_skp: Skp, tahun: int) -> dict:
    """Matriks Peran Hasil: columns = leader's results (with indicators), rows = direct subordinates,
    cells = each subordinate's results linked to the column (or empty = N/A). Constant query count."""
    leader: Pegawai = leader_skp.pegawai
    columns = list(
        Rhk.objects.filter(instansi_id=leader_skp.instansi_id, skp=leader_skp)
        .prefetch_related("indikator")
        .order_by("jenis", "urutan", "id")
    )
    bawahan = list(
        Pegawai.objects.filter(instansi_id=leader.instansi_id, atasan=leader, aktif=True)
        .select_related("jabatan")
        .order_by("nama", "id")
    )
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
