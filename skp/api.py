"""SKP REST API (api-contract.md §3). One class per operation; thin: parse → access → service → serialize."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from skp import services
from skp.access import rhk_access, skp_access, tim_matriks_access
from skp.models import Aspek, CascadingTipe, JenisRhk, Pendekatan, Rhk, Skp, SkpStatus
from skp.selectors import (
    matriks_peran_hasil,
    rhk_pimpinan_choices,
    skp_detail_queryset,
    skp_inbox,
    skp_list,
    skp_riwayat,
)

# ---------------------------------------------------------------- output


class PegawaiIdentitasOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()
    pangkat_golongan = serializers.CharField()
    jabatan = serializers.CharField(source="jabatan.nama")
    jenis_jabatan = serializers.CharField(source="jabatan.jenis")
    unit_kerja = serializers.CharField(source="unit_kerja.nama")


def penilai_output(obj: Any) -> dict[str, Any] | None:
    """The ``pejabat_penilai`` of an SKP or evaluation: a pegawai (its identity fields), or a non-ASN
    official (issue #16: ``id`` and ``nip`` null, its nama and jabatan, ``status_penilai`` "NON ASN").
    Reads only what the selector loaded."""
    if obj.pejabat_penilai_id is not None:
        data = dict(PegawaiIdentitasOutput(obj.pejabat_penilai).data)
        data["status_penilai"] = "ASN"
        return data
    official = obj.pejabat_penilai_non_asn if obj.pejabat_penilai_non_asn_id is not None else None
    if official is None:
        return None
    return {
        "id": None,
        "non_asn_id": official.pk,
        "nip": None,
        "nama": official.nama,
        "pangkat_golongan": "",
        "jabatan": official.jabatan,
        "jenis_jabatan": "",
        "unit_kerja": "",
        "status_penilai": "NON ASN",
    }


class IndikatorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    aspek = serializers.CharField()
    iki = serializers.CharField()
    target = serializers.CharField()


class RhkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    jenis = serializers.CharField()
    rencana_hasil_kerja = serializers.CharField()
    rhk_pimpinan = serializers.IntegerField(source="rhk_pimpinan_id", allow_null=True)
    rhk_pimpinan_teks = serializers.SerializerMethodField()
    tim_kerja = serializers.IntegerField(source="tim_kerja_id", allow_null=True)
    tim_kerja_teks = serializers.SerializerMethodField()
    indikator_pk = serializers.IntegerField(source="indikator_pk_id", allow_null=True)
    indikator_pk_detail = serializers.JSONField(source="indikator_pk_tampil", allow_null=True, read_only=True)
    cascading_tipe = serializers.CharField()
    perspektif = serializers.CharField()
    penugasan_dari = serializers.CharField()
    indikator = IndikatorOutput(many=True)

    def get_rhk_pimpinan_teks(self, obj: Rhk) -> str | None:
        # The approval snapshot once approved (the leader may have reworded since), else the live
        # text (select_related); None when not linked.
        return obj.rhk_pimpinan_tampil or None

    def get_tim_kerja_teks(self, obj: Rhk) -> str | None:
        # "Tim: <nama> (ketua <nama>)" when the result supports a ketua tim's result (frozen at
        # approval, else live with ``tim_kerja__ketua`` select_related); None for the structural leader.
        return obj.tim_kerja_tampil or None


class PerilakuOutput(serializers.Serializer):
    core_value = serializers.CharField()
    ekspektasi_khusus = serializers.CharField()


class SkpDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    tahun = serializers.IntegerField()
    pegawai = PegawaiIdentitasOutput()
    pejabat_penilai = serializers.SerializerMethodField()
    pendekatan = serializers.CharField()
    periode_mulai = serializers.DateField()
    periode_selesai = serializers.DateField()
    tugas_belajar = serializers.BooleanField()
    rhk = RhkOutput(many=True)
    perilaku = PerilakuOutput(many=True)
    lampiran = serializers.SerializerMethodField()
    versi = serializers.IntegerField()
    revisi = serializers.IntegerField()
    revisi_dari = serializers.IntegerField(source="revisi_dari_id", allow_null=True)
    catatan_pengembalian = serializers.CharField()
    diajukan_at = serializers.DateTimeField(allow_null=True)
    disetujui_at = serializers.DateTimeField(allow_null=True)
    snapshot_pegawai = serializers.JSONField(allow_null=True)
    snapshot_penilai = serializers.JSONField(allow_null=True)
    snapshot_instansi = serializers.JSONField(allow_null=True)

    def get_pejabat_penilai(self, obj: Skp) -> dict[str, Any] | None:
        return penilai_output(obj)

    def get_lampiran(self, obj: Skp) -> dict[str, list[str]]:
        return {
            "dukungan_sumber_daya": obj.dukungan_sumber_daya,
            "skema_pertanggungjawaban": obj.skema_pertanggungjawaban,
            "konsekuensi": obj.konsekuensi,
        }


class SkpListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    tahun = serializers.IntegerField()
    pendekatan = serializers.CharField()
    periode_mulai = serializers.DateField()
    periode_selesai = serializers.DateField()
    pegawai = PegawaiIdentitasOutput()
    pejabat_penilai_id = serializers.IntegerField(allow_null=True)
    pejabat_penilai_non_asn_id = serializers.IntegerField(allow_null=True)
    jumlah_rhk = serializers.IntegerField()
    versi = serializers.IntegerField()
    revisi = serializers.IntegerField()


class _SkpApi(TenantScopedApi):
    """Shared plumbing for SKP endpoints."""

    def get_base_queryset(self) -> QuerySet[Skp]:
        return skp_list(user=self.actor, instansi=self.instansi, roles=self.roles)

    def skp(self, skp_id: Any, detail: bool = False) -> Skp:
        return skp_access(
            user=self.actor, instansi=self.instansi, roles=self.roles, skp_id=skp_id, detail=detail
        )

    def detail_response(self, skp_id: int, code: int = status.HTTP_200_OK) -> Response:
        obj = skp_detail_queryset(instansi=self.instansi).get(pk=skp_id)
        return Response(SkpDetailOutput(obj).data, status=code)


# ---------------------------------------------------------------- list / create / detail


class SkpListCreateApi(_SkpApi):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=SkpStatus.choices, required=False)
        tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        pegawai = serializers.IntegerField(required=False)

    class InputSerializer(serializers.Serializer):
        tahun = serializers.IntegerField(min_value=2000, max_value=2100)
        pendekatan = serializers.ChoiceField(choices=Pendekatan.choices, default=Pendekatan.KUANTITATIF)
        periode_mulai = serializers.DateField(required=False)
        periode_selesai = serializers.DateField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=SkpListOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = self.get_queryset()
        for key in ("status", "tahun"):
            if key in f.validated_data:
                qs = qs.filter(**{key: f.validated_data[key]})
        if "pegawai" in f.validated_data:
            qs = qs.filter(pegawai_id=f.validated_data["pegawai"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SkpListOutput(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: SkpDetailOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        skp = services.skp_create_draft(actor=self.actor, **data.validated_data)
        return self.detail_response(skp.pk, status.HTTP_201_CREATED)


class SkpDetailApi(_SkpApi):
    class UpdateSerializer(serializers.Serializer):
        versi = serializers.IntegerField(required=False)
        pendekatan = serializers.ChoiceField(choices=Pendekatan.choices, required=False)
        lampiran = serializers.DictField(
            child=serializers.ListField(
                child=serializers.CharField(max_length=2000, allow_blank=True), max_length=50
            ),
            required=False,
        )

    @extend_schema(responses=SkpDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SkpDetailOutput(self.skp(pk, detail=True)).data)

    @extend_schema(request=UpdateSerializer, responses=SkpDetailOutput)
    def patch(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.skp_update(actor=self.actor, skp=skp, **data.validated_data)
        return self.detail_response(skp.pk)


# ---------------------------------------------------------------- results


class IndikatorInput(serializers.Serializer):
    aspek = serializers.ChoiceField(choices=Aspek.choices)
    iki = serializers.CharField(max_length=2000)
    target = serializers.CharField(max_length=255, allow_blank=True)


class RhkInput(serializers.Serializer):
    jenis = serializers.ChoiceField(choices=JenisRhk.choices)
    rencana_hasil_kerja = serializers.CharField(max_length=2000)
    rhk_pimpinan = serializers.IntegerField(allow_null=True, required=False, default=None)
    indikator_pk = serializers.IntegerField(allow_null=True, required=False, default=None)
    cascading_tipe = serializers.ChoiceField(
        choices=CascadingTipe.choices, required=False, allow_blank=True, default=""
    )
    perspektif = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    indikator = serializers.ListField(child=IndikatorInput(), allow_empty=False, max_length=4)
    versi = serializers.IntegerField(required=False)


class RhkCreateApi(_SkpApi):
    @extend_schema(
        request=RhkInput,
        responses={201: RhkOutput},
        description="``rhk_pimpinan``: an RHK of the structural leader's SKP, or of the ketua tim's SKP of "
        "the same year when the owner is an anggota of that team. ``indikator_pk``: an indikator of the "
        "Perjanjian Kinerja of the owner's unit for that year (a JPT's utama RHK). Another unit's, "
        "year's or instansi's id → 400 with ``errors.indikator_pk`` / ``errors.rhk_pimpinan``.",
        examples=[
            OpenApiExample(
                "Anggota tim dari RHK ketua tim",
                request_only=True,
                value={
                    "jenis": "utama",
                    "rencana_hasil_kerja": "Modul pengaduan daring selesai",
                    "rhk_pimpinan": 812,
                    "indikator": [
                        {"aspek": "kuantitas", "iki": "Jumlah modul yang berjalan", "target": "1 modul"}
                    ],
                },
            ),
            OpenApiExample(
                "JPT dari indikator perjanjian kinerja",
                request_only=True,
                value={
                    "jenis": "utama",
                    "rencana_hasil_kerja": "Meningkatnya kepuasan penerima layanan",
                    "indikator_pk": 77,
                    "indikator": [{"aspek": "kualitas", "iki": "Nilai IKM unit", "target": "85"}],
                },
            ),
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = RhkInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rhk = services.skp_rhk_add(
            actor=self.actor,
            skp=skp,
            jenis=v["jenis"],
            rencana_hasil_kerja=v["rencana_hasil_kerja"],
            rhk_pimpinan_id=v["rhk_pimpinan"],
            indikator_pk_id=v["indikator_pk"],
            cascading_tipe=v["cascading_tipe"],
            perspektif=v["perspektif"],
            indikator=v["indikator"],
            versi=v.get("versi"),
        )
        rhk = (
            Rhk.objects.select_related("rhk_pimpinan", "tim_kerja__ketua", "indikator_pk__sasaran")
            .prefetch_related("indikator")
            .get(pk=rhk.pk)
        )
        return Response(RhkOutput(rhk).data, status=status.HTTP_201_CREATED)


class RhkDetailApi(_SkpApi):
    class PatchSerializer(RhkInput):
        jenis = serializers.ChoiceField(choices=JenisRhk.choices, required=False)
        rencana_hasil_kerja = serializers.CharField(max_length=2000, required=False)
        rhk_pimpinan = serializers.IntegerField(allow_null=True, required=False)
        indikator_pk = serializers.IntegerField(allow_null=True, required=False)
        cascading_tipe = serializers.ChoiceField(
            choices=CascadingTipe.choices, required=False, allow_blank=True
        )
        perspektif = serializers.CharField(max_length=100, required=False, allow_blank=True)
        indikator = serializers.ListField(
            child=IndikatorInput(), allow_empty=False, max_length=4, required=False
        )

    def rhk(self, pk: int) -> Rhk:
        return rhk_access(user=self.actor, instansi=self.instansi, roles=self.roles, rhk_id=pk)

    @extend_schema(
        request=PatchSerializer,
        responses=RhkOutput,
        examples=[
            OpenApiExample(
                "Kaitkan ke indikator PK", request_only=True, value={"indikator_pk": 77, "versi": 3}
            )
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        rhk = self.rhk(pk)
        data = self.PatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        versi = v.pop("versi", None)
        services.skp_rhk_update(actor=self.actor, rhk=rhk, data=v, versi=versi)
        rhk = (
            Rhk.objects.select_related("rhk_pimpinan", "tim_kerja__ketua", "indikator_pk__sasaran")
            .prefetch_related("indikator")
            .get(pk=rhk.pk)
        )
        return Response(RhkOutput(rhk).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        rhk = self.rhk(pk)
        versi = request.query_params.get("versi")
        services.skp_rhk_remove(
            actor=self.actor, rhk=rhk, versi=int(versi) if versi and versi.isdigit() else None
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- workflow


class SkpSubmitApi(_SkpApi):
    @extend_schema(request=None, responses=SkpDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        skp = services.skp_submit(actor=self.actor, skp=self.skp(pk))
        return self.detail_response(skp.pk)


class SkpApproveApi(_SkpApi):
    @extend_schema(request=None, responses=SkpDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        if not services._can_approve(actor=self.actor, skp=skp):
            raise NotFoundOrForbidden()
        services.skp_approve(actor=self.actor, skp=skp)
        return self.detail_response(skp.pk)


class SkpReturnApi(_SkpApi):
    class InputSerializer(serializers.Serializer):
        catatan = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")

    @extend_schema(request=InputSerializer, responses=SkpDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.skp_return(actor=self.actor, skp=skp, catatan=data.validated_data["catatan"])
        return self.detail_response(skp.pk)


class SkpRevisiApi(_SkpApi):
    @extend_schema(request=None, responses={201: SkpDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        new = services.skp_revise(actor=self.actor, skp=self.skp(pk))
        return self.detail_response(new.pk, status.HTTP_201_CREATED)


class SkpSalinApi(_SkpApi):
    class InputSerializer(serializers.Serializer):
        dari = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=SkpDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = self.skp(data.validated_data["dari"])
        services.skp_copy_from_previous(actor=self.actor, skp=skp, source=source)
        return self.detail_response(skp.pk)


class SkpEkspektasiApi(_SkpApi):
    class InputSerializer(serializers.Serializer):
        versi = serializers.IntegerField(required=False)
        ekspektasi = serializers.DictField(child=serializers.CharField(max_length=2000, allow_blank=True))

    @extend_schema(request=InputSerializer, responses=SkpDetailOutput)
    def put(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.skp_ekspektasi_set(
            actor=self.actor,
            skp=skp,
            ekspektasi=data.validated_data["ekspektasi"],
            versi=data.validated_data.get("versi"),
        )
        return self.detail_response(skp.pk)


class SkpInboxApi(_SkpApi):
    @extend_schema(responses=SkpListOutput(many=True))
    def get(self, request: Request) -> Response:
        qs = skp_inbox(user=self.actor, instansi=self.instansi)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SkpListOutput(page, many=True).data)


class SkpBulkApproveApi(_SkpApi):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "BulkApproveOutput",
            {
                "disetujui": serializers.ListField(child=serializers.IntegerField()),
                "gagal": serializers.DictField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inbox = {
            s.pk: s
            for s in skp_inbox(user=self.actor, instansi=self.instansi).filter(
                pk__in=data.validated_data["ids"]
            )
        }
        missing = {
            pk: _("Tidak ditemukan di kotak persetujuan Anda.")
            for pk in data.validated_data["ids"]
            if pk not in inbox
        }
        done, failed = services.skp_approve_bulk(actor=self.actor, skps=list(inbox.values()))
        return Response({"disetujui": [s.pk for s in done], "gagal": {**missing, **failed}})


class RhkPimpinanChoicesApi(_SkpApi):
    pagination_class = None  # a plain list (bounded by the SKP): the schema must say so

    @extend_schema(responses=RhkOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        qs = rhk_pimpinan_choices(skp=skp).select_related(
            "rhk_pimpinan", "tim_kerja__ketua", "indikator_pk__sasaran"
        )
        return Response(RhkOutput(qs, many=True).data)


class SkpRiwayatApi(_SkpApi):
    pagination_class = None  # a plain list (one SKP's history): the schema must say so

    class OutputSerializer(serializers.Serializer):
        dari = serializers.CharField()
        ke = serializers.CharField()
        catatan = serializers.CharField()
        actor = serializers.CharField(source="actor.nama", allow_null=True)
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.OutputSerializer(skp_riwayat(skp=self.skp(pk)), many=True).data)


class MatriksPeranHasilApi(_SkpApi):
    class FilterSerializer(serializers.Serializer):
        tim = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text="Tim kerja led by the SKP's owner in the SKP's year: one `baris` per current anggota "
            "instead of per direct subordinate.",
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=inline_serializer(
            "MatriksOutput",
            {
                "kolom": serializers.ListField(),
                "baris": serializers.ListField(),
                "tidak_didukung": serializers.ListField(child=serializers.IntegerField()),
                "tim": serializers.DictField(allow_null=True),
            },
        ),
        examples=[
            OpenApiExample(
                "Matriks per tim",
                response_only=True,
                value={
                    "kolom": [{"id": 31, "rencana_hasil_kerja": "Aplikasi layanan terpadu berjalan"}],
                    "baris": [
                        {
                            "pegawai": {"id": 7, "nip": "199001012015031001", "nama": "Rina"},
                            "skp": 55,
                            "sel": [[{"id": 90, "rencana_hasil_kerja": "Modul pengaduan selesai"}]],
                        }
                    ],
                    "tidak_didukung": [],
                    "tim": {"id": 3, "nama": "Tim Transformasi Digital", "tahun": 2026},
                },
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        tim = (
            tim_matriks_access(skp=skp, tim_id=f.validated_data["tim"]) if "tim" in f.validated_data else None
        )
        m = matriks_peran_hasil(leader_skp=skp, tahun=skp.tahun, tim=tim)
        return Response(
            {
                "tim": {"id": tim.pk, "nama": tim.nama, "tahun": tim.tahun} if tim else None,
                "kolom": [{"id": c.pk, "rencana_hasil_kerja": c.rencana_hasil_kerja} for c in m["columns"]],
                "baris": [
                    {
                        "pegawai": {
                            "id": r["pegawai"].pk,
                            "nip": r["pegawai"].nip,
                            "nama": r["pegawai"].nama,
                        },
                        "skp": r["skp"].pk if r["skp"] else None,
                        "sel": [
                            [{"id": x.pk, "rencana_hasil_kerja": x.rencana_hasil_kerja} for x in cell]
                            for cell in r["cells"]
                        ],
                    }
                    for r in m["rows"]
                ],
                "tidak_didukung": [c.pk for c in m["uncovered"]],
            }
        )


class SkpDokumenApi(_SkpApi):
    """The signed PDF once approved; 409 before approval; 202 while rendering."""

    @extend_schema(responses={200: None, 202: None, 409: None})
    def get(self, request: Request, pk: int) -> Response:
        skp = self.skp(pk)
        if skp.status not in (SkpStatus.DISETUJUI, SkpStatus.DIGANTI):
            raise InvalidTransition(_("Dokumen SKP tersedia setelah SKP disetujui."))
        from skp.hooks import document_response

        return document_response(skp=skp)  # type: ignore[return-value]  # a FileResponse once ready


class MatriksUsulApi(_SkpApi):
    """POST (the leader, owner of SKP ``{id}``): propose a result into a subordinate's draft SKP linked to
    one of the leader's results (a cell of the Matriks Peran Hasil) → 201 the new result. Twin of
    ``skp:matriks-usul`` (``skp_rhk_add(by_penilai=True)``); a stale ``versi`` → 409."""

    class InputSerializer(serializers.Serializer):
        bawahan_skp = serializers.IntegerField(help_text="SKP (draft) bawahan yang diusulkan hasil kerjanya.")
        kolom = serializers.IntegerField(help_text="RHK pimpinan (kolom matriks) yang diintervensi.")
        rencana_hasil_kerja = serializers.CharField(max_length=2000)
        cascading_tipe = serializers.ChoiceField(
            choices=CascadingTipe.choices, required=False, allow_blank=True, default=""
        )
        indikator = serializers.ListField(child=IndikatorInput(), allow_empty=False, max_length=4)
        versi = serializers.IntegerField(required=False)

    @extend_schema(request=InputSerializer, responses={201: RhkOutput})
    def post(self, request: Request, pk: int) -> Response:
        from kinerja.tenancy import pegawai_of

        leader_skp = self.skp(pk)
        own = pegawai_of(self.actor)
        if own is None or own.pk != leader_skp.pegawai_id:
            raise NotFoundOrForbidden()  # only the owner of the leader's SKP proposes from its matrix
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sub = self.skp(v["bawahan_skp"])
        kolom = rhk_access(user=self.actor, instansi=self.instansi, roles=self.roles, rhk_id=v["kolom"])
        if sub.pk == leader_skp.pk:
            raise NotFoundOrForbidden()
        if kolom.skp_id != leader_skp.pk:
            raise ApplicationError(
                _("Data tidak valid."), errors={"kolom": [_("Pilih hasil kerja dari SKP Anda sendiri.")]}
            )
        rhk = services.skp_rhk_add(
            actor=self.actor,
            skp=sub,
            jenis=JenisRhk.UTAMA,
            rencana_hasil_kerja=v["rencana_hasil_kerja"],
            indikator=v["indikator"],
            rhk_pimpinan_id=kolom.pk,
            cascading_tipe=v["cascading_tipe"],
            versi=v.get("versi"),
            by_penilai=True,
        )
        rhk = Rhk.objects.select_related("rhk_pimpinan").prefetch_related("indikator").get(pk=rhk.pk)
        return Response(RhkOutput(rhk).data, status=status.HTTP_201_CREATED)
