"""Perjanjian Kinerja REST API (api-contract.md §5). Thin: parse → access → service → serialize."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError
from perjanjian import services
from perjanjian.models import MAX_TEKS, PerjanjianKinerja
from perjanjian.selectors import pk_access, pk_list, pk_versi

# ---------------------------------------------------------------- output


class IkuOutput(serializers.Serializer):
    id = serializers.IntegerField()
    uraian = serializers.CharField()
    target = serializers.CharField()
    definisi = serializers.CharField()
    formula = serializers.CharField()
    sumber_data = serializers.CharField()
    periode_pelaporan = serializers.CharField()


class SasaranOutput(serializers.Serializer):
    id = serializers.IntegerField()
    uraian = serializers.CharField()
    indikator = IkuOutput(many=True, source="indikator.all")


class PerjanjianOutput(serializers.Serializer):
    id = serializers.IntegerField()
    unit_kerja = serializers.IntegerField(source="unit_kerja_id")
    unit_kerja_nama = serializers.CharField(source="unit_kerja.nama")
    tahun = serializers.IntegerField()
    versi = serializers.IntegerField()
    aktif = serializers.BooleanField()
    catatan = serializers.CharField()
    created_at = serializers.DateTimeField()
    sasaran = SasaranOutput(many=True, source="sasaran.all")


# ---------------------------------------------------------------- input


class IkuInput(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    uraian = serializers.CharField(max_length=MAX_TEKS, allow_blank=True)
    target = serializers.CharField(max_length=255, allow_blank=True)
    definisi = serializers.CharField(max_length=MAX_TEKS, allow_blank=True, required=False, default="")
    formula = serializers.CharField(max_length=MAX_TEKS, allow_blank=True, required=False, default="")
    sumber_data = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    periode_pelaporan = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


class SasaranInput(serializers.Serializer):
    uraian = serializers.CharField(max_length=MAX_TEKS, allow_blank=True)
    indikator = serializers.ListField(child=IkuInput(), max_length=services.MAX_INDIKATOR)


class PerjanjianInput(serializers.Serializer):
    unit_kerja = serializers.IntegerField()
    tahun = serializers.IntegerField()
    catatan = serializers.CharField(max_length=MAX_TEKS, allow_blank=True, required=False, default="")
    sasaran = serializers.ListField(child=SasaranInput(), max_length=services.MAX_SASARAN)


CONTOH_PK = {
    "id": 12,
    "unit_kerja": 3,
    "unit_kerja_nama": "Sekretariat Daerah",
    "tahun": 2026,
    "versi": 1,
    "aktif": True,
    "catatan": "",
    "created_at": "2026-01-15T09:30:00+07:00",
    "sasaran": [
        {
            "id": 31,
            "uraian": "Meningkatnya kualitas pelayanan publik",
            "indikator": [
                {
                    "id": 77,
                    "uraian": "Indeks kepuasan masyarakat",
                    "target": "85",
                    "definisi": "Tingkat kepuasan penerima layanan",
                    "formula": "Rata-rata nilai survei x 25",
                    "sumber_data": "Survei kepuasan masyarakat",
                    "periode_pelaporan": "Semesteran",
                }
            ],
        }
    ],
}


class _PkApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[PerjanjianKinerja]:
        return pk_list(instansi=self.instansi)


class PerjanjianListCreateApi(_PkApi):
    """GET: the PK in force per unit (every pegawai of the instansi sees them); POST: the admin_instansi
    or the unit's leader saves a unit's PK of a year (a new version when one exists)."""

    class FilterSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        unit_kerja = serializers.IntegerField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PerjanjianOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = pk_list(
            instansi=self.instansi,
            tahun=f.validated_data.get("tahun"),
            unit_kerja_id=f.validated_data.get("unit_kerja"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PerjanjianOutput(page, many=True).data)

    @extend_schema(
        request=PerjanjianInput,
        responses={201: PerjanjianOutput},
        description="admin_instansi or the unit's leader. A unit outside the caller's instansi, an empty "
        "sasaran or indikator, a missing target → 400 with field errors (``sasaran.0.indikator.0.target``); "
        "nothing is written. Saving a unit-year that already has a PK makes a new version.",
        examples=[
            OpenApiExample(
                "Perjanjian kinerja baru",
                request_only=True,
                value={
                    "unit_kerja": 3,
                    "tahun": 2026,
                    "sasaran": [
                        {
                            "uraian": "Meningkatnya kualitas pelayanan publik",
                            "indikator": [
                                {
                                    "uraian": "Indeks kepuasan masyarakat",
                                    "target": "85",
                                    "definisi": "Tingkat kepuasan penerima layanan",
                                    "formula": "Rata-rata nilai survei x 25",
                                    "sumber_data": "Survei kepuasan masyarakat",
                                    "periode_pelaporan": "Semesteran",
                                }
                            ],
                        }
                    ],
                },
            ),
            OpenApiExample("Tersimpan", response_only=True, status_codes=["201"], value=CONTOH_PK),
            OpenApiExample(
                "Target kosong",
                response_only=True,
                status_codes=["400"],
                value={
                    "detail": "Perjanjian kinerja belum lengkap atau tidak valid.",
                    "errors": {
                        "sasaran.0.indikator.0.target": [
                            'Target wajib diisi, misalnya "85 %" atau "12 dokumen".'
                        ]
                    },
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = PerjanjianInput(data=request.data)
        data.is_valid(raise_exception=True)
        v: dict[str, Any] = data.validated_data
        pk = services.pk_simpan(
            actor=self.actor,
            instansi=self.instansi,
            unit_kerja_id=v["unit_kerja"],
            tahun=v["tahun"],
            sasaran=v["sasaran"],
            catatan=v["catatan"],
            roles=self.roles,
        )
        return Response(PerjanjianOutput(pk_access(instansi=self.instansi, pk_id=pk.pk)).data, status=201)


class PerjanjianDetailApi(_PkApi):
    """One version (old versions stay readable) with its revision history."""

    @extend_schema(
        responses=PerjanjianOutput,
        examples=[OpenApiExample("Versi 1", response_only=True, value=CONTOH_PK)],
    )
    def get(self, request: Request, pk: int) -> Response:
        obj = pk_access(instansi=self.instansi, pk_id=pk)
        body = dict(PerjanjianOutput(obj).data)
        body["riwayat"] = [
            {"id": v.pk, "versi": v.versi, "aktif": v.aktif, "created_at": v.created_at}
            for v in pk_versi(instansi=self.instansi, unit_kerja_id=obj.unit_kerja_id, tahun=obj.tahun)
        ]
        return Response(body)


class PerjanjianImporApi(_PkApi):
    """Multipart field ``berkas`` (XLSX): 201 with the PKs saved, or 400 listing every bad row."""

    class InputSerializer(serializers.Serializer):
        berkas = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: PerjanjianOutput(many=True)},
        description="Multipart field ``berkas``: an XLSX with the columns of the page's template (one row "
        "per indikator). Every bad row is listed in ``galat`` (line, column, reason) and nothing is saved. "
        "curl -H 'Authorization: Token …' -F berkas=@pk-2026.xlsx https://…/api/v1/perjanjian-kinerja/impor/",
        examples=[
            OpenApiExample("Tersimpan", response_only=True, status_codes=["201"], value=[CONTOH_PK]),
            OpenApiExample(
                "Baris salah",
                response_only=True,
                status_codes=["400"],
                value={
                    "detail": "Berkas tidak diimpor: perbaiki setiap baris yang disebut.",
                    "errors": {"berkas": ["2:indikator: Wajib diisi."]},
                    "galat": [{"baris": 2, "kolom": "indikator", "alasan": "Wajib diisi."}],
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        berkas = data.validated_data["berkas"]
        if berkas.size > 5 * 1024 * 1024:
            raise ApplicationError(_("Berkas terlalu besar."), errors={"berkas": [_("Paling besar 5 MB.")]})
        hasil = services.pk_impor_xlsx(
            actor=self.actor, instansi=self.instansi, roles=self.roles, content=berkas.read()
        )
        objs = pk_list(instansi=self.instansi).filter(pk__in=[p.pk for p in hasil.perjanjian])
        return Response(PerjanjianOutput(objs, many=True).data, status=status.HTTP_201_CREATED)
