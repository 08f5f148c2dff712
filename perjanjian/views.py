"""HTML pages of the Perjanjian Kinerja: list per year, a unit's PK (with its versions), edit, XLSX import.

Thin: parse → resolve (404 for missing / other instansi) → one service → render."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.access import access_unit_kerja
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import Instansi, UnitKerja, User
from kinerja.web import request_roles, tenant_view
from perjanjian import services
from perjanjian.models import PerjanjianKinerja
from perjanjian.selectors import (
    ROLES_PENGELOLA,
    pk_access,
    pk_boleh_ubah,
    pk_list,
    pk_unit_dipimpin,
    pk_versi,
)

BARIS_KOSONG_SASARAN = 1
BARIS_KOSONG_INDIKATOR = 2
FIELDS_IKU = ("uraian", "target", "definisi", "formula", "sumber_data", "periode_pelaporan")


class TenantRequest(HttpRequest):
    user: User
    instansi: Instansi


def _unit_or_404(request: TenantRequest, unit_pk: int) -> UnitKerja:
    try:
        return access_unit_kerja(instansi=request.instansi, unit_id=unit_pk)
    except NotFoundOrForbidden:
        raise Http404() from None


def _tahun(value: Any) -> int:
    try:
        tahun = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return tahun if 2000 <= tahun <= 2100 else timezone.localdate().year


@tenant_view()
def daftar(request: TenantRequest) -> HttpResponse:
    """Every unit of the instansi with its PK of the year (or "belum ada"): 4 queries whatever the size."""
    tahun = _tahun(request.GET.get("tahun"))
    roles = request_roles(request)
    pks = {p.unit_kerja_id: p for p in pk_list(instansi=request.instansi, tahun=tahun)}
    units = list(UnitKerja.objects.filter(instansi=request.instansi).order_by("path"))
    pengelola = bool(set(roles) & set(ROLES_PENGELOLA))
    dipimpin = None if pengelola else pk_unit_dipimpin(user=request.user)
    baris = [
        {
            "unit": u,
            "pk": pks.get(u.pk),
            "boleh_ubah": pengelola or (dipimpin is not None and dipimpin.pk == u.pk),
        }
        for u in units
    ]
    return render(
        request,
        "perjanjian/daftar.html",
        {
            "tahun": tahun,
            "baris": baris,
            "jumlah_pk": len(pks),
            "pengelola": pengelola,
            "dipimpin": dipimpin,
            "boleh_impor": pengelola or dipimpin is not None,
        },
    )


def _render_pk(
    request: TenantRequest, *, unit: UnitKerja, tahun: int, pk: PerjanjianKinerja | None
) -> HttpResponse:
    roles = request_roles(request)
    return render(
        request,
        "perjanjian/unit.html",
        {
            "unit": unit,
            "tahun": tahun,
            "pk": pk,
            "riwayat": list(pk_versi(instansi=request.instansi, unit_kerja_id=unit.pk, tahun=tahun)),
            "boleh_ubah": pk_boleh_ubah(user=request.user, roles=roles, unit=unit),
        },
    )


@tenant_view()
def unit(request: TenantRequest, unit_pk: int, tahun: int) -> HttpResponse:
    """A unit's PK in force for the year, its Manual IKU and its versions."""
    u = _unit_or_404(request, unit_pk)
    if not 2000 <= tahun <= 2100:
        raise Http404()
    pk = pk_list(instansi=request.instansi, tahun=tahun, unit_kerja_id=u.pk).first()
    return _render_pk(request, unit=u, tahun=tahun, pk=pk)


@tenant_view()
def versi(request: TenantRequest, pk: int) -> HttpResponse:
    """One version of a PK (old versions stay readable)."""
    try:
        obj = pk_access(instansi=request.instansi, pk_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    return _render_pk(request, unit=obj.unit_kerja, tahun=obj.tahun, pk=obj)


def _dari_post(data: Any) -> tuple[list[dict[str, Any]], list[tuple[int, list[int]]]]:
    """Sasaran blocks posted as ``s-<i>-uraian`` and ``s-<i>-<j>-<field>``, fully empty rows dropped.
    Returns the body for the service and, per kept sasaran, (form index, form indexes of its kept rows)
    so service errors find their field again."""
    nomor: dict[int, set[int]] = {}
    for key in data:
        parts = key.split("-")
        if parts[0] != "s" or len(parts) < 3 or not parts[1].isdigit() or len(parts[1]) > 3:
            continue
        i = int(parts[1])
        nomor.setdefault(i, set())
        if len(parts) == 4 and parts[2].isdigit() and len(parts[2]) <= 3:
            nomor[i].add(int(parts[2]))
    body: list[dict[str, Any]] = []
    peta: list[tuple[int, list[int]]] = []
    for i in sorted(nomor)[: services.MAX_SASARAN + 5]:
        uraian = str(data.get(f"s-{i}-uraian", "")).strip()
        rows = []
        kept = []
        for j in sorted(nomor[i])[: services.MAX_INDIKATOR + 5]:
            row = {f: str(data.get(f"s-{i}-{j}-{f}", "")).strip() for f in FIELDS_IKU}
            if not any(row.values()):
                continue
            ident = str(data.get(f"s-{i}-{j}-id", "")).strip()
            row["id"] = int(ident) if ident.isdigit() and len(ident) < 18 else None  # type: ignore[assignment]
            rows.append(row)
            kept.append(j)
        if not uraian and not rows:
            continue
        body.append({"uraian": uraian, "indikator": rows})
        peta.append((i, kept))
    return body, peta


def _blok(
    body: list[dict[str, Any]], peta: list[tuple[int, list[int]]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Form blocks to render: the posted (or saved) content with their errors, plus empty rows."""
    blok = []
    for k, s in enumerate(body):
        i = peta[k][0] if k < len(peta) else k
        baris = []
        for m, ind in enumerate(s["indikator"]):
            j = peta[k][1][m] if k < len(peta) and m < len(peta[k][1]) else m
            baris.append(
                {
                    "j": j,
                    "nilai": ind,
                    "errors": {f: errors.get(f"sasaran.{k}.indikator.{m}.{f}", []) for f in FIELDS_IKU},
                }
            )
        nxt = max([r["j"] for r in baris], default=-1) + 1
        baris += [{"j": nxt + n, "nilai": {}, "errors": {}} for n in range(BARIS_KOSONG_INDIKATOR)]
        blok.append(
            {
                "i": i,
                "uraian": s["uraian"],
                "errors": errors.get(f"sasaran.{k}.uraian", []) + errors.get(f"sasaran.{k}.indikator", []),
                "baris": baris,
            }
        )
    nxt = max([b["i"] for b in blok], default=-1) + 1
    blok.extend(
        {
            "i": nxt + n,
            "uraian": "",
            "errors": [],
            "baris": [{"j": j, "nilai": {}, "errors": {}} for j in range(BARIS_KOSONG_INDIKATOR + 1)],
        }
        for n in range(BARIS_KOSONG_SASARAN if blok else 2)
    )
    return blok


@tenant_view()
def ubah(request: TenantRequest, unit_pk: int, tahun: int) -> HttpResponse:
    """Enter or revise a unit's PK (admin_instansi or the unit's leader): each save is a new version."""
    u = _unit_or_404(request, unit_pk)
    roles = request_roles(request)
    if not 2000 <= tahun <= 2100 or not pk_boleh_ubah(user=request.user, roles=roles, unit=u):
        raise Http404()
    pk = pk_list(instansi=request.instansi, tahun=tahun, unit_kerja_id=u.pk).first()
    errors: dict[str, list[str]] = {}
    pesan = ""
    catatan = ""
    if request.method == "POST":
        body, peta = _dari_post(request.POST)
        catatan = str(request.POST.get("catatan", "")).strip()
        if "tambah" not in request.POST:
            try:
                services.pk_simpan(
                    actor=request.user,
                    instansi=request.instansi,
                    unit_kerja_id=u.pk,
                    tahun=tahun,
                    sasaran=body,  # type: ignore[arg-type]
                    catatan=catatan,
                    roles=roles,
                )
            except ApplicationError as exc:
                errors, pesan = exc.errors, exc.message
            else:
                messages.success(request, _("Perjanjian kinerja disimpan."))
                return redirect("perjanjian:unit", unit_pk=u.pk, tahun=tahun)
    else:
        body = [
            {
                "uraian": s.uraian,
                "indikator": [
                    {"id": x.pk, **{f: getattr(x, f) for f in FIELDS_IKU}} for x in s.indikator.all()
                ],
            }
            for s in (pk.sasaran.all() if pk else [])
        ]
        peta = [(k, list(range(len(s["indikator"])))) for k, s in enumerate(body)]
    status = 400 if errors else 200
    return render(
        request,
        "perjanjian/ubah.html",
        {
            "unit": u,
            "tahun": tahun,
            "pk": pk,
            "blok": _blok(body, peta, errors),
            "pesan": pesan,
            "umum": [
                m
                for k, ms in errors.items()
                if k in ("sasaran", "tahun", "unit_kerja", "catatan")
                for m in ms
            ],
            "catatan": catatan,
        },
        status=status,
    )


@tenant_view()
def impor(request: TenantRequest) -> HttpResponse:
    """Upload an XLSX of PKs: every bad row listed (line, column, reason) and nothing imported, or all."""
    roles = request_roles(request)
    pengelola = bool(set(roles) & set(ROLES_PENGELOLA))
    if not pengelola and pk_unit_dipimpin(user=request.user) is None:
        raise Http404()
    galat: list[Any] = []
    pesan = ""
    status = 200
    if request.method == "POST":
        berkas = request.FILES.get("berkas")
        if berkas is None:
            pesan, status = _("Pilih berkas XLSX yang akan diimpor."), 400
        elif berkas.size is not None and berkas.size > 5 * 1024 * 1024:
            pesan, status = _("Berkas terlalu besar (paling besar 5 MB)."), 400
        else:
            try:
                hasil = services.pk_impor_xlsx(
                    actor=request.user, instansi=request.instansi, roles=roles, content=berkas.read()
                )
            except services.ImporGagal as exc:
                galat, pesan, status = exc.hasil.galat, exc.message, 400
            except ApplicationError as exc:
                pesan, status = " ".join([exc.message, *exc.errors.get("berkas", [])]), 400
            else:
                messages.success(
                    request,
                    _("%(n)d perjanjian kinerja diimpor (%(b)d baris).")
                    % {"n": len(hasil.perjanjian), "b": hasil.baris},
                )
                tahun = hasil.perjanjian[0].tahun if hasil.perjanjian else timezone.localdate().year
                return redirect(f"{request.path.rsplit('impor/', 1)[0]}?tahun={tahun}")
    return render(
        request,
        "perjanjian/impor.html",
        {"galat": galat, "pesan": pesan, "kolom": services.KOLOM, "wajib": services.WAJIB},
        status=status,
    )


__all__ = ["daftar", "impor", "ubah", "unit", "versi"]
