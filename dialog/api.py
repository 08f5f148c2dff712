"""Dialog REST API. ``POST umpan-balik/`` is part of the public contract (api-contract.md §3); the rest
is ours. One class per operation; thin: parse → access (404) → service → serialize."""

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dialog import access, selectors, services
from dialog.models import ModeEmail, Notifikasi, PreferensiNotifikasi, SifatUmpanBalik, UmpanBalik
from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import User

# ---------------------------------------------------------------- output


class PegawaiSingkatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()


class BalasanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    # null when the author is a non-ASN Pejabat Penilai (issue #16): ``penulis_nama`` names it
    penulis = PegawaiSingkatOutput(allow_null=True)
    penulis_nama = serializers.CharField()
    isi = serializers.CharField()
    created_at = serializers.DateTimeField()


class UmpanBalikOutput(serializers.Serializer):
    id = serializers.IntegerField()
    skp = serializers.IntegerField(source="skp_id")
    periode = serializers.IntegerField(source="periode_id")
    rhk = serializers.IntegerField(source="rhk_id", allow_null=True)
    realisasi = serializers.IntegerField(source="realisasi_id", allow_null=True)
    core_value = serializers.SerializerMethodField()
    sifat = serializers.CharField()
    isi = serializers.CharField()
    peran_pemberi = serializers.CharField()
    # null when the giver is a non-ASN Pejabat Penilai (issue #16): ``pemberi_nama``/``pemberi_jabatan``
    pemberi = PegawaiSingkatOutput(allow_null=True)
    pemberi_nama = serializers.CharField()
    pemberi_jabatan = serializers.CharField()
    penerima = serializers.IntegerField(source="penerima_id")
    permintaan = serializers.IntegerField(source="permintaan_id", allow_null=True)
    created_at = serializers.DateTimeField()
    aktivitas_terakhir_at = serializers.DateTimeField()
    sudah_dibaca = serializers.BooleanField(required=False)
    balasan = BalasanOutput(many=True)

    def get_core_value(self, obj: UmpanBalik) -> str | None:
        return obj.core_value or None


class _Api(TenantScopedApi):
    @property
    def actor(self) -> User:
        return cast(User, self.request.user)


def _thread(instansi: Any, user: Any, pk: int) -> UmpanBalik:
    return selectors._with_unread(UmpanBalik.objects.filter(instansi=instansi, pk=pk), user).get()


# ---------------------------------------------------------------- umpan balik


class UmpanBalikListCreateApi(_Api):
    """GET: threads the caller received or gave (``?arah=diterima|diberikan``, ``?skp=``, ``?periode=``).
    POST (contract): give feedback → 201."""

    class FilterSerializer(serializers.Serializer):
        arah = serializers.ChoiceField(choices=["diterima", "diberikan"], required=False, default="diterima")
        skp = serializers.IntegerField(required=False)
        periode = serializers.IntegerField(required=False)

    class InputSerializer(serializers.Serializer):
        skp = serializers.IntegerField()
        rhk = serializers.IntegerField(allow_null=True, required=False, default=None)
        core_value = serializers.CharField(
            allow_null=True, allow_blank=True, required=False, default=None, max_length=64
        )
        periode = serializers.IntegerField()
        isi = serializers.CharField(allow_blank=True, max_length=4000, trim_whitespace=False)
        realisasi = serializers.IntegerField(allow_null=True, required=False, default=None)
        sifat = serializers.ChoiceField(
            choices=SifatUmpanBalik.choices, allow_blank=True, allow_null=True, required=False, default=""
        )
        permintaan = serializers.IntegerField(allow_null=True, required=False, default=None)

    def get_base_queryset(self) -> QuerySet[UmpanBalik]:
        return selectors.umpan_balik_diterima(user=self.actor, instansi=self.instansi)

    @extend_schema(parameters=[FilterSerializer], responses=UmpanBalikOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        v = f.validated_data
        if v["arah"] == "diberikan":
            qs = selectors.umpan_balik_diberikan(user=self.actor, instansi=self.instansi)
        else:
            qs = self.get_queryset()
        if "skp" in v:
            qs = qs.filter(skp_id=v["skp"])
        if "periode" in v:
            qs = qs.filter(periode_id=v["periode"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(UmpanBalikOutput(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: UmpanBalikOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hak = access.umpan_balik_skp_access(
            user=self.actor,
            instansi=self.instansi,
            roles=self.roles,
            skp_id=v["skp"],
        )
        ub = services.umpan_balik_give(
            actor=self.actor,
            skp=hak.skp,
            periode_id=v["periode"],
            isi=v["isi"],
            rhk_id=v["rhk"],
            core_value=v["core_value"],
            realisasi_id=v["realisasi"],
            sifat=v["sifat"],
            permintaan_id=v["permintaan"],
        )
        return Response(
            UmpanBalikOutput(_thread(self.instansi, self.actor, ub.pk)).data, status=status.HTTP_201_CREATED
        )


class UmpanBalikDetailApi(_Api):
    @extend_schema(responses=UmpanBalikOutput)
    def get(self, request: Request, pk: int) -> Response:
        ub = access.umpan_balik_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, umpan_balik_id=pk
        )
        return Response(UmpanBalikOutput(_thread(self.instansi, self.actor, ub.pk)).data)


class UmpanBalikBalasApi(_Api):
    class InputSerializer(serializers.Serializer):
        isi = serializers.CharField(allow_blank=True, max_length=4000)

    @extend_schema(request=InputSerializer, responses={201: UmpanBalikOutput})
    def post(self, request: Request, pk: int) -> Response:
        ub = access.umpan_balik_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, umpan_balik_id=pk
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.umpan_balik_reply(actor=self.actor, umpan_balik=ub, isi=data.validated_data["isi"])
        return Response(
            UmpanBalikOutput(_thread(self.instansi, self.actor, ub.pk)).data, status=status.HTTP_201_CREATED
        )


class UmpanBalikDibacaApi(_Api):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        ub = access.umpan_balik_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, umpan_balik_id=pk
        )
        services.umpan_balik_mark_read(actor=self.actor, umpan_balik=ub)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PermintaanCreateApi(_Api):
    """POST: the SKP owner asks a pegawai (``diminta``) or their non-ASN Pejabat Penilai
    (``diminta_non_asn``, issue #16) for feedback → 201; exactly one of the two."""

    class InputSerializer(serializers.Serializer):
        skp = serializers.IntegerField()
        diminta = serializers.IntegerField(allow_null=True, required=False, default=None)
        diminta_non_asn = serializers.IntegerField(allow_null=True, required=False, default=None)
        periode = serializers.IntegerField()
        pesan = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)
        rhk = serializers.IntegerField(allow_null=True, required=False, default=None)
        core_value = serializers.CharField(
            allow_null=True, allow_blank=True, required=False, default=None, max_length=64
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        skp = serializers.IntegerField(source="skp_id")
        # null when the request is addressed to a non-ASN Pejabat Penilai (issue #16): ``diminta_non_asn``
        diminta = serializers.IntegerField(source="diminta_id", allow_null=True)
        periode = serializers.IntegerField(source="periode_id")
        status = serializers.CharField()
        diminta_non_asn = serializers.IntegerField(source="diminta_non_asn_id", allow_null=True)
        diminta_nama = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hak = access.umpan_balik_skp_access(
            user=self.actor,
            instansi=self.instansi,
            roles=self.roles,
            skp_id=v["skp"],
        )
        if not hak.pemilik:
            raise NotFoundOrForbidden()
        req = services.permintaan_create(
            actor=self.actor,
            skp=hak.skp,
            diminta_id=v["diminta"],
            diminta_non_asn_id=v["diminta_non_asn"],
            periode_id=v["periode"],
            pesan=v["pesan"],
            rhk_id=v["rhk"],
            core_value=v["core_value"],
        )
        return Response(self.OutputSerializer(req).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- notifications


class NotifikasiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    jenis = serializers.CharField()
    judul = serializers.CharField()
    pesan = serializers.CharField()
    tautan = serializers.CharField()
    dibaca_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class NotifikasiListApi(_Api):
    class FilterSerializer(serializers.Serializer):
        belum_dibaca = serializers.BooleanField(required=False, default=False)

    def get_base_queryset(self) -> QuerySet[Notifikasi]:
        return selectors.notifikasi_list(user=self.actor, instansi=self.instansi)

    @extend_schema(parameters=[FilterSerializer], responses=NotifikasiOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = self.get_queryset()
        if f.validated_data["belum_dibaca"]:
            qs = qs.filter(dibaca_at__isnull=True)
        page = self.paginate_queryset(qs)
        response = self.get_paginated_response(NotifikasiOutput(page, many=True).data)
        response.data["belum_dibaca"] = selectors.notifikasi_belum_dibaca_count(
            user=self.actor, instansi=self.instansi
        )
        return response


class NotifikasiDibacaApi(_Api):
    @extend_schema(request=None, responses=NotifikasiOutput)
    def post(self, request: Request, pk: int) -> Response:
        n = access.notifikasi_access(user=self.actor, instansi=self.instansi, notifikasi_id=pk)
        return Response(NotifikasiOutput(services.notifikasi_mark_read(actor=self.actor, notifikasi=n)).data)


# ---------------------------------------------------------------- timeline and team feed


class LinimasaOutput(serializers.Serializer):
    sumber = serializers.CharField(source="t_sumber")
    id = serializers.IntegerField(source="t_id")
    waktu = serializers.DateTimeField(source="t_waktu")
    jenis = serializers.CharField(source="t_jenis")
    ringkasan = serializers.CharField(source="t_ringkasan")
    aktor = serializers.CharField(source="t_aktor", allow_null=True)
    pegawai_id = serializers.IntegerField(source="t_pegawai_id")
    pegawai_nama = serializers.CharField(source="t_pegawai_nama")
    objek_tipe = serializers.CharField(source="t_objek_tipe")
    objek_id = serializers.IntegerField(source="t_objek_id", allow_null=True)


class LinimasaApi(_Api):
    @extend_schema(responses=LinimasaOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        p = access.pegawai_linimasa_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, pegawai_id=pk
        )
        page = self.paginate_queryset(selectors.linimasa_pegawai(instansi=self.instansi, pegawai=p))
        return self.get_paginated_response(LinimasaOutput(page, many=True).data)


class FeedTimApi(_Api):
    required_roles = ("pejabat_penilai",)

    @extend_schema(responses=LinimasaOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.feed_tim(user=self.actor, instansi=self.instansi))
        return self.get_paginated_response(LinimasaOutput(page, many=True).data)


class UmpanBalikCountsApi(_Api):
    """Leader/admin helper: counts per appraised pegawai for a periode (the same selector evaluasi uses)."""

    required_roles = ("pejabat_penilai",)

    class FilterSerializer(serializers.Serializer):
        periode = serializers.IntegerField()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=inline_serializer(
            "UmpanBalikCounts", {"counts": serializers.DictField(child=serializers.IntegerField())}
        ),
    )
    def get(self, request: Request) -> Response:
        from kinerja.models import Periode
        from kinerja.selectors.people import pegawai_dinilai_oleh

        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        periode = Periode.objects.filter(instansi=self.instansi, pk=f.validated_data["periode"]).first()
        if periode is None:
            raise NotFoundOrForbidden()
        ids = list(pegawai_dinilai_oleh(user=self.actor, instansi=self.instansi).values_list("pk", flat=True))
        counts = selectors.umpan_balik_counts(
            instansi=self.instansi, pegawai_ids=ids, mulai=periode.mulai, selesai=periode.selesai
        )
        return Response({"counts": {str(k): v for k, v in counts.items()}})


# ---------------------------------------------------------------- the rest of the feedback and notification pages


class UmpanBalikBacaSemuaApi(_Api):
    """POST: mark every unread thread of an SKP read for the caller → ``{"ditandai": n}`` (twin of
    ``dialog:umpan-balik-baca-semua``)."""

    @extend_schema(
        request=None, responses=inline_serializer("Ditandai", {"ditandai": serializers.IntegerField()})
    )
    def post(self, request: Request, pk: int) -> Response:
        hak = access.umpan_balik_skp_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, skp_id=pk
        )
        threads = list(
            selectors.umpan_balik_threads(skp=hak.skp, viewer=self.actor, lihat_semua=hak.lihat_semua)
        )
        n = services.umpan_balik_mark_all_read(
            actor=self.actor, threads=[t for t in threads if not getattr(t, "sudah_dibaca", True)]
        )
        return Response({"ditandai": n})


class PermintaanBatalApi(_Api):
    """POST: the one who asked withdraws a request for feedback not yet answered (409 otherwise); twin of
    ``dialog:permintaan-batal``."""

    @extend_schema(request=None, responses=PermintaanCreateApi.OutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        req = access.permintaan_access(user=self.actor, instansi=self.instansi, permintaan_id=pk)
        services.permintaan_cancel(actor=self.actor, permintaan=req)
        req.refresh_from_db()
        return Response(PermintaanCreateApi.OutputSerializer(req).data)


class NotifikasiBacaSemuaApi(_Api):
    """POST: mark all of the caller's notifications read → ``{"ditandai": n}``."""

    @extend_schema(
        request=None,
        responses=inline_serializer("NotifikasiDitandai", {"ditandai": serializers.IntegerField()}),
    )
    def post(self, request: Request) -> Response:
        return Response(
            {"ditandai": services.notifikasi_mark_all_read(actor=self.actor, instansi=self.instansi)}
        )


class PreferensiApi(_Api):
    """GET / PUT ``{"mode_email": "segera"|"harian"|"mati"}``: the caller's email preference (twin of
    ``dialog:preferensi``)."""

    class Serializer(serializers.Serializer):
        mode_email = serializers.ChoiceField(choices=ModeEmail.choices)

    def _current(self) -> str:
        p = PreferensiNotifikasi.objects.filter(instansi=self.instansi, user=self.actor).first()
        return p.mode_email if p is not None else ModeEmail.SEGERA

    @extend_schema(responses=Serializer)
    def get(self, request: Request) -> Response:
        return Response({"mode_email": self._current()})

    @extend_schema(request=Serializer, responses=Serializer)
    def put(self, request: Request) -> Response:
        data = self.Serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferensi_set(
            actor=self.actor, instansi=self.instansi, mode_email=data.validated_data["mode_email"]
        )
        return Response({"mode_email": self._current()})
