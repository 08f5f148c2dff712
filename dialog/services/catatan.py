"""Dialog records: catatan kinerja (dialog, bimbingan, konseling) with their tindak lanjut, and the
bimbingan forms (B.1.8 answered by the pegawai, B.1.9 competence evaluation by the leader)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialog.models import (
    CatatanKinerja,
    JawabanB18,
    JawabanBimbingan,
    JenisCatatan,
    JenisNotifikasi,
    KompetensiB19,
    PenilaianKompetensi,
    StatusTindakLanjut,
    TindakLanjut,
)
from dialog.selectors import is_pimpinan_of, kompetensi_b19_current, pernyataan_b18_current
from dialog.services._common import MAX_TEXT, _aktivitas, _as_int, _own, _teks
from dialog.services.notifikasi import notifikasi_create
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden, ReadOnly
from kinerja.models import Pegawai, Periode, User
from kinerja.services.audit import audit_log
from skp.models import Skp

# ---------------------------------------------------------------- dialog, bimbingan, konseling


def _validate_tindak_lanjut(
    errors: dict[str, list[str]], items: list[dict[str, Any]], *, tanggal: dt.date | None
) -> list[tuple[str, dt.date]]:
    out: list[tuple[str, dt.date]] = []
    for i, item in enumerate(items):
        uraian = (item.get("uraian") or "").strip()
        tenggat = item.get("tenggat")
        if not uraian and not tenggat:
            continue
        if not uraian:
            errors[f"tindak_lanjut.{i}.uraian"] = [_("Uraian tindak lanjut wajib diisi.")]
        elif len(uraian) > MAX_TEXT:
            errors[f"tindak_lanjut.{i}.uraian"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        if not isinstance(tenggat, dt.date):
            errors[f"tindak_lanjut.{i}.tenggat"] = [_("Isi tenggat tindak lanjut.")]
        elif tanggal is not None and tenggat < tanggal:
            errors[f"tindak_lanjut.{i}.tenggat"] = [_("Tenggat tidak boleh sebelum tanggal pertemuan.")]
        if uraian and isinstance(tenggat, dt.date):
            out.append((uraian, tenggat))
    return out


@transaction.atomic
def catatan_create(
    *,
    actor: User,
    jenis: str,
    pegawai: Pegawai,
    tanggal: dt.date | None,
    agenda: str = "",
    catatan: str = "",
    skp: Skp | None = None,
    periode_id: Any = None,
    tindak_lanjut: list[dict[str, Any]] | None = None,
) -> CatatanKinerja:
    """Record a dialog kinerja (leader or the pegawai), a bimbingan or a konseling (leader only).

    Open follow-ups of the pegawai's earlier records are carried over into this one (copied with
    ``dibawa_dari``; the originals become ``dibawa``). The other party is notified."""
    own = _own(actor)
    leader = is_pimpinan_of(user=actor, pegawai=pegawai)
    if jenis not in JenisCatatan.values:
        raise ApplicationError(
            _("Jenis catatan tidak valid."), errors={"jenis": [_("Pilih dialog, bimbingan, atau konseling.")]}
        )
    if not leader and not (jenis == JenisCatatan.DIALOG and own.pk == pegawai.pk):
        raise NotFoundOrForbidden()
    errors: dict[str, list[str]] = {}
    if tanggal is None:
        errors["tanggal"] = [_("Isi tanggal pertemuan.")]
    elif tanggal > timezone.localdate():
        errors["tanggal"] = [_("Tanggal pertemuan tidak boleh di masa depan.")]
    agenda = _teks(errors, "agenda", agenda, wajib=False, label=_("Agenda"))
    catatan = _teks(errors, "catatan", catatan, wajib=False, label=_("Catatan"))
    if not agenda and not catatan and "agenda" not in errors:
        errors["catatan"] = [_("Isi agenda atau catatan hasil pertemuan.")]
    if skp is not None and skp.pegawai_id != pegawai.pk:
        errors["skp"] = [_("SKP ini bukan milik pegawai tersebut.")]
    periode = None
    if periode_id not in (None, ""):
        pk = _as_int(periode_id)
        periode = Periode.objects.filter(instansi_id=pegawai.instansi_id, pk=pk).first() if pk else None
        if periode is None:
            errors["periode"] = [_("Periode tidak ditemukan.")]
    baru = _validate_tindak_lanjut(errors, tindak_lanjut or [], tanggal=tanggal)
    if errors or tanggal is None:
        raise ApplicationError(_("Catatan belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    pimpinan_id = own.pk if leader else pegawai.atasan_id
    rec = CatatanKinerja.objects.create(
        instansi_id=pegawai.instansi_id,
        jenis=jenis,
        pegawai=pegawai,
        pimpinan_id=pimpinan_id,
        skp=skp,
        periode=periode,
        tanggal=tanggal,
        agenda=agenda,
        catatan=catatan,
        dibuat_oleh=actor,
    )
    terbuka = list(
        TindakLanjut.objects.select_for_update()
        .filter(instansi_id=pegawai.instansi_id, pegawai=pegawai, status=StatusTindakLanjut.TERBUKA)
        .exclude(catatan=rec)
        .order_by("tenggat", "id")
    )
    TindakLanjut.objects.bulk_create(
        [
            TindakLanjut(
                instansi_id=pegawai.instansi_id,
                catatan=rec,
                pegawai=pegawai,
                uraian=t.uraian,
                tenggat=t.tenggat,
                dibawa_dari=t,
            )
            for t in terbuka
        ]
        + [
            TindakLanjut(instansi_id=pegawai.instansi_id, catatan=rec, pegawai=pegawai, uraian=u, tenggat=d)
            for u, d in baru
        ]
    )
    if terbuka:
        TindakLanjut.objects.filter(pk__in=[t.pk for t in terbuka]).update(status=StatusTindakLanjut.DIBAWA)
    _aktivitas(
        instansi_id=pegawai.instansi_id,
        pegawai_id=pegawai.pk,
        aktor=actor,
        jenis=f"catatan.{jenis}",
        ringkasan=(agenda or catatan)[:300],
        objek=rec,
    )
    audit_log(
        actor=actor,
        instansi=pegawai.instansi_id,
        action=f"dialog.{jenis}",
        obj=rec,
        after={"pegawai": pegawai.pk, "tindak_lanjut_baru": len(baru), "dibawa": len(terbuka)},
    )
    other_id = pegawai.pk if own.pk != pegawai.pk else pimpinan_id
    if other_id:
        other = Pegawai.objects.select_related("user").get(pk=other_id)
        notifikasi_create(
            instansi=pegawai.instansi_id,
            penerima=other.user,
            aktor=actor,
            jenis=JenisNotifikasi.CATATAN,
            judul=f"{rec.get_jenis_display()} {tanggal:%d-%m-%Y} dicatat oleh {own.nama}",
            tautan=reverse("dialog:catatan-detail", args=[rec.pk]),
        )
    return rec


def _require_peserta_catatan(*, actor: User, catatan: CatatanKinerja) -> Pegawai:
    own = _own(actor)
    if own.pk == catatan.pegawai_id or own.pk == catatan.pimpinan_id:
        return own
    if is_pimpinan_of(user=actor, pegawai=catatan.pegawai):
        return own
    raise ReadOnly(_("Hanya pegawai dan pimpinannya yang mengubah catatan ini."))


@transaction.atomic
def tindak_lanjut_add(
    *, actor: User, catatan: CatatanKinerja, uraian: str, tenggat: dt.date | None
) -> TindakLanjut:
    _require_peserta_catatan(actor=actor, catatan=catatan)
    errors: dict[str, list[str]] = {}
    items = _validate_tindak_lanjut(errors, [{"uraian": uraian, "tenggat": tenggat}], tanggal=catatan.tanggal)
    if not items and not errors:
        errors["tindak_lanjut.0.uraian"] = [_("Uraian tindak lanjut wajib diisi.")]
    if errors:
        raise ApplicationError(
            _("Tindak lanjut belum tersimpan."), errors={k.split(".")[-1]: v for k, v in errors.items()}
        )
    t = TindakLanjut.objects.create(
        instansi_id=catatan.instansi_id,
        catatan=catatan,
        pegawai_id=catatan.pegawai_id,
        uraian=items[0][0],
        tenggat=items[0][1],
    )
    audit_log(actor=actor, instansi=catatan.instansi_id, action="dialog.tindak_lanjut", obj=t)
    return t


@transaction.atomic
def tindak_lanjut_set_status(*, actor: User, tindak_lanjut: TindakLanjut, selesai: bool) -> TindakLanjut:
    """Mark a follow-up done (or open again). Carried-over originals are frozen."""
    catatan = CatatanKinerja.objects.get(pk=tindak_lanjut.catatan_id)
    _require_peserta_catatan(actor=actor, catatan=catatan)
    dari, ke = (
        (StatusTindakLanjut.TERBUKA, StatusTindakLanjut.SELESAI)
        if selesai
        else (StatusTindakLanjut.SELESAI, StatusTindakLanjut.TERBUKA)
    )
    updated = TindakLanjut.objects.filter(pk=tindak_lanjut.pk, status=dari).update(
        status=ke, selesai_at=timezone.now() if selesai else None
    )
    if updated != 1:
        raise InvalidTransition(
            _("Status tindak lanjut ini tidak dapat diubah (sudah dibawa ke catatan berikutnya?).")
        )
    audit_log(
        actor=actor,
        instansi=tindak_lanjut.instansi_id,
        action="dialog.tindak_lanjut_status",
        obj=tindak_lanjut,
        before={"status": dari},
        after={"status": ke},
    )
    tindak_lanjut.refresh_from_db()
    return tindak_lanjut


@transaction.atomic
def bimbingan_jawab(
    *, actor: User, catatan: CatatanKinerja, jawaban: dict[int, tuple[str, str]]
) -> CatatanKinerja:
    """The pegawai answers the nine statements of Format B.1.8 for a bimbingan record, once (it is their
    signed feedback on the bimbingan). ``jawaban`` maps statement id → (``ya``/``tidak``, comment)."""
    own = _own(actor)
    if own.pk != catatan.pegawai_id:
        raise ReadOnly(_("Format B.1.8 diisi oleh pegawai yang dibimbing."))
    if catatan.jenis != JenisCatatan.BIMBINGAN:
        raise InvalidTransition(_("Format B.1.8 hanya untuk catatan bimbingan kinerja."))
    locked = CatatanKinerja.objects.select_for_update().get(pk=catatan.pk)
    if locked.b18_diisi_at is not None:
        raise InvalidTransition(_("Format B.1.8 untuk bimbingan ini sudah diisi."))
    errors: dict[str, list[str]] = {}
    rows = []
    for p in pernyataan_b18_current():
        jawab, ket = jawaban.get(p.pk, ("", ""))
        if jawab not in JawabanB18.values:
            errors[f"p{p.pk}"] = [_("Pilih Ya atau Tidak.")]
            continue
        ket = (ket or "").strip()
        if len(ket) > MAX_TEXT:
            errors[f"p{p.pk}_ket"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        rows.append(
            JawabanBimbingan(
                instansi_id=catatan.instansi_id, catatan=catatan, pernyataan=p, jawaban=jawab, keterangan=ket
            )
        )
    if errors:
        raise ApplicationError(_("Jawab semua pernyataan Format B.1.8."), errors=errors)
    JawabanBimbingan.objects.bulk_create(rows)
    locked.b18_diisi_at = timezone.now()
    locked.save(update_fields=["b18_diisi_at", "updated_at"])
    audit_log(
        actor=actor,
        instansi=catatan.instansi_id,
        action="dialog.b18",
        obj=catatan,
        after={str(r.pernyataan.kode): r.jawaban for r in rows},
    )
    return locked


@transaction.atomic
def bimbingan_kompetensi_nilai(
    *, actor: User, catatan: CatatanKinerja, penilaian: dict[int, tuple[Any, str]]
) -> CatatanKinerja:
    """The leader evaluates the pegawai's competences after a bimbingan (Format B.1.9 "Evaluasi Kompetensi
    Pegawai sebagai Tindak Lanjut Bimbingan Kinerja", PMK6 Lampiran p.84, domain.md §5: kompetensi, nilai
    skala 1-5, alasan), once. ``penilaian`` maps competence id -> (nilai or empty = not rated, alasan); at
    least one competence is rated and every rated one needs a reason. Audited; the pegawai is notified."""
    own = _own(actor)
    if not (own.pk == catatan.pimpinan_id or is_pimpinan_of(user=actor, pegawai=catatan.pegawai)):
        raise ReadOnly(_("Format B.1.9 diisi oleh Pejabat Penilai yang membimbing."))
    if catatan.jenis != JenisCatatan.BIMBINGAN:
        raise InvalidTransition(_("Format B.1.9 hanya untuk catatan bimbingan kinerja."))
    locked = CatatanKinerja.objects.select_for_update().get(pk=catatan.pk)
    if locked.b19_diisi_at is not None:
        raise InvalidTransition(_("Format B.1.9 untuk bimbingan ini sudah diisi."))
    errors: dict[str, list[str]] = {}
    rows: list[PenilaianKompetensi] = []
    kompetensi: list[KompetensiB19] = kompetensi_b19_current()
    for k in kompetensi:
        raw, alasan = penilaian.get(k.pk, ("", ""))
        alasan = (alasan or "").strip()
        if raw in (None, ""):
            if alasan:
                errors[f"k{k.pk}"] = [_("Pilih nilai 1 sampai 5, atau kosongkan alasannya.")]
            continue
        nilai = _as_int(raw)
        if nilai is None or not 1 <= nilai <= 5:
            errors[f"k{k.pk}"] = [_("Nilai harus 1 sampai 5.")]
            continue
        if not alasan:
            errors[f"k{k.pk}_alasan"] = [_("Tuliskan alasan nilai ini.")]
        elif len(alasan) > MAX_TEXT:
            errors[f"k{k.pk}_alasan"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
        rows.append(
            PenilaianKompetensi(
                instansi_id=catatan.instansi_id, catatan=catatan, kompetensi=k, nilai=nilai, alasan=alasan
            )
        )
    if not rows and not errors:
        errors["__all__"] = [_("Nilai paling sedikit satu kompetensi.")]
    if errors:
        raise ApplicationError(_("Format B.1.9 belum tersimpan. Periksa isian yang ditandai."), errors=errors)
    PenilaianKompetensi.objects.bulk_create(rows)
    locked.b19_diisi_at = timezone.now()
    locked.save(update_fields=["b19_diisi_at", "updated_at"])
    audit_log(
        actor=actor,
        instansi=catatan.instansi_id,
        action="dialog.b19",
        obj=catatan,
        after={r.kompetensi.kode: r.nilai for r in rows},
    )
    pegawai = Pegawai.objects.select_related("user").get(pk=catatan.pegawai_id)
    notifikasi_create(
        instansi=catatan.instansi_id,
        penerima=pegawai.user,
        aktor=actor,
        jenis=JenisNotifikasi.CATATAN,
        judul=f"Evaluasi kompetensi (Format B.1.9) atas bimbingan {catatan.tanggal:%d-%m-%Y} oleh {own.nama}",
        tautan=reverse("dialog:catatan-detail", args=[catatan.pk]),
    )
    return locked
