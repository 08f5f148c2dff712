"""Documentation of the work: realisasi per indikator and periode with its bukti dukung (content-checked
files or links)."""

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from dialog import bukti as bukti_files
from dialog.models import BuktiDukung, JenisBukti, Realisasi
from dialog.services._common import _aktivitas, _as_int, _periode_for, _teks
from kinerja.exceptions import ApplicationError, InvalidTransition, ReadOnly
from kinerja.models import Pegawai, User
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of
from skp.models import Indikator, Skp, SkpStatus

MAX_BUKTI_PER_REALISASI = 20
_http_url = URLValidator(schemes=["http", "https"])


# ---------------------------------------------------------------- documentation


def _require_dokumentasi(*, actor: User, skp: Skp) -> Pegawai:
    """Only the owner documents, and only against an approved plan (realisasi needs an established SKP)."""
    own = pegawai_of(actor)
    if own is None or own.pk != skp.pegawai_id:
        raise ReadOnly(_("Hanya pemilik SKP yang mengisi rencana aksi, realisasi, dan bukti dukung."))
    if skp.status != SkpStatus.DISETUJUI:
        raise InvalidTransition(_("Rencana aksi dan realisasi diisi setelah SKP disetujui Pejabat Penilai."))
    return own


def _validate_tautan(errors: dict[str, list[str]], tautan: str | None) -> str:
    tautan = (tautan or "").strip()
    if not tautan:
        return ""
    if len(tautan) > 2000:
        errors["tautan"] = [_("Tautan paling banyak 2000 karakter.")]
        return tautan
    try:
        _http_url(tautan)
    except ValidationError:
        errors["tautan"] = [_("Tautan harus alamat web lengkap yang diawali http:// atau https://.")]
    return tautan


def _bukti_create(
    *,
    actor: User,
    realisasi: Realisasi,
    berkas: UploadedFile | None,
    jenis_berkas: bukti_files.JenisBerkas | None,
    tautan: str,
    judul: str,
) -> list[BuktiDukung]:
    created: list[BuktiDukung] = []
    if berkas is not None and jenis_berkas is not None:
        obj = BuktiDukung(
            instansi_id=realisasi.instansi_id,
            realisasi=realisasi,
            jenis=JenisBukti.BERKAS,
            nama_berkas=bukti_files.nama_tampilan(berkas.name or "", jenis_berkas),
            tipe_konten=jenis_berkas.mime,
            ukuran=berkas.size or 0,
            sha256=bukti_files.sha256_of(berkas),
            judul=judul[:255],
            diunggah_oleh=actor,
        )
        obj.berkas.save(f"bukti{jenis_berkas.ext}", berkas, save=True)
        created.append(obj)
    if tautan:
        created.append(
            BuktiDukung.objects.create(
                instansi_id=realisasi.instansi_id,
                realisasi=realisasi,
                jenis=JenisBukti.TAUTAN,
                tautan=tautan,
                judul=(judul if berkas is None else "")[:255],
                diunggah_oleh=actor,
            )
        )
    return created


def _check_berkas(
    errors: dict[str, list[str]], berkas: UploadedFile | None
) -> bukti_files.JenisBerkas | None:
    if berkas is None:
        return None
    try:
        return bukti_files.sniff(berkas, size=berkas.size)
    except ApplicationError as exc:
        errors.update(exc.errors)
        return None


@transaction.atomic
def realisasi_save(
    *,
    actor: User,
    skp: Skp,
    indikator_id: Any,
    periode_id: Any,
    realisasi: str,
    keterangan: str = "",
    berkas: UploadedFile | None = None,
    tautan: str = "",
    judul_bukti: str = "",
) -> Realisasi:
    """The owner records (or updates) the realisasi of one indikator for one periode, optionally adding a
    file and/or a link as bukti dukung. Everything, the file's content included, is validated before
    anything is written: a rejected file saves nothing and says why. Audited; on the timeline."""
    own = _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    pk = _as_int(indikator_id)
    indikator = (
        Indikator.objects.filter(instansi_id=skp.instansi_id, rhk__skp=skp, pk=pk)
        .select_related("rhk")
        .first()
        if pk
        else None
    )
    if indikator is None:
        errors["indikator"] = [_("Indikator ini tidak termasuk dalam SKP tersebut.")]
    periode = _periode_for(errors, skp=skp, periode_id=periode_id)
    teks = _teks(errors, "realisasi", realisasi, wajib=True, label=_("Realisasi"))
    keterangan = _teks(errors, "keterangan", keterangan, wajib=False, label=_("Keterangan"))
    judul_bukti = (judul_bukti or "").strip()
    if len(judul_bukti) > 255:
        errors["judul_bukti"] = [_("Judul bukti paling banyak 255 karakter.")]
    jenis_berkas = _check_berkas(errors, berkas)
    tautan = _validate_tautan(errors, tautan)
    existing = None
    if indikator is not None and periode is not None:
        existing = Realisasi.objects.filter(
            instansi_id=skp.instansi_id, indikator=indikator, periode=periode
        ).first()
        if existing is not None and (berkas or tautan):
            n = BuktiDukung.objects.filter(instansi_id=skp.instansi_id, realisasi=existing).count()
            if n + bool(berkas) + bool(tautan) > MAX_BUKTI_PER_REALISASI:
                errors["berkas"] = [
                    _("Paling banyak %(n)d bukti dukung per realisasi.") % {"n": MAX_BUKTI_PER_REALISASI}
                ]
    if errors or indikator is None or periode is None:
        raise ApplicationError(_("Realisasi belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    obj, created = Realisasi.objects.update_or_create(
        instansi_id=skp.instansi_id,
        indikator=indikator,
        periode=periode,
        defaults={
            "skp": skp,
            "rhk_id": indikator.rhk_id,
            "realisasi": teks,
            "keterangan": keterangan,
            "diisi_oleh": actor,
        },
    )
    added = _bukti_create(
        actor=actor, realisasi=obj, berkas=berkas, jenis_berkas=jenis_berkas, tautan=tautan, judul=judul_bukti
    )
    _aktivitas(
        instansi_id=skp.instansi_id,
        pegawai_id=own.pk,
        aktor=actor,
        jenis="realisasi.diisi" if created else "realisasi.diubah",
        ringkasan=f"{indikator.iki[:120]}: {teks[:200]}" + (f" (+{len(added)} bukti)" if added else ""),
        objek=obj,
        skp_id=skp.pk,
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action="dialog.realisasi",
        obj=obj,
        before={"realisasi": existing.realisasi} if existing else None,
        after={"realisasi": teks, "periode": periode.pk, "bukti": [b.pk for b in added]},
    )
    return obj


@transaction.atomic
def bukti_add(
    *,
    actor: User,
    realisasi: Realisasi,
    berkas: UploadedFile | None = None,
    tautan: str = "",
    judul: str = "",
) -> list[BuktiDukung]:
    """Add a file and/or a link to an existing realisasi (owner, approved SKP)."""
    skp = Skp.objects.get(pk=realisasi.skp_id)
    _require_dokumentasi(actor=actor, skp=skp)
    errors: dict[str, list[str]] = {}
    jenis_berkas = _check_berkas(errors, berkas)
    tautan = _validate_tautan(errors, tautan)
    if berkas is None and not tautan and not errors:
        errors["berkas"] = [_("Pilih berkas atau isi tautan.")]
    n = BuktiDukung.objects.filter(instansi_id=realisasi.instansi_id, realisasi=realisasi).count()
    if n + bool(berkas) + bool(tautan) > MAX_BUKTI_PER_REALISASI:
        errors["berkas"] = [
            _("Paling banyak %(n)d bukti dukung per realisasi.") % {"n": MAX_BUKTI_PER_REALISASI}
        ]
    if errors:
        raise ApplicationError(_("Bukti dukung belum tersimpan."), errors=errors)
    added = _bukti_create(
        actor=actor, realisasi=realisasi, berkas=berkas, jenis_berkas=jenis_berkas, tautan=tautan, judul=judul
    )
    for b in added:
        audit_log(actor=actor, instansi=realisasi.instansi_id, action="dialog.bukti_tambah", obj=b)
    return added


@transaction.atomic
def bukti_remove(*, actor: User, bukti: BuktiDukung) -> None:
    """The owner removes a piece of evidence; the stored file is deleted after commit."""
    realisasi = Realisasi.objects.select_related("skp").get(pk=bukti.realisasi_id)
    _require_dokumentasi(actor=actor, skp=realisasi.skp)
    audit_log(
        actor=actor,
        instansi=bukti.instansi_id,
        action="dialog.bukti_hapus",
        obj=bukti,
        before={"nama": bukti.label, "sha256": bukti.sha256},
    )
    name, storage = bukti.berkas.name, bukti.berkas.storage
    BuktiDukung.objects.filter(pk=bukti.pk).delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))
