"""Perjanjian Kinerja writes: save (each save is a new version), XLSX import.

Every public function is atomic and audited; nothing is half-written on a bad input."""

import io
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Max, Value, When
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError, Conflict, ReadOnly
from kinerja.models import Instansi, UnitKerja, User
from kinerja.services.audit import audit_log
from perjanjian.models import MAX_TEKS, IndikatorKinerjaUtama, PerjanjianKinerja, SasaranStrategis
from perjanjian.selectors import pk_boleh_ubah

MAX_SASARAN = 50
MAX_INDIKATOR = 50
#: Optional Manual IKU fields and their maximum length.
MANUAL_IKU = {"definisi": MAX_TEKS, "formula": MAX_TEKS, "sumber_data": 255, "periode_pelaporan": 100}


class IndikatorPkInput(TypedDict, total=False):
    id: int | None
    uraian: str
    target: str
    definisi: str
    formula: str
    sumber_data: str
    periode_pelaporan: str


class SasaranInput(TypedDict, total=False):
    uraian: str
    indikator: list[IndikatorPkInput]


def _teks(value: Any) -> str:
    return "" if value is None else str(value).strip()


def pk_validasi(*, tahun: Any, sasaran: list[SasaranInput]) -> dict[str, list[str]]:
    """Field errors of a PK body (keys like ``sasaran.0.indikator.1.target``); empty when valid."""
    errors: dict[str, list[str]] = {}
    if not isinstance(tahun, int) or not 2000 <= tahun <= 2100:
        errors["tahun"] = [_("Tahun harus antara 2000 dan 2100.")]
    if not sasaran:
        errors["sasaran"] = [_("Isi minimal satu sasaran strategis.")]
        return errors
    if len(sasaran) > MAX_SASARAN:
        errors["sasaran"] = [_("Paling banyak %(n)d sasaran strategis.") % {"n": MAX_SASARAN}]
    for i, s in enumerate(sasaran):
        uraian = _teks(s.get("uraian"))
        if not uraian:
            errors[f"sasaran.{i}.uraian"] = [_("Uraian sasaran strategis wajib diisi.")]
        elif len(uraian) > MAX_TEKS:
            errors[f"sasaran.{i}.uraian"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
        indikator = s.get("indikator") or []
        if not indikator:
            errors[f"sasaran.{i}.indikator"] = [_("Isi minimal satu indikator kinerja utama per sasaran.")]
        elif len(indikator) > MAX_INDIKATOR:
            errors[f"sasaran.{i}.indikator"] = [_("Paling banyak %(n)d indikator.") % {"n": MAX_INDIKATOR}]
        for j, ind in enumerate(indikator):
            key = f"sasaran.{i}.indikator.{j}"
            u = _teks(ind.get("uraian"))
            t = _teks(ind.get("target"))
            if not u:
                errors[f"{key}.uraian"] = [_("Uraian indikator kinerja utama wajib diisi.")]
            elif len(u) > MAX_TEKS:
                errors[f"{key}.uraian"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
            if not t:
                errors[f"{key}.target"] = [_('Target wajib diisi, misalnya "85 %" atau "12 dokumen".')]
            elif len(t) > 255:
                errors[f"{key}.target"] = [_("Paling banyak %(n)d karakter.") % {"n": 255}]
            for name, maks in MANUAL_IKU.items():
                if len(_teks(ind.get(name))) > maks:
                    errors[f"{key}.{name}"] = [_("Paling banyak %(n)d karakter.") % {"n": maks}]
    return errors


def _unit(*, instansi: Instansi, unit_kerja_id: Any) -> UnitKerja:
    unit = None
    if isinstance(unit_kerja_id, int) and not isinstance(unit_kerja_id, bool):
        unit = (
            UnitKerja.objects.filter(instansi=instansi, pk=unit_kerja_id).select_related("instansi").first()
        )
    if unit is None:
        raise ApplicationError(
            _("Unit kerja tidak ditemukan."),
            errors={"unit_kerja": [_("Pilih unit kerja dari instansi Anda.")]},
        )
    return unit


@transaction.atomic
def pk_simpan(
    *,
    actor: User,
    instansi: Instansi,
    unit_kerja_id: Any,
    tahun: Any,
    sasaran: list[SasaranInput],
    catatan: str = "",
    roles: list[str],
) -> PerjanjianKinerja:
    """Save a unit's PK of a year as a new version (the first, or a revision): the admin_instansi or the
    unit's leader. The previous version stays readable (``aktif=False``); an indikator that continues one
    of the previous version (same ``id`` given, else the same uraian) takes its SKP results with it.

    1. validate everything (400 with field errors, nothing written);
    2. lock the unit's current version, write the new one (set-based inserts);
    3. move the SKP links (one UPDATE) and audit."""
    unit = _unit(instansi=instansi, unit_kerja_id=unit_kerja_id)
    errors = pk_validasi(tahun=tahun, sasaran=sasaran)
    if len(_teks(catatan)) > MAX_TEKS:
        errors["catatan"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEKS}]
    if errors:
        raise ApplicationError(_("Perjanjian kinerja belum lengkap atau tidak valid."), errors=errors)
    if not pk_boleh_ubah(user=actor, roles=roles, unit=unit):
        raise ReadOnly(
            _("Hanya admin instansi atau pimpinan unit ini yang dapat mengisi perjanjian kinerjanya.")
        )

    lama = (
        PerjanjianKinerja.objects.select_for_update()
        .filter(instansi=instansi, unit_kerja=unit, tahun=tahun, aktif=True)
        .first()
    )
    versi = (
        PerjanjianKinerja.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun).aggregate(
            m=Max("versi")
        )["m"]
        or 0
    ) + 1
    lama_iku: list[IndikatorKinerjaUtama] = []
    if lama is not None:
        lama_iku = list(IndikatorKinerjaUtama.objects.filter(instansi=instansi, perjanjian=lama))
        PerjanjianKinerja.objects.filter(pk=lama.pk).update(aktif=False)
    try:
        with transaction.atomic():
            baru = PerjanjianKinerja.objects.create(
                instansi=instansi,
                unit_kerja=unit,
                tahun=tahun,
                versi=versi,
                dibuat_oleh=actor,
                catatan=_teks(catatan),
            )
    except IntegrityError:  # the unit's first version saved by someone else at the same moment
        raise Conflict(
            _("Perjanjian kinerja unit ini baru saja disimpan orang lain. Muat ulang halaman lalu ulangi.")
        ) from None
    rows = SasaranStrategis.objects.bulk_create(
        [
            SasaranStrategis(instansi=instansi, perjanjian=baru, uraian=_teks(s.get("uraian")), urutan=i)
            for i, s in enumerate(sasaran)
        ]
    )
    by_id = {x.pk: x for x in lama_iku}
    by_uraian: dict[str, IndikatorKinerjaUtama] = {}
    for x in lama_iku:
        by_uraian.setdefault(x.uraian, x)
    dipakai: set[int] = set()

    def _asal(ind: IndikatorPkInput) -> int | None:
        cand = by_id.get(ind.get("id") or 0) or by_uraian.get(_teks(ind.get("uraian")))
        if cand is None or cand.pk in dipakai:
            return None
        dipakai.add(cand.pk)
        return cand.pk

    iku = IndikatorKinerjaUtama.objects.bulk_create(
        [
            IndikatorKinerjaUtama(
                instansi=instansi,
                perjanjian=baru,
                sasaran=row,
                asal_id=_asal(ind),
                uraian=_teks(ind.get("uraian")),
                target=_teks(ind.get("target")),
                urutan=j,
                **{name: _teks(ind.get(name)) for name in MANUAL_IKU},
            )
            for row, s in zip(rows, sasaran, strict=True)
            for j, ind in enumerate(s.get("indikator") or [])
        ]
    )
    pindah = {x.asal_id: x.pk for x in iku if x.asal_id}
    if pindah:
        from skp.models import Rhk

        Rhk.objects.filter(instansi=instansi, indikator_pk_id__in=list(pindah)).update(
            indikator_pk_id=Case(
                *[When(indikator_pk_id=old, then=Value(new)) for old, new in pindah.items()],
                output_field=IntegerField(),
            )
        )
    audit_log(
        actor=actor,
        instansi=instansi,
        action="pk.simpan",
        obj=baru,
        before={"versi": lama.versi} if lama else None,
        after={
            "unit_kerja": unit.pk,
            "tahun": tahun,
            "versi": versi,
            "sasaran": len(rows),
            "indikator": len(iku),
        },
    )
    baru.sasaran_baru = rows  # type: ignore[attr-defined]  # for the API answer without re-reading
    return baru


# ---------------------------------------------------------------- XLSX import

KOLOM = [
    "unit_kerja",
    "tahun",
    "sasaran",
    "indikator",
    "target",
    "definisi",
    "formula",
    "sumber_data",
    "periode_pelaporan",
]
WAJIB = ("unit_kerja", "tahun", "sasaran", "indikator", "target")
MAX_BARIS = 2000


@dataclass
class GalatBaris:
    baris: int
    kolom: str
    alasan: str


@dataclass
class HasilImpor:
    galat: list[GalatBaris] = field(default_factory=list)
    perjanjian: list[PerjanjianKinerja] = field(default_factory=list)
    baris: int = 0


class ImporGagal(ApplicationError):
    """400: the file has bad rows; ``hasil.galat`` lists every one (line, column, reason)."""

    def __init__(self, message: str, hasil: HasilImpor):
        super().__init__(
            message,
            errors={"berkas": [f"{g.baris}:{g.kolom}: {g.alasan}" for g in hasil.galat]},
            extra={"galat": [{"baris": g.baris, "kolom": g.kolom, "alasan": g.alasan} for g in hasil.galat]},
        )
        self.hasil = hasil


def _baca_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl

    from kinerja.berkas_aman import BerkasTidakAman, zip_periksa

    if content[:4] != b"PK\x03\x04":
        raise ApplicationError(
            _("Berkas bukan berkas Excel (.xlsx)."), errors={"berkas": [_("Unggah berkas .xlsx.")]}
        )
    try:
        zip_periksa(io.BytesIO(content))
    except BerkasTidakAman as exc:
        raise ApplicationError(exc.pesan, errors={"berkas": [exc.pesan]}) from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any parser error means "unreadable"
        raise ApplicationError(
            _("Berkas XLSX tidak dapat dibaca."),
            errors={"berkas": [_("Pastikan berkas disimpan sebagai Excel (.xlsx).")]},
        ) from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        out = []
        for cells in ws.iter_rows(max_col=len(KOLOM) + 5):
            line = next((c.row for c in cells if getattr(c, "row", None)), None)
            if line is not None:
                out.append((line, [c.value for c in cells]))
            if len(out) > MAX_BARIS + 1:
                raise ApplicationError(
                    _("Berkas terlalu besar."),
                    errors={"berkas": [_("Paling banyak %(n)d baris.") % {"n": MAX_BARIS}]},
                )
        return out
    finally:
        wb.close()


@transaction.atomic
def pk_impor_xlsx(*, actor: User, instansi: Instansi, roles: list[str], content: bytes) -> HasilImpor:
    """Import PKs from the first sheet of an XLSX (columns ``KOLOM``, header row first; one row per
    indikator; rows of the same unit, year and sasaran text form one sasaran). Each (unit, year) in the
    file becomes a new version of that unit's PK. Any bad row: ``ImporGagal`` listing every bad row
    (line, column, reason) and nothing imported."""
    rows = _baca_xlsx(content)
    hasil = HasilImpor()
    if not rows:
        hasil.galat.append(GalatBaris(1, "-", _("Berkas kosong: baris pertama harus judul kolom.")))
        raise ImporGagal(_("Berkas tidak dapat diimpor."), hasil)
    header_line, header = rows[0]
    judul = [_teks(h).lower().replace(" ", "_") for h in header]
    posisi = {name: judul.index(name) for name in KOLOM if name in judul}
    for name in WAJIB:
        if name not in posisi:
            hasil.galat.append(GalatBaris(header_line, name, _("Kolom wajib tidak ada di baris judul.")))
    if hasil.galat:
        raise ImporGagal(_("Berkas tidak dapat diimpor."), hasil)

    units = list(UnitKerja.objects.filter(instansi=instansi).values_list("pk", "nama"))
    by_nama: dict[str, list[int]] = {}
    for pk, nama in units:
        by_nama.setdefault(nama.strip().lower(), []).append(pk)
    unit_by_pk = {u.pk: u for u in UnitKerja.objects.filter(instansi=instansi, pk__in=[p for p, _n in units])}
    boleh: dict[int, bool] = {}
    kelompok: dict[tuple[int, int], dict[str, SasaranInput]] = {}
    for line, cells in rows[1:]:
        nilai = {name: (cells[i] if i < len(cells) else None) for name, i in posisi.items()}
        if all(_teks(v) == "" for v in nilai.values()):
            continue
        hasil.baris += 1
        galat_awal = len(hasil.galat)
        for name in WAJIB:
            if _teks(nilai.get(name)) == "":
                hasil.galat.append(GalatBaris(line, name, _("Wajib diisi.")))
        unit_id = None
        nama_unit = _teks(nilai.get("unit_kerja"))
        if nama_unit:
            cocok = by_nama.get(nama_unit.lower(), [])
            if nama_unit.isdigit() and int(nama_unit) in unit_by_pk:
                unit_id = int(nama_unit)
            elif len(cocok) == 1:
                unit_id = cocok[0]
            elif len(cocok) > 1:
                hasil.galat.append(
                    GalatBaris(
                        line, "unit_kerja", _("Nama unit tidak unik di instansi ini; tulis id unitnya.")
                    )
                )
            else:
                hasil.galat.append(
                    GalatBaris(line, "unit_kerja", _("Unit kerja tidak ditemukan di instansi ini."))
                )
        if unit_id is not None:
            if unit_id not in boleh:
                boleh[unit_id] = pk_boleh_ubah(user=actor, roles=roles, unit=unit_by_pk[unit_id])
            if not boleh[unit_id]:
                hasil.galat.append(
                    GalatBaris(line, "unit_kerja", _("Anda bukan admin instansi atau pimpinan unit ini."))
                )
        tahun: int | None = None
        raw_tahun = nilai.get("tahun")
        if _teks(raw_tahun):
            try:
                tahun = int(float(str(raw_tahun).strip()))
            except ValueError:
                tahun = None
            if tahun is None or not 2000 <= tahun <= 2100:
                hasil.galat.append(GalatBaris(line, "tahun", _("Tahun harus angka antara 2000 dan 2100.")))
                tahun = None
        for name, maks in {"sasaran": MAX_TEKS, "indikator": MAX_TEKS, "target": 255, **MANUAL_IKU}.items():
            if len(_teks(nilai.get(name))) > maks:
                hasil.galat.append(GalatBaris(line, name, _("Paling banyak %(n)d karakter.") % {"n": maks}))
        if len(hasil.galat) > galat_awal or unit_id is None or tahun is None:
            continue
        sasaran = kelompok.setdefault((unit_id, tahun), {})
        uraian_s = _teks(nilai["sasaran"])
        s = sasaran.setdefault(uraian_s, SasaranInput(uraian=uraian_s, indikator=[]))
        s["indikator"].append(
            IndikatorPkInput(
                uraian=_teks(nilai["indikator"]),
                target=_teks(nilai["target"]),
                **{name: _teks(nilai.get(name)) for name in MANUAL_IKU},  # type: ignore[typeddict-item]
            )
        )
    if hasil.baris == 0 and not hasil.galat:
        hasil.galat.append(GalatBaris(header_line + 1, "-", _("Tidak ada baris data di bawah judul kolom.")))
    if hasil.galat:
        raise ImporGagal(_("Berkas tidak diimpor: perbaiki setiap baris yang disebut."), hasil)
    for (unit_id, tahun), sasaran in kelompok.items():
        hasil.perjanjian.append(
            pk_simpan(
                actor=actor,
                instansi=instansi,
                unit_kerja_id=unit_id,
                tahun=tahun,
                sasaran=list(sasaran.values()),
                catatan=_("Diimpor dari berkas XLSX"),
                roles=roles,
            )
        )
    return hasil
