"""Evaluation REST API (api-contract.md §3). One class per operation: parse → access → service → serialize."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from evaluasi import services
from evaluasi.access import evaluasi_access, keberatan_access, periode_access, unit_evaluasi_access
from evaluasi.models import Evaluasi, JenisEvaluasi, JenisLangkah, Keberatan
from evaluasi.scoring import Predikat, PredikatOrganisasi, Rating
from evaluasi.selectors import (
    ROLES_ADMIN,
    distribusi_unit,
    evaluasi_detail_queryset,
    evaluasi_list,
    evaluasi_periodik_tahun,
    evaluasi_visible_to,
    pegawai_ids_visible,
)
from kinerja.api.base import TenantScopedApi
from kinerja.api.parsers import JSONParser
from kinerja.exceptions import InvalidTransition, NotFoundOrForbidden
from kinerja.models import Role

# ---------------------------------------------------------------------------------------------- output


class _PegawaiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()
    jabatan = serializers.CharField(source="jabatan.nama")
    unit_kerja = serializers.CharField(source="unit_kerja.nama")


class _PenilaiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()


class _PeriodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nomor = serializers.IntegerField()
    siklus = serializers.CharField()
    mulai = serializers.DateField()
    selesai = serializers.DateField()


class _UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nama = serializers.CharField()


class EvaluasiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    jenis = serializers.CharField()
    tahun = serializers.IntegerField()
    periode = _PeriodeOutput(allow_null=True)
    pegawai = _PegawaiOutput()
    pejabat_penilai = serializers.SerializerMethodField()
    status_penilai = serializers.CharField(help_text='SIASN statusPenilai: "ASN" or "NON ASN".')
    skp = serializers.IntegerField(source="skp_id")
    unit_kerja = _UnitOutput()
    rating_hasil_kerja = serializers.CharField()
    rating_perilaku_kerja = serializers.CharField()
    predikat = serializers.CharField()
    justifikasi = serializers.CharField()
    jumlah_umpan_balik = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    dinilai_at = serializers.DateTimeField(allow_null=True)
    final_at = serializers.DateTimeField(allow_null=True)
    diterima_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the result was delivered to the pegawai (keberatan days count from it).",
    )
    versi = serializers.IntegerField(help_text="Send it back with PATCH: a stale one answers 409.")

    def get_pejabat_penilai(self, obj: Evaluasi) -> dict[str, Any] | None:
        """``{"id","nip","nama"}`` of a pegawai penilai; a non-ASN official (issue #16): ``id``/``nip``
        null, with its ``jabatan`` and ``non_asn_id``."""
        if obj.pejabat_penilai_id is not None:
            return dict(_PenilaiOutput(obj.pejabat_penilai).data)
        na = obj.pejabat_penilai_non_asn if obj.pejabat_penilai_non_asn_id is not None else None
        if na is not None:
            return {"id": None, "nip": None, "nama": na.nama, "jabatan": na.jabatan, "non_asn_id": na.pk}
        return None


class EvaluasiDetailOutput(EvaluasiOutput):
    periodik = serializers.SerializerMethodField()

    def get_periodik(self, obj: Evaluasi) -> list[dict[str, Any]]:
        """Annual only: every stint's periodic results of the year (evidence, never averaged)."""
        rows = self.context.get("periodik") or []
        return [
            {
                "id": e.pk,
                "periode": e.periode.nomor if e.periode else None,
                "skp": e.skp_id,
                "pejabat_penilai": e.pejabat_penilai.nama
                if e.pejabat_penilai
                else (e.pejabat_penilai_non_asn.nama if e.pejabat_penilai_non_asn else None),
                "rating_hasil_kerja": e.rating_hasil_kerja,
                "rating_perilaku_kerja": e.rating_perilaku_kerja,
                "predikat": e.predikat,
            }
            for e in rows
        ]


class KeberatanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    evaluasi = serializers.IntegerField(source="evaluasi_id")
    status = serializers.CharField()
    alasan = serializers.CharField()
    predikat_semula = serializers.CharField()
    predikat_baru = serializers.CharField()
    rating_hasil_kerja_semula = serializers.CharField()
    rating_perilaku_kerja_semula = serializers.CharField()
    rating_hasil_kerja_baru = serializers.CharField()
    rating_perilaku_kerja_baru = serializers.CharField()
    catatan_keputusan = serializers.CharField()
    pemutus = serializers.IntegerField(source="pemutus_id", allow_null=True)
    pemutus_non_asn = serializers.IntegerField(source="pemutus_non_asn_id", allow_null=True)
    created_at = serializers.DateTimeField()
    diputus_at = serializers.DateTimeField(allow_null=True)


# ---------------------------------------------------------------------------------------------- evaluations


class _EvaluasiApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[Evaluasi]:
        return evaluasi_visible_to(user=self.request.user, instansi=self.instansi, roles=self.roles)  # type: ignore[arg-type]

    def evaluasi(self, pk: Any, for_write: bool = False) -> Evaluasi:
        return evaluasi_access(
            user=self.request.user,  # type: ignore[arg-type]
            instansi=self.instansi,
            roles=self.roles,
            evaluasi_id=pk,
            for_write=for_write,
        )

    def detail_response(self, pk: int) -> Response:
        obj = evaluasi_detail_queryset(instansi=self.instansi).get(pk=pk)
        periodik = list(evaluasi_periodik_tahun(evaluasi=obj)) if obj.jenis == JenisEvaluasi.TAHUNAN else []
        return Response(EvaluasiDetailOutput(obj, context={"periodik": periodik}).data)


class EvaluasiListApi(_EvaluasiApi):
    """Evaluations visible to the caller: own, those they rate, all for admin/hr. Rows of approved SKPs
    are created on first access (set-based)."""

    class EvaluasiFilterSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        periode = serializers.IntegerField(required=False)
        jenis = serializers.ChoiceField(choices=JenisEvaluasi.choices, required=False)
        status = serializers.CharField(required=False, max_length=20)

    @extend_schema(parameters=[EvaluasiFilterSerializer], responses=EvaluasiOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.EvaluasiFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        periode = None
        if "periode" in f.validated_data:
            periode = periode_access(instansi=self.instansi, periode_id=f.validated_data["periode"])
        tahun = f.validated_data.get("tahun") or (periode.tahun if periode else timezone.localdate().year)
        user: Any = request.user
        services.evaluasi_ensure(
            instansi=self.instansi,
            tahun=tahun,
            pegawai_ids=pegawai_ids_visible(user=user, instansi=self.instansi, roles=self.roles),
        )
        qs = evaluasi_list(
            user=user,
            instansi=self.instansi,
            roles=self.roles,
            tahun=tahun,
            periode=periode,
            jenis=f.validated_data.get("jenis"),
        )
        if f.validated_data.get("status"):
            qs = qs.filter(status=f.validated_data["status"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EvaluasiOutput(page, many=True).data)


class EvaluasiDetailApi(_EvaluasiApi):
    class EvaluasiNilaiSerializer(serializers.Serializer):
        rating_hasil_kerja = serializers.ChoiceField(choices=Rating.choices)
        rating_perilaku_kerja = serializers.ChoiceField(choices=Rating.choices)
        justifikasi = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
        # The ``versi`` of the last GET (a stale one → 409 with the current ``versi``). Optional so clients
        # written before the check keep working (their write is unchecked, and still bumps the version).
        versi = serializers.IntegerField(required=False, min_value=0, max_value=2_147_483_647)

    @extend_schema(responses=EvaluasiDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        return self.detail_response(self.evaluasi(pk).pk)

    @extend_schema(request=EvaluasiNilaiSerializer, responses=EvaluasiDetailOutput)
    def patch(self, request: Request, pk: int) -> Response:
        evaluasi = self.evaluasi(pk, for_write=True)
        data = self.EvaluasiNilaiSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.evaluasi_nilai(actor=request.user, evaluasi=evaluasi, **data.validated_data)  # type: ignore[arg-type]
        return self.detail_response(evaluasi.pk)


# ---------------------------------------------------------------------------------------------- year-end batch


class EvaluasiDokumenApi(_EvaluasiApi):
    """The signed Dokumen Evaluasi Kinerja: 200 PDF, 202 while it is rendered, 409 before the
    evaluation is rated (periodic) or final (annual)."""

    @extend_schema(responses={200: None, 202: None, 409: None})
    def get(self, request: Request, pk: int) -> Any:
        from evaluasi.documents import (
            evaluasi_dokumen_alasan,
            evaluasi_dokumen_filename,
            evaluasi_dokumen_terkini,
            evaluasi_dokumen_versi,
        )
        from evaluasi.services_dokumen import evaluasi_dokumen_antrikan
        from kinerja.dokumen_http import api_diproses, api_rusak, pdf_response

        ev = self.evaluasi(pk)
        alasan = evaluasi_dokumen_alasan(ev)
        if alasan:
            raise InvalidTransition(alasan)
        versi = evaluasi_dokumen_versi(ev)
        dok = evaluasi_dokumen_terkini(ev, versi)
        if dok is None:
            evaluasi_dokumen_antrikan(evaluasi=ev, versi=versi)
            return api_diproses()
        resp = pdf_response(dokumen=dok, filename=evaluasi_dokumen_filename(ev=ev, kode=dok.kode))
        return resp if resp is not None else api_rusak()


class TahunanBatchApi(TenantScopedApi):
    """admin_instansi starts the December batch: 202 {"job": id}; follow it at jobs/{id}/."""

    required_roles = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)

    class TahunanBatchInputSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(min_value=2000, max_value=2100)
        dry_run = serializers.BooleanField(required=False, default=False)
        # before the annual window opens a real run needs both (domain.md "Annual window"); audited
        paksa = serializers.BooleanField(required=False, default=False)
        alasan = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    def get_base_queryset(self) -> QuerySet[Any]:
        return Evaluasi.objects.none()

    @extend_schema(
        request=TahunanBatchInputSerializer,
        responses={202: inline_serializer("TahunanBatchOutput", {"job": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        data = self.TahunanBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.tahunan_batch_start(
            actor=request.user,  # type: ignore[arg-type]
            roles=self.roles,
            instansi=self.instansi,
            tahun=data.validated_data["tahun"],
            dry_run=data.validated_data["dry_run"],
            paksa=data.validated_data["paksa"],
            alasan=data.validated_data["alasan"],
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


# ---------------------------------------------------------------------------------------------- keberatan


class KeberatanAjukanApi(_EvaluasiApi):
    """The pegawai objects to their final evaluation within the instansi's keberatan period."""

    class KeberatanAjukanInputSerializer(serializers.Serializer):
        alasan = serializers.CharField(max_length=5000)

    @extend_schema(request=KeberatanAjukanInputSerializer, responses={201: KeberatanOutput})
    def post(self, request: Request, pk: int) -> Response:
        evaluasi = self.evaluasi(pk)
        data = self.KeberatanAjukanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: Any = request.user
        obj = services.keberatan_ajukan(actor=user, evaluasi=evaluasi, alasan=data.validated_data["alasan"])
        return Response(KeberatanOutput(obj).data, status=status.HTTP_201_CREATED)


class KeberatanPutusApi(TenantScopedApi):
    """The atasan of the Pejabat Penilai decides: {"terima": true, "rating_hasil_kerja",
    "rating_perilaku_kerja", "catatan"} (the predikat follows from the §6.4 matrix; an optional
    "predikat_baru" must equal it) or {"terima": false, "catatan"}."""

    class KeberatanPutusInputSerializer(serializers.Serializer):
        terima = serializers.BooleanField()
        catatan = serializers.CharField(max_length=5000)
        rating_hasil_kerja = serializers.ChoiceField(
            choices=Rating.choices, required=False, allow_blank=True, default=""
        )
        rating_perilaku_kerja = serializers.ChoiceField(
            choices=Rating.choices, required=False, allow_blank=True, default=""
        )
        predikat_baru = serializers.ChoiceField(
            choices=Predikat.choices, required=False, allow_blank=True, default=""
        )

    def get_base_queryset(self) -> QuerySet[Keberatan]:
        return Keberatan.objects.none()

    @extend_schema(request=KeberatanPutusInputSerializer, responses=KeberatanOutput)
    def post(self, request: Request, pk: int) -> Response:
        obj = keberatan_access(user=request.user, instansi=self.instansi, roles=self.roles, keberatan_id=pk)  # type: ignore[arg-type]
        data = self.KeberatanPutusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.keberatan_putus(actor=request.user, keberatan=obj, **data.validated_data)  # type: ignore[arg-type]
        return Response(KeberatanOutput(obj).data)


# ---------------------------------------------------------------------------------------------- unit performance


class KinerjaOrganisasiApi(TenantScopedApi):
    """GET the unit's distribution and org predikat for a period/year; PUT sets the org predikat."""

    class KinerjaOrganisasiQuerySerializer(serializers.Serializer):
        tahun = serializers.IntegerField(min_value=2000, max_value=2100)
        periode = serializers.IntegerField(required=False, allow_null=True)

    class KinerjaOrganisasiInputSerializer(KinerjaOrganisasiQuerySerializer):
        predikat = serializers.ChoiceField(choices=PredikatOrganisasi.choices)
        justifikasi = serializers.CharField(max_length=5000)

    def get_base_queryset(self) -> QuerySet[Any]:
        return Evaluasi.objects.none()

    def _resolve(self, pk: int, data: dict[str, Any]) -> tuple[Any, Any]:
        user: Any = self.request.user
        unit = unit_evaluasi_access(user=user, instansi=self.instansi, roles=self.roles, unit_id=pk)
        periode = None
        if data.get("periode"):
            periode = periode_access(instansi=self.instansi, periode_id=data["periode"])
        return unit, periode

    def _output(self, unit: Any, tahun: int, periode: Any) -> Response:
        d = distribusi_unit(instansi=self.instansi, unit=unit, tahun=tahun, periode=periode)
        org = d["organisasi"]
        return Response(
            {
                "unit": {"id": unit.pk, "nama": unit.nama},
                "tahun": tahun,
                "periode": periode.pk if periode else None,
                "predikat_organisasi": org.predikat if org else None,
                "justifikasi": org.justifikasi if org else "",
                "aturan": {"kode": d["aturan"].kode, "versi": d["aturan"].versi},
                "jumlah": d["jumlah"],
                "persen": d["persen"],
                "belum_dinilai": d["belum_dinilai"],
                "pedoman": {k: {"min": v[0], "maks": v[1]} for k, v in d["pita"].items()},
                "peringatan": [
                    {**w["p"].as_dict(), "alasan": w["alasan"].alasan if w["alasan"] else ""}
                    for w in d["peringatan"]
                ],
            }
        )

    @extend_schema(
        parameters=[KinerjaOrganisasiQuerySerializer],
        responses=inline_serializer("Distribusi", {"unit": serializers.DictField()}),
    )
    def get(self, request: Request, pk: int) -> Response:
        q = self.KinerjaOrganisasiQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        unit, periode = self._resolve(pk, q.validated_data)
        return self._output(unit, q.validated_data["tahun"], periode)

    @extend_schema(
        request=KinerjaOrganisasiInputSerializer,
        responses=inline_serializer("DistribusiSet", {"unit": serializers.DictField()}),
    )
    def put(self, request: Request, pk: int) -> Response:
        data = self.KinerjaOrganisasiInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit, periode = self._resolve(pk, v)
        services.kinerja_organisasi_set(
            actor=request.user,  # type: ignore[arg-type]
            roles=self.roles,
            instansi=self.instansi,
            unit=unit,
            tahun=v["tahun"],
            periode=periode,
            predikat=v["predikat"],
            justifikasi=v["justifikasi"],
        )
        return self._output(unit, v["tahun"], periode)


# ---------------------------------------------------------------------------------------------- follow-up steps


class LangkahTindakLanjutApi(TenantScopedApi):
    """POST (admin_instansi / platform_admin; multipart when a PDF is attached): record one step of the
    chain after the improvement window (domain §8.2): ``{"jenis", "tanggal", "sampai", "catatan"}`` +
    optional ``berkas`` (PDF, checked whole) → 201. A step out of the chain's order → 409/400 with the
    reason (the same service as the page ``evaluasi:tindak-lanjut-langkah``)."""

    parser_classes = (MultiPartParser, FormParser, JSONParser)

    class LangkahInputSerializer(serializers.Serializer):
        jenis = serializers.ChoiceField(choices=JenisLangkah.choices)
        tanggal = serializers.DateField()
        sampai = serializers.DateField(required=False, allow_null=True, default=None)
        catatan = serializers.CharField(max_length=4000)
        berkas = serializers.FileField(required=False, allow_null=True, default=None)

    class LangkahOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        jenis = serializers.CharField()
        tanggal = serializers.DateField()
        sampai = serializers.DateField(allow_null=True)
        catatan = serializers.CharField()
        nama_berkas = serializers.CharField()

    def get_base_queryset(self) -> QuerySet[Evaluasi]:
        return Evaluasi.objects.none()

    @extend_schema(
        request={
            "multipart/form-data": LangkahInputSerializer,
            "application/json": LangkahInputSerializer,
        },
        responses={201: LangkahOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        ev = evaluasi_access(user=self.actor, instansi=self.instansi, roles=self.roles, evaluasi_id=pk)
        if not ROLES_ADMIN & set(self.roles):
            raise NotFoundOrForbidden()  # only an admin records a step (the service checks it too)
        data = self.LangkahInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        langkah = services.tindak_lanjut_langkah_catat(
            actor=self.actor, roles=self.roles, evaluasi=ev, **data.validated_data
        )
        return Response(self.LangkahOutputSerializer(langkah).data, status=status.HTTP_201_CREATED)
