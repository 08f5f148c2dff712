"""Dialog records API (api-contract.md §7 "dialog records"): dialog kinerja, bimbingan and konseling
with their follow-ups, Format B.1.8 (the pegawai's feedback on a bimbingan) and Format B.1.9 (the
leader's competence evaluation after a bimbingan, issue #17).

API twins of ``dialog:catatan-baru``, ``-tindak-lanjut-tambah``, ``-tindak-lanjut-status``,
``-bimbingan-b18`` and ``-bimbingan-b19``: the same services and access rules (the pegawai, their
leader and admins see a record; anyone else and another instansi: 404)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dialog import access, selectors, services
from dialog.models import CatatanKinerja, JawabanB18, JenisCatatan, StatusTindakLanjut, TindakLanjut
from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from skp.models import Skp

# ---------------------------------------------------------------- output


class CatatanOrang(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    nama = serializers.CharField()


class TindakLanjutOutput(serializers.Serializer):
    id = serializers.IntegerField()
    uraian = serializers.CharField()
    tenggat = serializers.DateField()
    status = serializers.ChoiceField(choices=StatusTindakLanjut.choices)
    selesai_at = serializers.DateTimeField(allow_null=True)
    dibawa_dari = serializers.IntegerField(source="dibawa_dari_id", allow_null=True)


class CatatanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    jenis = serializers.ChoiceField(choices=JenisCatatan.choices)
    pegawai = CatatanOrang()
    pimpinan = CatatanOrang(allow_null=True)
    skp = serializers.IntegerField(source="skp_id", allow_null=True)
    periode = serializers.IntegerField(source="periode_id", allow_null=True)
    tanggal = serializers.DateField()
    agenda = serializers.CharField()
    catatan = serializers.CharField()
    b18_diisi_at = serializers.DateTimeField(allow_null=True)
    b19_diisi_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class JawabanB18Output(serializers.Serializer):
    pernyataan = serializers.IntegerField()
    jawaban = serializers.CharField()
    keterangan = serializers.CharField()


class PenilaianB19Output(serializers.Serializer):
    kompetensi = serializers.IntegerField()
    nilai = serializers.IntegerField()
    alasan = serializers.CharField()


class CatatanDetailOutput(CatatanOutput):
    tindak_lanjut = TindakLanjutOutput(many=True)
    b18 = JawabanB18Output(many=True)
    b19 = PenilaianB19Output(many=True)


def _detail(rec: CatatanKinerja) -> dict[str, Any]:
    d = selectors.catatan_detail(catatan=rec)
    out = dict(CatatanOutput(rec).data)
    out["tindak_lanjut"] = TindakLanjutOutput(d["tindak_lanjut"], many=True).data
    out["b18"] = [
        {"pernyataan": j.pernyataan_id, "jawaban": j.jawaban, "keterangan": j.keterangan}
        for j in d["jawaban"].values()
    ]
    out["b19"] = [
        {"kompetensi": n.kompetensi_id, "nilai": n.nilai, "alasan": n.alasan}
        for n in d["penilaian_b19"].values()
    ]
    return out


class _CatatanApi(TenantScopedApi):
    def get_base_queryset(self) -> QuerySet[CatatanKinerja]:
        return selectors.catatan_visible_to(user=self.actor, instansi=self.instansi, roles=self.roles)

    def catatan(self, pk: Any) -> CatatanKinerja:
        return access.catatan_access(user=self.actor, instansi=self.instansi, roles=self.roles, catatan_id=pk)

    def detail_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(_detail(self.catatan(pk)), status=code)


# ---------------------------------------------------------------- records


class TindakLanjutInput(serializers.Serializer):
    uraian = serializers.CharField(max_length=4000)
    tenggat = serializers.DateField()


class CatatanListCreateApi(_CatatanApi):
    """GET: records the caller may see (``?pegawai=``, ``?jenis=``). POST: record a dialog (leader or the
    pegawai themself), bimbingan or konseling (leader only) → 201; open follow-ups of earlier records are
    carried over (twin of ``dialog:catatan-baru``)."""

    class FilterSerializer(serializers.Serializer):
        pegawai = serializers.IntegerField(required=False)
        jenis = serializers.ChoiceField(choices=JenisCatatan.choices, required=False)

    class InputSerializer(serializers.Serializer):
        jenis = serializers.ChoiceField(choices=JenisCatatan.choices)
        pegawai = serializers.IntegerField(help_text="Pegawai yang dibina (atau diri sendiri untuk dialog).")
        tanggal = serializers.DateField()
        agenda = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
        catatan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
        periode = serializers.IntegerField(required=False, allow_null=True, default=None)
        skp = serializers.IntegerField(required=False, allow_null=True, default=None)
        tindak_lanjut = serializers.ListField(
            child=TindakLanjutInput(), required=False, default=list, max_length=20
        )

    @extend_schema(parameters=[FilterSerializer], responses=CatatanOutput(many=True))
    def get(self, request: Request) -> Response:
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = selectors.catatan_list(
            user=self.actor, instansi=self.instansi, roles=self.roles, jenis=f.validated_data.get("jenis", "")
        )
        if "pegawai" in f.validated_data:
            qs = qs.filter(pegawai_id=f.validated_data["pegawai"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CatatanOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: CatatanDetailOutput},
        examples=[
            OpenApiExample(
                "Bimbingan",
                value={
                    "jenis": "bimbingan_kinerja",
                    "pegawai": 7,
                    "tanggal": "2026-05-14",
                    "agenda": "Kendala penyusunan SOP",
                    "catatan": "Disepakati pendampingan mingguan",
                    "tindak_lanjut": [{"uraian": "Draf SOP ke Kabid", "tenggat": "2026-05-29"}],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pegawai = access.pegawai_catatan_target(
            user=self.actor, instansi=self.instansi, pegawai_id=v["pegawai"]
        )
        skp = None
        if v["skp"] is not None:
            skp = Skp.objects.filter(instansi=self.instansi, pk=v["skp"], pegawai=pegawai).first()
            if skp is None:
                raise ApplicationError(
                    _("Data tidak valid."), errors={"skp": [_("SKP ini bukan milik pegawai tersebut.")]}
                )
        rec = services.catatan_create(
            actor=self.actor,
            jenis=v["jenis"],
            pegawai=pegawai,
            tanggal=v["tanggal"],
            agenda=v["agenda"],
            catatan=v["catatan"],
            skp=skp,
            periode_id=v["periode"],
            tindak_lanjut=[dict(t) for t in v["tindak_lanjut"]],
        )
        return self.detail_response(rec.pk, status.HTTP_201_CREATED)


class CatatanDetailApi(_CatatanApi):
    @extend_schema(responses=CatatanDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        return self.detail_response(pk)


class TindakLanjutCreateApi(_CatatanApi):
    """POST: a participant adds a follow-up to a record → 201 (twin of ``dialog:tindak-lanjut-tambah``)."""

    @extend_schema(
        request=TindakLanjutInput,
        responses={201: TindakLanjutOutput},
        examples=[
            OpenApiExample("Tindak lanjut", value={"uraian": "Ikut diklat SOP", "tenggat": "2026-06-30"})
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        rec = self.catatan(pk)
        data = TindakLanjutInput(data=request.data)
        data.is_valid(raise_exception=True)
        t = services.tindak_lanjut_add(actor=self.actor, catatan=rec, **data.validated_data)
        return Response(TindakLanjutOutput(t).data, status=status.HTTP_201_CREATED)


class TindakLanjutStatusApi(_CatatanApi):
    """POST ``{"selesai": true|false}``: mark a follow-up done or open again (409 once carried over)."""

    class InputSerializer(serializers.Serializer):
        selesai = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=TindakLanjutOutput)
    def post(self, request: Request, pk: int) -> Response:
        t = TindakLanjut.objects.filter(instansi=self.instansi, pk=pk).first()
        if t is None:
            raise NotFoundOrForbidden()
        self.catatan(t.catatan_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        t = services.tindak_lanjut_set_status(
            actor=self.actor, tindak_lanjut=t, selesai=data.validated_data["selesai"]
        )
        return Response(TindakLanjutOutput(t).data)


# ---------------------------------------------------------------- B.1.8 / B.1.9


def _rename_errors(exc: ApplicationError, mapping: dict[str, str]) -> ApplicationError:
    """The service's form-field keys (``p12``, ``k3_alasan``) as the API's body paths."""
    errors: dict[str, list[str]] = {}
    for key, msgs in exc.errors.items():
        errors[mapping.get(key, key)] = msgs
    return type(exc)(exc.message, errors=errors)


class ReferensiOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kode = serializers.CharField()
    urutan = serializers.IntegerField()
    teks = serializers.CharField()
    kelompok = serializers.CharField(required=False)


class B18Api(_CatatanApi):
    """GET: the active Format B.1.8 statements. POST: the pegawai answers all of them for their
    bimbingan record, once (409 when already answered or not a bimbingan)."""

    pagination_class = None  # GET: the short reference list, not paginated

    class JawabanInput(serializers.Serializer):
        pernyataan = serializers.IntegerField()
        jawaban = serializers.ChoiceField(choices=JawabanB18.choices)
        keterangan = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")

    class InputSerializer(serializers.Serializer):
        jawaban = serializers.ListField(child=serializers.DictField(), max_length=50)

    @extend_schema(responses=ReferensiOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        self.catatan(pk)
        rows = [
            {"id": p.pk, "kode": p.kode, "urutan": p.urutan, "teks": p.teks}
            for p in selectors.pernyataan_b18_current()
        ]
        return Response(ReferensiOutput(rows, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses=CatatanDetailOutput,
        examples=[
            OpenApiExample(
                "B.1.8",
                value={"jawaban": [{"pernyataan": 1, "jawaban": "ya", "keterangan": ""}]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        rec = self.catatan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = self.JawabanInput(data=data.validated_data["jawaban"], many=True)
        if not items.is_valid():
            raise serializers.ValidationError({"jawaban": items.errors})
        jawaban = {int(j["pernyataan"]): (j["jawaban"], j["keterangan"]) for j in items.validated_data}
        ids = [p.pk for p in selectors.pernyataan_b18_current()]
        try:
            services.bimbingan_jawab(actor=self.actor, catatan=rec, jawaban=jawaban)
        except ApplicationError as exc:
            mapping = {f"p{i}": f"jawaban.{i}" for i in ids} | {
                f"p{i}_ket": f"jawaban.{i}.keterangan" for i in ids
            }
            raise _rename_errors(exc, mapping) from None
        return self.detail_response(rec.pk)


class B19Api(_CatatanApi):
    """GET: the active Format B.1.9 competences. POST: the leader rates (1-5, with a reason) at least one
    competence after a bimbingan, once (issue #17, PMK6 Lampiran p.84)."""

    pagination_class = None  # GET: the short reference list, not paginated

    class PenilaianInput(serializers.Serializer):
        kompetensi = serializers.IntegerField()
        nilai = serializers.IntegerField(min_value=1, max_value=5)
        alasan = serializers.CharField(max_length=4000)

    class InputSerializer(serializers.Serializer):
        penilaian = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=50)

    @extend_schema(responses=ReferensiOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        self.catatan(pk)
        rows = [
            {"id": k.pk, "kode": k.kode, "urutan": k.urutan, "teks": k.nama, "kelompok": k.kelompok}
            for k in selectors.kompetensi_b19_current()
        ]
        return Response(ReferensiOutput(rows, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses=CatatanDetailOutput,
        examples=[
            OpenApiExample(
                "B.1.9",
                value={"penilaian": [{"kompetensi": 1, "nilai": 4, "alasan": "Menguasai SOP pelayanan"}]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        rec = self.catatan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = self.PenilaianInput(data=data.validated_data["penilaian"], many=True)
        if not items.is_valid():
            raise serializers.ValidationError({"penilaian": items.errors})
        ids = {k.pk for k in selectors.kompetensi_b19_current()}
        unknown = [i["kompetensi"] for i in items.validated_data if i["kompetensi"] not in ids]
        if unknown:
            raise ApplicationError(
                _("Data tidak valid."),
                errors={
                    "penilaian": [
                        _("Kompetensi tidak dikenal: %(id)s.") % {"id": ", ".join(map(str, unknown))}
                    ]
                },
            )
        penilaian = {int(i["kompetensi"]): (i["nilai"], i["alasan"]) for i in items.validated_data}
        try:
            services.bimbingan_kompetensi_nilai(actor=self.actor, catatan=rec, penilaian=penilaian)
        except ApplicationError as exc:
            mapping = {f"k{i}": f"penilaian.{i}.nilai" for i in ids} | {
                f"k{i}_alasan": f"penilaian.{i}.alasan" for i in ids
            }
            mapping["__all__"] = "penilaian"
            raise _rename_errors(exc, mapping) from None
        return self.detail_response(rec.pk)
