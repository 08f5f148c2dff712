"""Tim kerja REST API (api-contract.md §5): thin, one class per operation, same services as the pages."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import TimKerja
from kinerja.selectors.tim import tim_detail_queryset, tim_list, tim_visible_to
from kinerja.services import tim as services


class KetuaTimOutput(serializers.Serializer):
    nip = serializers.CharField()
    nama = serializers.CharField()


class AnggotaOutput(serializers.Serializer):
    nip = serializers.CharField(source="pegawai.nip")
    nama = serializers.CharField(source="pegawai.nama")
    unit_kerja = serializers.CharField(source="pegawai.unit_kerja.nama")
    mulai = serializers.DateField()


class RiwayatAnggotaOutput(AnggotaOutput):
    selesai = serializers.DateField(allow_null=True)


class TimOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nama = serializers.CharField()
    tahun = serializers.IntegerField()
    ketua = KetuaTimOutput()
    anggota = AnggotaOutput(many=True, source="anggota_aktif")
    versi = serializers.IntegerField()


class TimDetailOutput(TimOutput):
    riwayat_anggota = RiwayatAnggotaOutput(many=True)


CONTOH_TIM = {
    "id": 3,
    "nama": "Tim Transformasi Digital",
    "tahun": 2026,
    "ketua": {"nip": "198503152010011002", "nama": "Dedi Pranata, S.Kom."},
    "anggota": [
        {
            "nip": "199001012015031001",
            "nama": "Rina Lestari",
            "unit_kerja": "Bidang Aptika",
            "mulai": "2026-02-01",
        }
    ],
    "versi": 1,
}


class _TimApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[TimKerja]:
        return tim_list(user=self.actor, instansi=self.instansi, roles=self.roles)

    def tim(self, pk: Any) -> TimKerja:
        visible = tim_visible_to(user=self.actor, instansi=self.instansi, roles=self.roles).values("pk")
        try:
            tim = tim_detail_queryset(instansi=self.instansi).filter(pk=int(pk), pk__in=visible).first()
        except (TypeError, ValueError):
            tim = None
        if tim is None:
            raise NotFoundOrForbidden()
        return tim

    def detail_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(TimDetailOutput(self.tim(pk)).data, status=code)


class TimListCreateApi(_TimApi):
    class FilterSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    class InputSerializer(serializers.Serializer):
        nama = serializers.CharField(max_length=255)
        tahun = serializers.IntegerField(min_value=2000, max_value=2100)
        ketua = serializers.CharField(max_length=32, help_text="NIP of the ketua (a pegawai of the instansi)")
        anggota = serializers.ListField(
            child=serializers.CharField(max_length=32, allow_blank=True),
            required=False,
            default=list,
            max_length=200,
            help_text="NIPs of the anggota (any unit of the instansi)",
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=TimOutput(many=True),
        description="Teams visible to the caller: an admin sees all of the instansi, others the teams "
        "they lead, belong (or belonged) to, or created.",
    )
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = tim_list(
            user=self.actor, instansi=self.instansi, roles=self.roles, tahun=f.validated_data.get("tahun")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(TimOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: TimDetailOutput},
        description="admin_instansi or a Pejabat Penilai. A NIP outside the caller's instansi or unknown → "
        "400 with errors.ketua / errors.anggota; an anggota twice, the ketua as anggota, a year without "
        "periods → 400 with a field message.",
        examples=[
            OpenApiExample(
                "Tim baru",
                request_only=True,
                value={
                    "nama": "Tim Transformasi Digital",
                    "tahun": 2026,
                    "ketua": "198503152010011002",
                    "anggota": ["199001012015031001", "199203042018012003"],
                },
            ),
            OpenApiExample("Tim dibentuk", response_only=True, status_codes=["201"], value=CONTOH_TIM),
            OpenApiExample(
                "NIP tidak dikenal",
                response_only=True,
                status_codes=["400"],
                value={
                    "detail": "Tim kerja belum tersimpan. Periksa isian yang ditandai.",
                    "errors": {
                        "anggota": [
                            "NIP 199901012020011001 tidak ditemukan di antara pegawai aktif instansi ini."
                        ]
                    },
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tim = services.tim_create(actor=self.actor, instansi=self.instansi, **data.validated_data)
        return self.detail_response(tim.pk, status.HTTP_201_CREATED)


class TimDetailApi(_TimApi):
    class PatchSerializer(serializers.Serializer):
        nama = serializers.CharField(max_length=255, required=False)
        ketua = serializers.CharField(max_length=32, required=False)
        versi = serializers.IntegerField(required=False, help_text="From the last GET: a stale one → 409")

    @extend_schema(responses=TimDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        return self.detail_response(pk)

    @extend_schema(
        request=PatchSerializer,
        responses=TimDetailOutput,
        description="The creator or an admin: rename, or change the ketua.",
        examples=[OpenApiExample("Ganti nama", request_only=True, value={"nama": "Tim SPBE", "versi": 1})],
    )
    def patch(self, request: Request, pk: int) -> Response:
        tim = self.tim(pk)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.tim_update(actor=self.actor, tim=tim, **data.validated_data)
        return self.detail_response(tim.pk)


class TimAnggotaTambahApi(_TimApi):
    class InputSerializer(serializers.Serializer):
        anggota = serializers.ListField(
            child=serializers.CharField(max_length=32, allow_blank=True), allow_empty=False, max_length=200
        )
        mulai = serializers.DateField(required=False, help_text="Default today (kept inside the team's year)")
        versi = serializers.IntegerField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={201: TimDetailOutput},
        description="The creator or an admin adds anggota; membership rows carry the start date.",
        examples=[OpenApiExample("Tambah", request_only=True, value={"anggota": ["199203042018012003"]})],
    )
    def post(self, request: Request, pk: int) -> Response:
        tim = self.tim(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.tim_anggota_add(actor=self.actor, tim=tim, **data.validated_data)
        return self.detail_response(tim.pk, status.HTTP_201_CREATED)


class TimAnggotaKeluarApi(_TimApi):
    class InputSerializer(serializers.Serializer):
        selesai = serializers.DateField(required=False, help_text="Default today")
        versi = serializers.IntegerField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses=TimDetailOutput,
        description="The creator or an admin ends a current anggota's membership (the row stays as history).",
    )
    def delete(self, request: Request, pk: int, nip: str) -> Response:
        tim = self.tim(pk)
        data = self.InputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        services.tim_anggota_remove(actor=self.actor, tim=tim, nip=nip, **data.validated_data)
        return self.detail_response(tim.pk)
