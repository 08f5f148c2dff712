"""Sending an instansi's year to SIASN (api-contract §6): idempotent, resumable, one pegawai at a time.

``siasn_kirim`` does, for one instansi and year:

1. Collect the results (selectors, three queries): final annual evaluations (``skp22``), rated periodic
   evaluations (``periodik``) and the angka kredit of final annual evaluations (``angkakredit``), as
   asked; then what SIASN already holds (``KirimanSiasn``) and the known SIASN ids (``PegawaiSiasn``),
   one query each.
2. Build each payload and its SHA-256 (without ``id``). A value the mapping table cannot code is a
   failure with a message, never a guess. A result already accepted with the same hash is *unchanged*
   and not sent.
3. Send the rest, one ``POST`` each under the client's rate limit: the pegawai's SIASN id is looked up
   once (``pns/data-utama/{nip}``) and stored in its own transaction; the payload carries ``id`` = the
   record id SIASN gave before (a changed result updates that record). Each answer is stored at once in
   its own transaction (``KirimanSiasn`` + the audit row ``LogSiasn``), so a crash loses at most the one
   call in flight and a re-run resumes with the rest (the sent ones are unchanged by then).
4. A 4xx for one pegawai is stored and reported, the others continue; after ``MAX_BERUNTUN_SEMENTARA``
   consecutive transient failures (SIASN down) the rest is reported as not sent. Refused credentials
   stop the run (``SiasnAuthError``).

A Redis lock (per instansi) keeps two runs from sending the same results at once. It is a lease of
``KUNCI_LEASE`` seconds renewed by a thread while the run lives, so a crashed process releases it within
the lease; it is not a PostgreSQL session lock, which PgBouncer's transaction pooling would hand to
another client (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluasi.models import (
    AngkaKredit,
    Evaluasi,
    JenisEvaluasi,
    JenisKirimanSiasn,
    KirimanSiasn,
    LogSiasn,
    PegawaiSiasn,
    StatusEvaluasi,
    StatusKirimanSiasn,
)
from evaluasi.siasn import kode
from evaluasi.siasn.client import SiasnAuthError, SiasnClient, SiasnError
from evaluasi.siasn.payload import (
    ENDPOINT,
    FIELD_PNS,
    PayloadTakLengkap,
    payload_angka_kredit,
    payload_hash,
    payload_periodik,
    payload_skp22,
)
from kinerja.exceptions import InvalidTransition
from kinerja.models import Instansi, User
from kinerja.services.audit import audit_log

logger = logging.getLogger(__name__)

SEMUA_JENIS = (JenisKirimanSiasn.SKP22, JenisKirimanSiasn.PERIODIK, JenisKirimanSiasn.ANGKA_KREDIT)
MAX_BERUNTUN_SEMENTARA = 5
#: Progress is written at most this often (seconds) and at least every ``PROGRES_SETIAP`` results.
PROGRES_DETIK = 1.0
PROGRES_SETIAP = 50


@dataclass
class Butir:
    """One result to send: its kind, evaluation, pegawai and payload (``id``/pegawai id still empty)."""

    jenis: str
    evaluasi_id: int
    pegawai_id: int
    nip: str
    nama: str
    payload: dict[str, Any] | None
    galat: str = ""


@dataclass
class HasilKirim:
    terkirim: int = 0
    tidak_berubah: int = 0
    gagal: int = 0
    total: int = 0
    kegagalan: list[dict[str, str]] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)  # dry run: what would be sent

    @property
    def sukses(self) -> bool:
        return self.gagal == 0

    def ringkas(self) -> dict[str, Any]:
        return {
            "terkirim": self.terkirim,
            "tidak_berubah": self.tidak_berubah,
            "gagal": self.gagal,
            "total": self.total,
        }


# ---------------------------------------------------------------------------------------------- selectors


def _butir(jenis: str, ev: Evaluasi, build: Callable[[Evaluasi], dict[str, Any]]) -> Butir:
    try:
        payload, galat = build(ev), ""
    except (kode.KodeTakDikenal, PayloadTakLengkap) as exc:
        payload, galat = None, str(exc)
    return Butir(jenis, ev.pk, ev.pegawai_id, ev.pegawai.nip, ev.pegawai.nama, payload, galat)


_RELASI = (
    "pegawai", "pejabat_penilai__jabatan", "pejabat_penilai__unit_kerja", "pejabat_penilai_non_asn__instansi",
)  # fmt: skip
_KOLOM = (
    "id", "tahun", "jenis", "pegawai_id", "pegawai__nip", "pegawai__nama", "pejabat_penilai__nip",
    "pejabat_penilai__nama", "pejabat_penilai__pangkat_golongan", "pejabat_penilai__jabatan__nama",
    "pejabat_penilai__unit_kerja__nama", "pejabat_penilai_non_asn__nama", "pejabat_penilai_non_asn__jabatan",
    "pejabat_penilai_non_asn__instansi__nama", "rating_hasil_kerja", "rating_perilaku_kerja", "predikat",
)  # fmt: skip


def butir_siasn(*, instansi: Instansi, tahun: int, jenis: tuple[str, ...] = SEMUA_JENIS) -> list[Butir]:
    """Every result of ``instansi`` and ``tahun`` that belongs in SIASN, with its payload (one query per
    kind, ordered by pegawai so a run's progress reads in a stable order)."""
    out: list[Butir] = []
    base = Evaluasi.objects.filter(instansi=instansi, tahun=tahun)
    if JenisKirimanSiasn.SKP22 in jenis:
        qs = (
            base.filter(jenis=JenisEvaluasi.TAHUNAN, status=StatusEvaluasi.FINAL)
            .select_related(*_RELASI)
            .only(*_KOLOM)
            .order_by("pegawai_id")
        )
        out += [_butir(JenisKirimanSiasn.SKP22, ev, payload_skp22) for ev in qs.iterator(2000)]
    if JenisKirimanSiasn.PERIODIK in jenis:
        qs = (
            base.filter(
                jenis=JenisEvaluasi.PERIODIK, status__in=[StatusEvaluasi.DINILAI, StatusEvaluasi.FINAL]
            )
            .exclude(predikat="")
            .select_related(*_RELASI, "periode")
            .only(*_KOLOM, "periode__mulai", "periode__selesai")
            .order_by("pegawai_id", "periode__mulai")
        )
        out += [_butir(JenisKirimanSiasn.PERIODIK, ev, payload_periodik) for ev in qs.iterator(2000)]
    if JenisKirimanSiasn.ANGKA_KREDIT in jenis:
        aks = (
            AngkaKredit.objects.filter(instansi=instansi, tahun=tahun)
            .select_related("pegawai")
            .only("id", "pegawai_id", "evaluasi_id", "bulan", "nilai", "pegawai__nip", "pegawai__nama")
            .order_by("pegawai_id")
        )
        final = set(
            base.filter(jenis=JenisEvaluasi.TAHUNAN, status=StatusEvaluasi.FINAL).values_list("id", flat=True)
        )
        for ak in aks.iterator(2000):
            if ak.evaluasi_id not in final:
                continue
            try:
                payload, galat = payload_angka_kredit(ak, tahun), ""
            except PayloadTakLengkap as exc:
                payload, galat = None, str(exc)
            out.append(
                Butir(
                    JenisKirimanSiasn.ANGKA_KREDIT,
                    ak.evaluasi_id,
                    ak.pegawai_id,
                    ak.pegawai.nip,
                    ak.pegawai.nama,
                    payload,
                    galat,
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- writes


KUNCI_LEASE = 120  # seconds; renewed every third of it while the run lives


@contextmanager
def kunci_kirim(instansi: Instansi) -> Iterator[None]:
    """One send run per instansi at a time: a Redis lease renewed by a thread until the run ends (a
    crashed process stops renewing it, and it lapses after ``KUNCI_LEASE`` seconds)."""
    import threading

    import redis
    from django.conf import settings

    conn = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    lock = conn.lock(f"kinerja:siasn_kirim:{instansi.pk}", timeout=KUNCI_LEASE, blocking=False)
    if not lock.acquire():
        raise InvalidTransition(
            _("Pengiriman ke SIASN untuk instansi ini sedang berjalan; tunggu sampai selesai.")
        )
    selesai = threading.Event()

    def perpanjang() -> None:
        while not selesai.wait(KUNCI_LEASE / 3):
            try:
                lock.reacquire()
            except redis.RedisError:  # lost or Redis down: the next run may start; say so
                logger.warning("siasn_kirim: could not renew the lock of instansi %s", instansi.pk)

    t = threading.Thread(target=perpanjang, name=f"siasn-kunci-{instansi.pk}", daemon=True)
    t.start()
    try:
        yield
    finally:
        selesai.set()
        t.join(5)
        with contextlib.suppress(redis.RedisError):  # already lapsed
            lock.release()


def pegawai_siasn_simpan(*, instansi: Instansi, pegawai_id: int, data: dict[str, Any]) -> str:
    """Keep the pegawai's SIASN id (and the data-utama fields read) as soon as SIASN gave it."""
    siasn_id = str(data["id"])
    with transaction.atomic():
        PegawaiSiasn.objects.update_or_create(
            instansi=instansi, pegawai_id=pegawai_id, defaults={"siasn_id": siasn_id, "data": data}
        )
    return siasn_id


def _catat(
    *,
    instansi: Instansi,
    tahun: int,
    butir: Butir,
    job_id: int | None,
    payload: dict[str, Any] | None,
    hasil: str,
    http_status: int | None = None,
    siasn_id: str = "",
    pesan: str = "",
    jawaban: Any = None,
    sebelumnya: KirimanSiasn | None = None,
) -> None:
    """Store one outcome in its own transaction: the result's state and the audit row."""
    now = timezone.now()
    h = payload_hash(payload) if payload else ""
    with transaction.atomic():
        defaults: dict[str, Any] = {
            "pegawai_id": butir.pegawai_id,
            "tahun": tahun,
            "status": hasil,
            "pesan": pesan[:2000],
            "http_status": http_status,
        }
        if hasil == StatusKirimanSiasn.TERKIRIM:
            defaults.update(siasn_id=siasn_id, payload_hash=h, terkirim_at=now)
        if sebelumnya is None:
            KirimanSiasn.objects.update_or_create(
                instansi=instansi, jenis=butir.jenis, evaluasi_id=butir.evaluasi_id, defaults=defaults
            )
        else:
            for k, v in defaults.items():
                setattr(sebelumnya, k, v)
            sebelumnya.save(update_fields=[*defaults, "updated_at"])
        LogSiasn.objects.create(
            instansi=instansi,
            job_id=job_id,
            pegawai_id=butir.pegawai_id,
            nip=butir.nip,
            tahun=tahun,
            jenis=butir.jenis,
            endpoint=ENDPOINT[butir.jenis],  # type: ignore[index]
            payload=payload or {},
            payload_hash=h,
            versi_kode=kode.VERSI,
            hasil=hasil,
            http_status=http_status,
            siasn_id=siasn_id,
            pesan=pesan[:2000],
            jawaban=jawaban,
        )


def siasn_kirim(
    *,
    instansi: Instansi,
    tahun: int,
    jenis: tuple[str, ...] = SEMUA_JENIS,
    client_factory: Callable[[], SiasnClient] | None = None,
    dry_run: bool = False,
    job_id: int | None = None,
    actor: User | None = None,
    progres: Callable[[int, HasilKirim], None] | None = None,
) -> HasilKirim:
    """Send what SIASN lacks of ``instansi``'s ``tahun`` (see the module docstring). ``dry_run``: build
    and return the payloads that would be sent (``HasilKirim.payloads``), contact nobody, write nothing.
    ``progres(done, hasil)`` is called as results are handled (the job's progress bar)."""
    hasil = HasilKirim()
    with kunci_kirim(instansi):
        butir = butir_siasn(instansi=instansi, tahun=tahun, jenis=jenis)
        kiriman = {
            (k.jenis, k.evaluasi_id): k
            for k in KirimanSiasn.objects.filter(instansi=instansi, tahun=tahun, jenis__in=jenis)
        }
        ids = dict(PegawaiSiasn.objects.filter(instansi=instansi).values_list("pegawai_id", "siasn_id"))
        hasil.total = len(butir)
        antre: list[Butir] = []
        for b in butir:
            if b.galat or b.payload is None:
                hasil.gagal += 1
                hasil.kegagalan.append({"nip": b.nip, "jenis": b.jenis, "pesan": b.galat})
                if not dry_run:
                    _catat(
                        instansi=instansi, tahun=tahun, butir=b, job_id=job_id, payload=None,
                        hasil=StatusKirimanSiasn.GAGAL, pesan=b.galat, sebelumnya=kiriman.get((b.jenis, b.evaluasi_id)),
                    )  # fmt: skip
                continue
            pns = ids.get(b.pegawai_id)
            b.payload[FIELD_PNS[b.jenis]] = pns  # type: ignore[index]
            k = kiriman.get((b.jenis, b.evaluasi_id))
            if (
                pns
                and k
                and k.status == StatusKirimanSiasn.TERKIRIM
                and k.payload_hash == payload_hash(b.payload)
            ):
                hasil.tidak_berubah += 1
                continue
            b.payload["id"] = (k.siasn_id or None) if k else None
            antre.append(b)
        if dry_run:
            hasil.payloads = [b.payload for b in antre if b.payload is not None]
            return hasil
        done = hasil.total - len(antre)
        if progres:
            progres(done, hasil)
        if antre:
            _kirim_antrean(
                instansi=instansi, tahun=tahun, antre=antre, ids=ids, kiriman=kiriman, job_id=job_id,
                hasil=hasil, client_factory=client_factory, progres=progres, done=done,
            )  # fmt: skip
    audit_log(
        actor=actor,
        instansi=instansi,
        action="siasn.kirim",
        object_type="siasn",
        object_id=str(tahun),
        object_repr=f"SIASN {tahun}",
        after={**hasil.ringkas(), "jenis": list(jenis), "job": job_id},
    )
    return hasil


def _kirim_antrean(
    *,
    instansi: Instansi,
    tahun: int,
    antre: list[Butir],
    ids: dict[int, str],
    kiriman: dict[tuple[str, int], KirimanSiasn],
    job_id: int | None,
    hasil: HasilKirim,
    client_factory: Callable[[], SiasnClient] | None,
    progres: Callable[[int, HasilKirim], None] | None,
    done: int,
) -> None:
    from evaluasi.siasn.config import siasn_config_for

    client = client_factory() if client_factory else SiasnClient(siasn_config_for(instansi.kode))
    beruntun = 0
    terakhir_progres = time.monotonic()
    try:
        for i, b in enumerate(antre):
            if b.payload is None:  # never queued without one (step 2)
                continue
            if beruntun >= MAX_BERUNTUN_SEMENTARA:
                pesan = _("Tidak dikirim: SIASN tidak tersedia (%(n)d gangguan berturut-turut).") % {
                    "n": MAX_BERUNTUN_SEMENTARA
                }
                for rest in antre[i:]:
                    hasil.gagal += 1
                    hasil.kegagalan.append({"nip": rest.nip, "jenis": rest.jenis, "pesan": pesan})
                    _catat(
                        instansi=instansi, tahun=tahun, butir=rest, job_id=job_id, payload=rest.payload,
                        hasil=StatusKirimanSiasn.GAGAL, pesan=pesan, sebelumnya=kiriman.get((rest.jenis, rest.evaluasi_id)),
                    )  # fmt: skip
                done = hasil.total
                break
            k = kiriman.get((b.jenis, b.evaluasi_id))
            try:
                pns = ids.get(b.pegawai_id)
                if not pns:
                    pns = pegawai_siasn_simpan(
                        instansi=instansi, pegawai_id=b.pegawai_id, data=client.data_utama(b.nip)
                    )
                    ids[b.pegawai_id] = pns
                b.payload[FIELD_PNS[b.jenis]] = pns  # type: ignore[index]
                rid, status, jawaban = client.simpan(ENDPOINT[b.jenis], b.payload)  # type: ignore[index]
            except SiasnAuthError:
                raise
            except SiasnError as exc:
                beruntun = beruntun + 1 if exc.sementara else 0
                hasil.gagal += 1
                hasil.kegagalan.append({"nip": b.nip, "jenis": b.jenis, "pesan": exc.pesan})
                _catat(
                    instansi=instansi, tahun=tahun, butir=b, job_id=job_id, payload=b.payload,
                    hasil=StatusKirimanSiasn.GAGAL, http_status=exc.status, pesan=exc.pesan, jawaban=exc.jawaban,
                    sebelumnya=k,
                )  # fmt: skip
            else:
                beruntun = 0
                hasil.terkirim += 1
                _catat(
                    instansi=instansi, tahun=tahun, butir=b, job_id=job_id, payload=b.payload,
                    hasil=StatusKirimanSiasn.TERKIRIM, http_status=status, siasn_id=rid, jawaban=jawaban, sebelumnya=k,
                )  # fmt: skip
            done += 1
            now = time.monotonic()
            if progres and (now - terakhir_progres >= PROGRES_DETIK or done % PROGRES_SETIAP == 0):
                progres(done, hasil)
                terakhir_progres = now
    finally:
        client.close()
    if progres:
        progres(done, hasil)
