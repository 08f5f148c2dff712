"""Penugasan API (api-contract.md §7; domain.md §2.2 and "Penugasan across instansi").

API twins of the penugasan pages: propose to a pegawai (to their Pejabat Penilai first) or open a call
for volunteers, volunteer, accept / reject (the Pejabat Penilai), withdraw (the assigner); across
instansi: propose to a pegawai of another instansi by its code and the NIP, decided by that pegawai's
Pejabat Penilai (``dialog.services.penugasan_lintas``, the only cross-tenant switch), then time-bound feedback.
Same services and access rules as the pages: a record of another instansi is always 404."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dialog import access, selectors, services
from dialog.models import Penugasan, PenugasanKeluar, PenugasanLintas, StatusLintas, StatusPenugasan
from dialog.services.penugasan_lintas import (
    boleh_usul_lintas,
    penugasan_keluar_cancel,
    penugasan_lintas_decide,
    penugasan_lintas_propose,
    pesan_bukan_pimpinan,
    umpan_balik_lintas_give,
)
from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden, ReadOnly
from kinerja.models import Pegawai
from kinerja.tenancy import pegawai_of
from skp.models import Aspek, JenisRhk


class IndikatorPenugasanInput(serializers.Serializer):
    aspek = serializers.ChoiceField(choices=Aspek.choices)
    iki = serializers.CharField(max_length=4000)
    target = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")


class PenugasanOrang(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()


class PenugasanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StatusPenugasan.choices)
    pemberi = PenugasanOrang()
    pegawai = PenugasanOrang(allow_null=True)
    penilai = PenugasanOrang(allow_null=True)
    lowongan = serializers.IntegerField(source="lowongan_id", allow_null=True)
    sukarela = serializers.BooleanField()
    hasil_kerja = serializers.CharField()
    indikator = serializers.JSONField()
    mulai = serializers.DateField()
    selesai = serializers.DateField()
    pesan = serializers.CharField()
    catatan_keputusan = serializers.CharField()
    diputuskan_at = serializers.DateTimeField(allow_null=True)
    skp = serializers.IntegerField(source="skp_id", allow_null=True)
    rhk = serializers.IntegerField(source="rhk_id", allow_null=True)
    created_at = serializers.DateTimeField()


class PenugasanInput(serializers.Serializer):
    terbuka = serializers.BooleanField(
        required=False, default=False, help_text="true: terbuka untuk relawan (tanpa pegawai)."
    )
    pegawai = serializers.IntegerField(required=False, allow_null=True, default=None)
    hasil_kerja = serializers.CharField(max_length=4000)
    indikator = serializers.ListField(child=IndikatorPenugasanInput(), allow_empty=False, max_length=4)
    mulai = serializers.DateField()
    selesai = serializers.DateField()
    pesan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class _PenugasanApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[Penugasan]:
        return selectors.penugasan_visible_to(user=self.actor, instansi=self.instansi, roles=self.roles)

    def penugasan(self, pk: Any) -> Penugasan:
        return access.penugasan_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, penugasan_id=pk
        )

    def out(self, p: Penugasan, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=p.pk).first() or p
        return Response(PenugasanOutput(fresh).data, status=code)


class PenugasanListCreateApi(_PenugasanApi):
    """GET ``?daftar=saya|diberikan|diputuskan|terbuka`` (default: everything the caller may open).
    POST: propose work to a pegawai of this instansi (to their Pejabat Penilai; accepted at once when the
    caller is that Pejabat Penilai) or, with ``"terbuka": true``, open a call for volunteers → 201."""

    class FilterSerializer(serializers.Serializer):
        daftar = serializers.ChoiceField(
            choices=["saya", "diberikan", "diputuskan", "terbuka"], required=False
        )
        status = serializers.ChoiceField(choices=StatusPenugasan.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PenugasanOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        daftar = f.validated_data.get("daftar")
        u, i = self.actor, self.instansi
        qs = {
            "saya": lambda: selectors.penugasan_saya(user=u, instansi=i),
            "diberikan": lambda: selectors.penugasan_diberikan(user=u, instansi=i),
            "diputuskan": lambda: selectors.penugasan_untuk_diputuskan(user=u, instansi=i),
            "terbuka": lambda: selectors.penugasan_terbuka(instansi=i),
        }.get(daftar or "", lambda: self.get_queryset().order_by("-created_at", "-id"))()
        if "status" in f.validated_data:
            qs = qs.filter(status=f.validated_data["status"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PenugasanOutput(page, many=True).data)

    @extend_schema(
        request=PenugasanInput,
        responses={201: PenugasanOutput},
        examples=[
            OpenApiExample(
                "Penugasan",
                value={
                    "pegawai": 7,
                    "hasil_kerja": "Tersusunnya kajian perencanaan lintas bidang",
                    "indikator": [{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
                    "mulai": "2026-05-01",
                    "selesai": "2026-06-30",
                    "pesan": "Mohon persetujuan",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = PenugasanInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        args: dict[str, Any] = {
            "actor": self.actor,
            "hasil_kerja": v["hasil_kerja"],
            "indikator": [dict(x) for x in v["indikator"]],
            "mulai": v["mulai"],
            "selesai": v["selesai"],
            "pesan": v["pesan"],
        }
        if pegawai_of(self.actor) is None:  # a login without a pegawai row assigns nothing
            raise ApplicationError(_("Hanya pegawai yang dapat memberi penugasan."))
        if v["terbuka"]:
            p = services.penugasan_open(**args)
        else:
            pegawai = (
                Pegawai.objects.filter(instansi=self.instansi, aktif=True, pk=v["pegawai"]).first()
                if v["pegawai"] is not None
                else None
            )
            if pegawai is None:
                raise ApplicationError(
                    _("Penugasan belum terkirim."),
                    errors={"pegawai": [_("Pilih pegawai aktif di instansi Anda.")]},
                )
            p = services.penugasan_propose(pegawai=pegawai, **args)
        return self.out(p, status.HTTP_201_CREATED)


class PenugasanDetailApi(_PenugasanApi):
    @extend_schema(responses=PenugasanOutput)
    def get(self, request: Request, pk: int) -> Response:
        return self.out(self.penugasan(pk))


class PenugasanTerimaApi(_PenugasanApi):
    """POST: the pegawai's Pejabat Penilai accepts (the work becomes a hasil kerja of the SKP; 409 when
    already decided). Twin of ``dialog:penugasan-terima``."""

    class InputSerializer(serializers.Serializer):
        jenis = serializers.ChoiceField(choices=JenisRhk.choices, required=False, default=JenisRhk.TAMBAHAN)
        catatan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses=PenugasanOutput,
        examples=[
            OpenApiExample(
                "Terima sebagai hasil kerja tambahan",
                request_only=True,
                value={"jenis": "tambahan", "catatan": "Sesuai beban kerja triwulan ini."},
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        p = self.penugasan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        p = services.penugasan_accept(actor=self.actor, penugasan=p, **data.validated_data)
        return self.out(p)


class PenugasanTolakApi(_PenugasanApi):
    """POST ``{"catatan"}`` (required): the Pejabat Penilai declines. Twin of ``dialog:penugasan-tolak``."""

    class InputSerializer(serializers.Serializer):
        catatan = serializers.CharField(max_length=4000)

    @extend_schema(
        request=InputSerializer,
        responses=PenugasanOutput,
        examples=[
            OpenApiExample(
                "Tolak",
                request_only=True,
                value={"catatan": "Beban kerja pegawai sudah penuh sampai akhir triwulan."},
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        p = self.penugasan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.out(services.penugasan_reject(actor=self.actor, penugasan=p, **data.validated_data))


class PenugasanBatalApi(_PenugasanApi):
    """POST: the assigner withdraws a pending proposal or closes an open call (409 once decided)."""

    @extend_schema(request=None, responses=PenugasanOutput)
    def post(self, request: Request, pk: int) -> Response:
        return self.out(services.penugasan_cancel(actor=self.actor, penugasan=self.penugasan(pk)))


class PenugasanRelawanApi(_PenugasanApi):
    """POST ``{"pesan"}``: volunteer for an open call → 201 the caller's own proposal (to their own
    Pejabat Penilai). Twin of ``dialog:penugasan-relawan``."""

    class InputSerializer(serializers.Serializer):
        pesan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={201: PenugasanOutput},
        examples=[
            OpenApiExample(
                "Mengajukan diri",
                request_only=True,
                value={"pesan": "Saya pernah menyusun SOP serupa di bidang umum."},
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        p = self.penugasan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mine = services.penugasan_volunteer(actor=self.actor, lowongan=p, pesan=data.validated_data["pesan"])
        return self.out(mine, status.HTTP_201_CREATED)


# ---------------------------------------------------------------- across instansi


class PenugasanLintasOutput(serializers.Serializer):
    """The receiving instansi's record (the assigner by value: no link into their instansi)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StatusLintas.choices)
    pegawai = PenugasanOrang()
    penilai = serializers.IntegerField(source="penilai_id")
    pemberi_instansi = serializers.CharField(source="pemberi_instansi.nama")
    pemberi_nip = serializers.CharField()
    pemberi_nama = serializers.CharField()
    pemberi_jabatan = serializers.CharField()
    hasil_kerja = serializers.CharField()
    indikator = serializers.JSONField()
    mulai = serializers.DateField()
    selesai = serializers.DateField()
    pesan = serializers.CharField()
    catatan_keputusan = serializers.CharField()
    diputuskan_at = serializers.DateTimeField(allow_null=True)
    skp = serializers.IntegerField(source="skp_id", allow_null=True)
    rhk = serializers.IntegerField(source="rhk_id", allow_null=True)


class PenugasanKeluarOutput(serializers.Serializer):
    """The assigner's own record (the target by the NIP typed; the decision mirrored back)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StatusLintas.choices)
    tujuan_instansi = serializers.CharField(source="tujuan_instansi.kode")
    tujuan_nip = serializers.CharField()
    hasil_kerja = serializers.CharField()
    indikator = serializers.JSONField()
    mulai = serializers.DateField()
    selesai = serializers.DateField()
    catatan_keputusan = serializers.CharField()
    diputuskan_at = serializers.DateTimeField(allow_null=True)
    umpan_balik_terkirim = serializers.IntegerField()
    berlaku = serializers.SerializerMethodField()

    def get_berlaku(self, obj: PenugasanKeluar) -> bool:
        """Feedback may be given now (accepted, and today within mulai..selesai)."""
        return bool(obj.berlaku(timezone.localdate()))


def _keluar_out(obj: PenugasanKeluar) -> dict[str, Any]:
    return dict(PenugasanKeluarOutput(obj).data)


class PenugasanKeluarListCreateApi(TenantScopedApi):
    """GET: the caller's penugasan sent to other instansi. POST: propose work to a pegawai of another
    instansi (``instansi`` = its code, ``nip``) → 201 the caller's record; the proposal goes to that
    pegawai's Pejabat Penilai. Leaders only (Pejabat Penilai or jabatan struktural; else 403). An
    unknown code or NIP → 400 (one message whether the NIP is unknown, not active or has no Pejabat
    Penilai). Per user at most ``KINERJA_LINTAS_PER_JAM``/``KINERJA_LINTAS_PER_HARI`` attempts (failed
    lookups included), then 429 with ``Retry-After``, as on the page."""

    class InputSerializer(serializers.Serializer):
        instansi = serializers.CharField(max_length=32)
        nip = serializers.CharField(max_length=32)
        hasil_kerja = serializers.CharField(max_length=4000)
        indikator = serializers.ListField(child=IndikatorPenugasanInput(), allow_empty=False, max_length=4)
        mulai = serializers.DateField()
        selesai = serializers.DateField()
        pesan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")

    def get_base_queryset(self) -> QuerySet[PenugasanKeluar]:
        return selectors.penugasan_keluar_saya(user=self.actor, instansi=self.instansi)

    @extend_schema(responses=PenugasanKeluarOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_keluar_out(p) for p in page or []])

    @extend_schema(
        request=InputSerializer,
        responses={201: PenugasanKeluarOutput},
        examples=[
            OpenApiExample(
                "Lintas instansi",
                value={
                    "instansi": "BAPPEDA",
                    "nip": "198001012006041001",
                    "hasil_kerja": "Tersusunnya kajian bersama",
                    "indikator": [{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
                    "mulai": "2026-05-01",
                    "selesai": "2026-06-30",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        if not boleh_usul_lintas(user=self.actor, own=pegawai_of(self.actor), roles=self.roles):
            raise ReadOnly(
                pesan_bukan_pimpinan()
            )  # 403 before the body is read, as the page's form is hidden
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        keluar = penugasan_lintas_propose(
            actor=self.actor,
            instansi_kode=v["instansi"],
            nip=v["nip"],
            hasil_kerja=v["hasil_kerja"],
            indikator=[dict(x) for x in v["indikator"]],
            mulai=v["mulai"],
            selesai=v["selesai"],
            pesan=v["pesan"],
        )
        keluar = PenugasanKeluar.objects.select_related("tujuan_instansi").get(pk=keluar.pk)
        return Response(_keluar_out(keluar), status=status.HTTP_201_CREATED)


class _KeluarApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[PenugasanKeluar]:
        return selectors.penugasan_keluar_saya(user=self.actor, instansi=self.instansi)

    def keluar(self, pk: Any, *, tulis: bool = False) -> PenugasanKeluar:
        """The record; for a write only the assigner (admins read; anyone else 404), as on the page."""
        keluar = access.penugasan_keluar_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, penugasan_id=pk
        )
        own = pegawai_of(self.actor)
        if tulis and (own is None or own.pk != keluar.pemberi_id):
            raise NotFoundOrForbidden()
        return keluar


class PenugasanKeluarDetailApi(_KeluarApi):
    @extend_schema(responses=PenugasanKeluarOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_keluar_out(self.keluar(pk)))


class PenugasanKeluarBatalApi(_KeluarApi):
    """POST: the assigner withdraws an undecided proposal (both records ``dibatalkan``; 409 once decided)."""

    @extend_schema(request=None, responses=PenugasanKeluarOutput)
    def post(self, request: Request, pk: int) -> Response:
        keluar = penugasan_keluar_cancel(actor=self.actor, keluar=self.keluar(pk, tulis=True))
        return Response(_keluar_out(keluar))


class PenugasanKeluarUmpanBalikApi(_KeluarApi):
    """POST ``{"isi"}``: the assigner's feedback while the accepted assignment runs (409 outside it)."""

    class InputSerializer(serializers.Serializer):
        isi = serializers.CharField(max_length=4000)

    @extend_schema(
        request=InputSerializer,
        responses={201: PenugasanKeluarOutput},
        examples=[
            OpenApiExample(
                "Umpan balik pemberi penugasan",
                request_only=True,
                value={"isi": "Kerangka kajian sudah tepat; lengkapi data pembanding."},
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        keluar = self.keluar(pk, tulis=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keluar = umpan_balik_lintas_give(actor=self.actor, keluar=keluar, isi=data.validated_data["isi"])
        return Response(_keluar_out(keluar), status=status.HTTP_201_CREATED)


class _LintasApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[PenugasanLintas]:
        return selectors.penugasan_lintas_untuk(user=self.actor, instansi=self.instansi)

    def masuk(self, pk: Any) -> PenugasanLintas:
        return access.penugasan_lintas_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, penugasan_id=pk
        )


class PenugasanLintasListApi(_LintasApi):
    """GET: penugasan from other instansi to decide (as Pejabat Penilai) or received (as pegawai)."""

    @extend_schema(responses=PenugasanLintasOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PenugasanLintasOutput(page, many=True).data)


class PenugasanLintasDetailApi(_LintasApi):
    @extend_schema(responses=PenugasanLintasOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PenugasanLintasOutput(self.masuk(pk)).data)


class PenugasanLintasPutuskanApi(_LintasApi):
    """POST ``{"keputusan": "terima"|"tolak", "catatan", "jenis"}``: the receiving pegawai's Pejabat
    Penilai decides (a reason is required to decline; 409 once decided). Twin of the POST of
    ``dialog:penugasan-lintas-detail``."""

    class InputSerializer(serializers.Serializer):
        keputusan = serializers.ChoiceField(choices=["terima", "tolak"])
        catatan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
        jenis = serializers.ChoiceField(choices=JenisRhk.choices, required=False, default=JenisRhk.TAMBAHAN)

    @extend_schema(
        request=InputSerializer,
        responses=PenugasanLintasOutput,
        examples=[
            OpenApiExample("Terima", value={"keputusan": "terima", "catatan": "Silakan"}, request_only=True)
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        p = self.masuk(pk)
        own = pegawai_of(self.actor)
        if own is None or not (
            own.pk == p.penilai_id or selectors.is_pimpinan_of(user=self.actor, pegawai=p.pegawai)
        ):
            raise NotFoundOrForbidden()  # only the receiving pegawai's Pejabat Penilai decides, as on the page
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        p = penugasan_lintas_decide(
            actor=self.actor,
            penugasan=p,
            terima=v["keputusan"] == "terima",
            catatan=v["catatan"],
            jenis=v["jenis"],
        )
        return Response(PenugasanLintasOutput(self.masuk(p.pk)).data)
