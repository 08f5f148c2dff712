"""Daily documentation API (api-contract.md §7): rencana aksi, realisasi and bukti dukung.

The API twins of the realisasi page (``dialog:realisasi``): every endpoint calls the service the page
calls, with the same access rules (the SKP's owner writes; its Pejabat Penilai and admins/HR may read;
anyone else, and another instansi, gets 404). Thin: parse → access → service → serialize.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dialog import access, services
from dialog.models import BuktiDukung, Realisasi, RencanaAksi
from kinerja.api.base import TenantScopedApi
from kinerja.api.parsers import JSONParser
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from skp.models import Skp

# ---------------------------------------------------------------- output


class RencanaAksiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    skp = serializers.IntegerField(source="skp_id")
    rhk = serializers.IntegerField(source="rhk_id")
    periode = serializers.IntegerField(source="periode_id")
    uraian = serializers.CharField()
    target = serializers.CharField()
    urutan = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BuktiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    jenis = serializers.CharField()
    judul = serializers.CharField()
    nama_berkas = serializers.CharField()
    tipe_konten = serializers.CharField()
    ukuran = serializers.IntegerField()
    sha256 = serializers.CharField()
    tautan = serializers.CharField()
    created_at = serializers.DateTimeField()


class RealisasiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    skp = serializers.IntegerField(source="skp_id")
    rhk = serializers.IntegerField(source="rhk_id")
    indikator = serializers.IntegerField(source="indikator_id")
    periode = serializers.IntegerField(source="periode_id")
    realisasi = serializers.CharField()
    keterangan = serializers.CharField()
    bukti = BuktiOutput(many=True)
    updated_at = serializers.DateTimeField()


def _bukti_prefetch() -> Prefetch:
    return Prefetch("bukti", queryset=BuktiDukung.objects.order_by("created_at", "id"))


def _realisasi_out(obj: Realisasi) -> dict[str, Any]:
    fresh = Realisasi.objects.prefetch_related(_bukti_prefetch()).get(pk=obj.pk)
    return dict(RealisasiOutput(fresh).data)


class _DokumentasiApi(TenantScopedApi):
    def skp(self, skp_id: Any) -> Skp:
        return access.dokumentasi_skp_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, skp_id=skp_id
        )


class PeriodeFilter(serializers.Serializer):
    periode = serializers.IntegerField(required=False, help_text="Hanya periode ini (id dari GET periode/).")


# ---------------------------------------------------------------- rencana aksi


class RencanaAksiListCreateApi(_DokumentasiApi):
    """GET: the SKP's rencana aksi (``?periode=``). POST (contract §7): the owner of a ``disetujui`` SKP
    plans a step for one of its results in a periode → 201 (twin of ``dialog:rencana-aksi-tambah``)."""

    class InputSerializer(serializers.Serializer):
        rhk = serializers.IntegerField()
        periode = serializers.IntegerField()
        uraian = serializers.CharField(max_length=4000)
        target = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")

    def get_base_queryset(self) -> QuerySet[RencanaAksi]:
        return RencanaAksi.objects.filter(instansi=self.instansi)

    @extend_schema(parameters=[PeriodeFilter], responses=RencanaAksiOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        f = PeriodeFilter(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = self.get_queryset().filter(skp=skp).order_by("periode__mulai", "rhk_id", "urutan", "id")
        if "periode" in f.validated_data:
            qs = qs.filter(periode_id=f.validated_data["periode"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(RencanaAksiOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: RencanaAksiOutput},
        examples=[
            OpenApiExample(
                "Rencana aksi",
                value={"rhk": 12, "periode": 3, "uraian": "Menyusun draf SOP loket", "target": "1 draf"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        aksi = services.rencana_aksi_add(
            actor=self.actor,
            skp=skp,
            rhk_id=v["rhk"],
            periode_id=v["periode"],
            uraian=v["uraian"],
            target=v["target"],
        )
        return Response(RencanaAksiOutput(aksi).data, status=status.HTTP_201_CREATED)


class RencanaAksiDetailApi(_DokumentasiApi):
    """PATCH / DELETE (contract §7, owner): twins of ``dialog:rencana-aksi-ubah`` / ``-hapus``."""

    class PatchSerializer(serializers.Serializer):
        uraian = serializers.CharField(max_length=4000, required=False)
        target = serializers.CharField(max_length=255, allow_blank=True, required=False)

    def get_base_queryset(self) -> QuerySet[RencanaAksi]:
        return RencanaAksi.objects.filter(instansi=self.instansi)

    def aksi(self, pk: Any) -> RencanaAksi:
        return access.rencana_aksi_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, rencana_aksi_id=pk
        )

    @extend_schema(responses=RencanaAksiOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(RencanaAksiOutput(self.aksi(pk)).data)

    @extend_schema(
        request=PatchSerializer,
        responses=RencanaAksiOutput,
        examples=[OpenApiExample("Ubah", value={"uraian": "Menyusun SOP loket", "target": "1 SOP"})],
    )
    def patch(self, request: Request, pk: int) -> Response:
        aksi = self.aksi(pk)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        aksi = services.rencana_aksi_update(
            actor=self.actor,
            rencana_aksi=aksi,
            uraian=v.get("uraian", aksi.uraian),
            target=v.get("target", aksi.target),
        )
        return Response(RencanaAksiOutput(RencanaAksi.objects.get(pk=aksi.pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.rencana_aksi_remove(actor=self.actor, rencana_aksi=self.aksi(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- realisasi


class RealisasiApi(_DokumentasiApi):
    """GET: the SKP's realisasi with their bukti (``?periode=``). PUT (contract §7): the owner records
    or updates one indikator's realisasi for one periode → 200 with its ``id`` (twin of
    ``dialog:realisasi-simpan``; a file goes to ``POST realisasi/{id}/bukti/``)."""

    class InputSerializer(serializers.Serializer):
        indikator = serializers.IntegerField()
        periode = serializers.IntegerField()
        realisasi = serializers.CharField(max_length=4000)
        keterangan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
        tautan = serializers.CharField(max_length=2000, allow_null=True, allow_blank=True, required=False)
        judul_bukti = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")

    def get_base_queryset(self) -> QuerySet[Realisasi]:
        return Realisasi.objects.filter(instansi=self.instansi)

    @extend_schema(parameters=[PeriodeFilter], responses=RealisasiOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        f = PeriodeFilter(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = (
            self.get_queryset()
            .filter(skp=skp)
            .prefetch_related(_bukti_prefetch())
            .order_by("periode__mulai", "rhk__jenis", "rhk__urutan", "rhk_id", "indikator__urutan", "id")
        )
        if "periode" in f.validated_data:
            qs = qs.filter(periode_id=f.validated_data["periode"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(RealisasiOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: RealisasiOutput},
        examples=[
            OpenApiExample(
                "Realisasi",
                value={
                    "indikator": 31,
                    "periode": 3,
                    "realisasi": "4 laporan selesai",
                    "tautan": "https://drive.example.go.id/laporan-tw2",
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        obj = services.realisasi_save(
            actor=self.actor,
            skp=skp,
            indikator_id=v["indikator"],
            periode_id=v["periode"],
            realisasi=v["realisasi"],
            keterangan=v["keterangan"],
            tautan=v.get("tautan") or "",
            judul_bukti=v["judul_bukti"],
        )
        return Response(_realisasi_out(obj))


# ---------------------------------------------------------------- bukti dukung

#: The contract (§7) takes PDF, JPEG and PNG through the API; the page also takes Office files. The
#: magic bytes decide here (never the name); the service then checks the whole content
#: (``dialog.bukti.sniff``: a PDF that parses, an image that decodes) and the 10 MB limit.
_MAGIC_API = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _cek_jenis_api(berkas: Any) -> None:
    berkas.seek(0)
    head = berkas.read(16)
    berkas.seek(0)
    if not head.startswith(_MAGIC_API):
        raise ApplicationError(
            _("Bukti dukung belum tersimpan."),
            errors={
                "berkas": [
                    _(
                        "Isi berkas bukan PDF, JPEG, atau PNG (yang dinilai isinya, bukan nama berkasnya). "
                        "Berkas program tidak pernah diterima."
                    )
                ]
            },
        )


class BuktiCreateApi(_DokumentasiApi):
    """POST (contract §7, owner): multipart ``berkas`` (PDF, JPEG, PNG; at most 10 MB; the content is
    checked, not the name) and/or ``tautan`` → 201 with the realisasi and all its bukti. Anything else
    → 400 with ``errors.berkas``."""

    parser_classes = (MultiPartParser, FormParser, JSONParser)

    class InputSerializer(serializers.Serializer):
        berkas = serializers.FileField(required=False, allow_empty_file=True)
        tautan = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
        judul = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")

    def get_base_queryset(self) -> QuerySet[Realisasi]:
        return Realisasi.objects.filter(instansi=self.instansi)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: RealisasiOutput},
        description="curl -H 'Authorization: Token …' -F berkas=@laporan.pdf -F judul='Laporan TW II' "
        "https://…/api/v1/realisasi/45/bukti/",
    )
    def post(self, request: Request, pk: int) -> Response:
        realisasi = access.realisasi_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, realisasi_id=pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        berkas = v.get("berkas")
        if berkas is not None and berkas.size:
            _cek_jenis_api(berkas)
        services.bukti_add(
            actor=self.actor, realisasi=realisasi, berkas=berkas, tautan=v["tautan"], judul=v["judul"]
        )
        return Response(_realisasi_out(realisasi), status=status.HTTP_201_CREATED)


class BuktiDetailApi(_DokumentasiApi):
    """GET: the file (access-checked, never a public URL); DELETE: the owner removes it (twin of
    ``dialog:bukti-hapus``)."""

    def get_base_queryset(self) -> QuerySet[BuktiDukung]:
        return BuktiDukung.objects.filter(instansi=self.instansi)

    def bukti(self, pk: Any) -> BuktiDukung:
        return access.bukti_access(user=self.actor, instansi=self.instansi, roles=self.roles, bukti_id=pk)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="Berkasnya.")
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        bukti = self.bukti(pk)
        if not bukti.berkas:
            raise NotFoundOrForbidden()
        try:
            handle = bukti.berkas.open("rb")
        except FileNotFoundError:
            raise NotFoundOrForbidden() from None
        response = FileResponse(
            handle, as_attachment=True, filename=bukti.nama_berkas or "bukti", content_type=bukti.tipe_konten
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.bukti_remove(actor=self.actor, bukti=self.bukti(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
