"""Sending an instansi's year to SIASN (api-contract §6): idempotent, resumable, a bounded pool of senders.

``siasn_kirim`` does, for one instansi and year:

1. Collect the results (selectors, three queries): final annual evaluations (``skp22``), rated periodic
   evaluations (``periodik``) and the angka kredit of final annual evaluations (``angkakredit``), as
   asked; then what SIASN already holds (``KirimanSiasn``) and the known SIASN ids (``PegawaiSiasn``),
   one query each.
2. Build each payload and its SHA-256 (without ``id``). A value the mapping table cannot code is a
   failure with a message, never a guess. A result already accepted with the same hash is *unchanged*
   and not sent.
3. Send the rest with ``KINERJA_SIASN_CONCURRENCY`` worker threads (default 8) that share ONE client, hence
   ONE rate limiter (``KINERJA_SIASN_RPS``): with SIASN answering in 50-100 ms, a single sender could not
   reach 20 requests/s. A task is one pegawai: its SIASN id is looked up once (``pns/data-utama/{nip}``)
   when not yet known, then one ``POST`` per result, with ``id`` = the record id SIASN gave before (a
   changed result updates that record). The threads only talk HTTP; every database write happens in the
   calling thread, set-based: the answers that came back are stored together (``PegawaiSiasn`` and
   ``KirimanSiasn`` upserts and the ``LogSiasn`` audit rows, one transaction) at least every
   ``SIMPAN_DETIK`` seconds. A crash stops new calls, lets the ones in flight end and stores every answer
   that came back, so a re-run sends none of them again; only a hard kill (SIGKILL, power) can lose the
   answers of the last ``SIMPAN_DETIK`` seconds plus the calls in flight (at most the pool size).
   Against that, a write-ahead intent: before the calls of each chunk of the queue, one statement marks
   the results about to get a first send (``id`` null) ``KirimanSiasn.dikirim_at`` (committed before any of
   those calls); an answer stored clears it. A later run treats a marked result without a SIASN id as *in
   doubt*: it first asks SIASN's riwayat of that kind (``pns/rw-skp22/{nip}``, ``pns/rw-kinerjaperiodik/{nip}``,
   ``pns/rw-angkakredit/{nip}``) and adopts the record SIASN holds for the same year (and period, for a
   periodic result or angka kredit) (sent again, as an update with that id, only when SIASN's values
   differ), else sends it as new; if that lookup fails, the pegawai is reported failed and nothing is
   posted. Only in-doubt results pay the extra call; the reconciliation is in the audit (``LogSiasn``). A
   crash the process survives withdraws the intent of the results whose calls never started.
   Within a run the same holds: a first save whose answer is ambiguous (a timeout or a dropped connection
   after it went out, a 5xx) is never repeated blind by the client; after the backoff the riwayat is asked
   and the record adopted, or the save posted again only when SIASN has none (``_kirim_butir``).
4. A 4xx for one pegawai is stored and reported, the others continue; after ``MAX_BERUNTUN_SEMENTARA``
   consecutive transient failures (SIASN down) the rest is reported as not sent. Until SIASN has answered
   a first call (accepted or refused), and again after each transient failure, only one pegawai is in flight (SIASN in trouble
   is not hit by the whole pool). Refused credentials stop the run (``SiasnAuthError``).

The rate limit is shared in-process only: two runs of one instansi never overlap (the lock below), and
each instansi has its own SIASN credentials and limit.

A Redis lock (per instansi) keeps two runs from sending the same results at once. It is a lease of
``KUNCI_LEASE`` seconds renewed by a thread while the run lives, so a crashed process releases it within
the lease; it is not a PostgreSQL session lock, which PgBouncer's transaction pooling would hand to
another client (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import LockNotOwnedError

from evaluasi.models import (
    STATUS_DIKIRIM,
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
    #: a first send of it may have reached SIASN before a hard kill (``KirimanSiasn.dikirim_at`` set, no
    #: SIASN id): it is reconciled with SIASN's riwayat (``RIWAYAT``) before anything is posted
    ragu: bool = False


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
def kunci_kirim(instansi: Instansi) -> Iterator[threading.Event]:
    """One send run per instansi at a time: a Redis lease renewed by a thread until the run ends (a
    crashed process stops renewing it, and it lapses after ``KUNCI_LEASE`` seconds). Yields an event set
    when the lease is found lost (it lapsed, or Redis lost it): another run may have started, so the
    sender starts no new call (``_kirim_antrean``)."""
    import redis
    from django.conf import settings

    conn = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    # thread_local=False: the renewing thread must see the token the acquiring thread got (redis-py keeps it
    # thread-local by default, and reacquire() from another thread then fails: the lease would lapse)
    lock = conn.lock(
        f"kinerja:siasn_kirim:{instansi.pk}", timeout=KUNCI_LEASE, blocking=False, thread_local=False
    )
    if not lock.acquire():
        raise InvalidTransition(
            _("Pengiriman ke SIASN untuk instansi ini sedang berjalan; tunggu sampai selesai.")
        )
    selesai, hilang = threading.Event(), threading.Event()

    def perpanjang() -> None:
        while not selesai.wait(KUNCI_LEASE / 3):
            try:
                lock.reacquire()
            except LockNotOwnedError:  # lapsed or taken: another run may be sending the same results
                logger.error("siasn_kirim: the lock of instansi %s was lost; no new call starts", instansi.pk)
                hilang.set()
                return
            except redis.RedisError:  # Redis unreachable for now: the lease still runs, try again
                logger.warning("siasn_kirim: could not renew the lock of instansi %s", instansi.pk)

    t = threading.Thread(target=perpanjang, name=f"siasn-kunci-{instansi.pk}", daemon=True)
    t.start()
    try:
        yield hilang
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
    with kunci_kirim(instansi) as kunci_hilang:
        butir = butir_siasn(instansi=instansi, tahun=tahun, jenis=jenis)
        kiriman = {
            (k.jenis, k.evaluasi_id): k
            for k in KirimanSiasn.objects.filter(instansi=instansi, tahun=tahun, jenis__in=jenis)
        }
        ids = dict(PegawaiSiasn.objects.filter(instansi=instansi).values_list("pegawai_id", "siasn_id"))
        hasil.total = len(butir)
        antre: list[Butir] = []
        tak_terkode: list[_Jawaban] = []
        for b in butir:
            if b.galat or b.payload is None:
                hasil.gagal += 1
                hasil.kegagalan.append({"nip": b.nip, "jenis": b.jenis, "pesan": b.galat})
                k = kiriman.get((b.jenis, b.evaluasi_id))  # a send in doubt stays in doubt
                tak_terkode.append(
                    _Jawaban(b, False, pesan=b.galat, ragu=bool(k and k.dikirim_at and not k.siasn_id))
                )
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
            b.ragu = bool(k and k.dikirim_at and not k.siasn_id)
            antre.append(b)
        if dry_run:
            hasil.payloads = [b.payload for b in antre if b.payload is not None]
            return hasil
        for i in range(0, len(tak_terkode), SIMPAN_MAKS):  # reported and audited, in bulk
            _simpan_jawaban(
                instansi=instansi,
                tahun=tahun,
                job_id=job_id,
                pegawai=[],
                gagal=tak_terkode[i : i + SIMPAN_MAKS],
            )
        done = hasil.total - len(antre)
        if progres:
            progres(done, hasil)
        if antre:
            _kirim_antrean(
                instansi=instansi, tahun=tahun, antre=antre, ids=ids, job_id=job_id, hasil=hasil,
                client_factory=client_factory, progres=progres, done=done, berhenti=kunci_hilang.is_set,
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


#: SIASN's riwayat of each kind (``GET pns/{jalur}/{nip}``), asked only for a result in doubt
RIWAYAT: dict[str, str] = {
    JenisKirimanSiasn.SKP22: "rw-skp22",
    JenisKirimanSiasn.PERIODIK: "rw-kinerjaperiodik",
    JenisKirimanSiasn.ANGKA_KREDIT: "rw-angkakredit",
}
#: the fields that make a riwayat record "the same result" as the payload: the year, and the period of a
#: periodic result or an angka kredit (several per year are legitimate) [VERIFY: docs/siasn.md]
_KUNCI_COCOK: dict[str, tuple[str, ...]] = {
    JenisKirimanSiasn.SKP22: ("tahun",),
    JenisKirimanSiasn.PERIODIK: ("tahun", "periodeMulai", "periodeSelesai"),
    JenisKirimanSiasn.ANGKA_KREDIT: (
        "tahunMulaiPenailan", "bulanMulaiPenailan", "tahunSelesaiPenailan", "bulanSelesaiPenailan",
    ),
}  # fmt: skip


@dataclass
class _Rekon:
    """The reconciliation of one in-doubt result: the riwayat's answer and what was made of it."""

    http_status: int | None
    jawaban: Any
    jalur: str = "pns/rw-skp22"  # the riwayat asked (the audit's endpoint)
    siasn_id: str = ""  # the record of that year SIASN holds (adopted), "" when none
    jumlah: int = 0  # records of that year SIASN holds (more than one: an older duplicate)
    sama: bool = False  # SIASN's record already has the values of the payload (nothing posted)
    galat: str = ""  # the lookup failed (after retries): nothing posted


@dataclass
class _PostRagu:
    """A first save whose answer was ambiguous (timeout or dropped connection after sending, 5xx): SIASN may
    have stored it; it was not repeated blind (audited as such)."""

    http_status: int | None
    pesan: str
    jawaban: Any
    payload: dict[str, Any]  # as it was posted (``id`` null)


@dataclass
class _Jawaban:
    """What a worker thread brings back for one result (no database work happens in the threads)."""

    butir: Butir
    ok: bool
    http_status: int | None = None
    siasn_id: str = ""
    pesan: str = ""
    jawaban: Any = None
    sementara: bool = False
    #: a save was posted (or refused before sending): audited as such; False when the reconciliation
    #: adopted SIASN's record unchanged, or its lookup failed
    dikirim: bool = True
    #: SIASN may hold a record of it that Kinerja does not know: the intent (``dikirim_at``) stays
    ragu: bool = False
    rekon: _Rekon | None = None  # the last reconciliation (its adopted id is kept even if the save failed)
    #: every reconciliation and every ambiguous first save before the answer, in order (audited)
    langkah: list[_Rekon | _PostRagu] = field(default_factory=list)


#: the fields of a riwayat record compared with the payload (SIASN's values of the result)
_NILAI = ("hasilKinerjaNilai", "perilakuKerjaNilai", "kuadranKinerjaNilai")
_PENILAI = (
    "penilaiNipNrp",
    "penilaiNama",
    "penilaiJabatan",
    "penilaiUnorNama",
    "penilaiGolongan",
    "statusPenilai",
)
_KREDIT = ("kreditUtamaBaru", "kreditPenunjangBaru", "kreditBaruTotal")
_FIELD_BANDING: dict[str, tuple[str, ...]] = {
    JenisKirimanSiasn.SKP22: _NILAI + _PENILAI,
    JenisKirimanSiasn.PERIODIK: _NILAI + _PENILAI,
    JenisKirimanSiasn.ANGKA_KREDIT: _KREDIT,
}
#: without these a record is never taken as equal (the update is sent)
_FIELD_WAJIB: dict[str, tuple[str, ...]] = {
    JenisKirimanSiasn.SKP22: _NILAI,
    JenisKirimanSiasn.PERIODIK: _NILAI,
    JenisKirimanSiasn.ANGKA_KREDIT: ("kreditBaruTotal",),
}


def _sama_nilai(a: Any, b: Any) -> bool:
    """Equal as text, or as numbers (SIASN may answer ``2`` for ``"2"`` or ``"10.50"`` for ``"10.5"``)."""
    ta, tb = str(a).strip(), str(b).strip()
    if ta == tb:
        return True
    try:
        return Decimal(ta) == Decimal(tb)
    except (InvalidOperation, ValueError):
        return False


def _rekaman_sama(
    payload: dict[str, Any], rekaman: dict[str, Any], jenis: str = JenisKirimanSiasn.SKP22
) -> bool:
    """SIASN's record holds the payload's values: the required ones always, the others it returns."""
    if any(rekaman.get(k) is None for k in _FIELD_WAJIB[jenis]):
        return False
    return all(
        _sama_nilai(rekaman[k], payload.get(k, ""))
        for k in _FIELD_BANDING[jenis]
        if k in rekaman and rekaman[k] is not None
    )


def _rekaman_cocok(payload: dict[str, Any], rekaman: dict[str, Any], jenis: str) -> bool:
    """The riwayat record is of the payload's year (and period): ``_KUNCI_COCOK``."""
    return bool(rekaman.get("id")) and all(
        rekaman.get(k) is not None and _sama_nilai(rekaman[k], payload.get(k)) for k in _KUNCI_COCOK[jenis]
    )


def _rekonsiliasi(client: SiasnClient, b: Butir) -> tuple[_Rekon, _Jawaban | None]:
    """In a worker thread, for an in-doubt result: ask SIASN which records of that kind the pegawai has
    (``RIWAYAT``). The record of the same year (and period) is adopted (``payload["id"]``). Returns the
    reconciliation and, when nothing is to be posted (the lookup failed, or the record already has these
    values), the result's answer."""
    payload: dict[str, Any] = b.payload or {}
    jalur = RIWAYAT[b.jenis]
    try:
        rows, status, body = client.riwayat(jalur, b.nip)
    except SiasnAuthError:
        raise
    except SiasnError as exc:
        rekon = _Rekon(exc.status, exc.jawaban, jalur="pns/" + jalur, galat=exc.pesan)
        return rekon, _Jawaban(
            b, False, exc.status, pesan=exc.pesan, jawaban=exc.jawaban, sementara=exc.sementara,
            dikirim=False, ragu=True, rekon=rekon,
        )  # fmt: skip
    cocok = [r for r in rows if _rekaman_cocok(payload, r, b.jenis)]
    rekon = _Rekon(status, body, jalur="pns/" + jalur, jumlah=len(cocok))
    if cocok:
        rekaman = cocok[0]
        rekon.siasn_id = payload["id"] = str(rekaman["id"])
        if _rekaman_sama(payload, rekaman, b.jenis):
            rekon.sama = True
            return rekon, _Jawaban(b, True, status, siasn_id=rekon.siasn_id, dikirim=False, rekon=rekon)
    return rekon, None


@dataclass
class _HasilPegawai:
    pegawai_id: int
    data_utama: dict[str, Any] | None  # a fresh data-utama lookup (to store), else None
    jawaban: list[_Jawaban]


def _kirim_pegawai(client: SiasnClient, kelompok: list[Butir], pns: str | None) -> _HasilPegawai:
    """In a worker thread: one pegawai's results, in order: its SIASN id once (when not known), then one
    save per result. HTTP only; the main thread stores what comes back. ``SiasnAuthError`` propagates."""
    pegawai_id = kelompok[0].pegawai_id
    data: dict[str, Any] | None = None
    if not pns:
        try:
            data = client.data_utama(kelompok[0].nip)
        except SiasnAuthError:
            raise
        except SiasnError as exc:
            gagal = [  # a result in doubt from an earlier run stays in doubt (nothing was asked)
                _Jawaban(
                    b,
                    False,
                    exc.status,
                    pesan=exc.pesan,
                    jawaban=exc.jawaban,
                    sementara=exc.sementara,
                    ragu=b.ragu,
                )
                for b in kelompok
            ]
            return _HasilPegawai(pegawai_id, None, gagal)
        pns = str(data["id"])
    out: list[_Jawaban] = []
    for b in kelompok:
        b.payload[FIELD_PNS[b.jenis]] = pns  # type: ignore[index]
        out.append(_kirim_butir(client, b))
    return _HasilPegawai(pegawai_id, data, out)


def _kirim_butir(client: SiasnClient, b: Butir) -> _Jawaban:
    """In a worker thread: one result. In doubt from an earlier run: reconciled first. A first save whose
    answer is ambiguous (``SiasnError.ragu``: SIASN may have stored it) is not posted again blind: after
    the backoff the riwayat is asked; a record of that year (and period) is adopted (nothing posted when it
    has these values, else an update with its id), and only when SIASN has none is the save posted again,
    at most ``max_retries`` times. If the lookup fails, the result stays in doubt for the next run."""
    langkah: list[_Rekon | _PostRagu] = []
    rekon: _Rekon | None = None

    def rekonsiliasi() -> _Jawaban | None:
        nonlocal rekon
        rekon, selesai = _rekonsiliasi(client, b)
        langkah.append(rekon)
        if selesai is not None:
            selesai.langkah = langkah
        return selesai

    if b.ragu and (selesai := rekonsiliasi()) is not None:
        return selesai
    payload: dict[str, Any] = b.payload  # type: ignore[assignment]
    percobaan = 0
    while True:
        baru = payload["id"] is None
        try:
            rid, status, jawaban = client.simpan(ENDPOINT[b.jenis], payload)  # type: ignore[index]
        except SiasnAuthError:
            raise
        except SiasnError as exc:
            if exc.ragu and percobaan < client.config.max_retries:
                langkah.append(_PostRagu(exc.status, exc.pesan, exc.jawaban, dict(payload)))
                client.jeda_ulang(percobaan)
                percobaan += 1
                if (selesai := rekonsiliasi()) is not None:
                    return selesai
                continue  # adopted (an update follows) or none in SIASN (a first save again)
            # a first send SIASN did not clearly refuse (timeout, 5xx, an answer without id) may be stored
            pasti = exc.status is not None and 400 <= exc.status < 500
            return _Jawaban(
                b, False, exc.status, pesan=exc.pesan, jawaban=exc.jawaban, sementara=exc.sementara,
                ragu=baru and not pasti, rekon=rekon, langkah=langkah,
            )  # fmt: skip
        return _Jawaban(b, True, status, siasn_id=rid, jawaban=jawaban, rekon=rekon, langkah=langkah)


#: Answers are written (in bulk, one transaction) at least this often and at most this many at a time.
SIMPAN_DETIK = 0.25
SIMPAN_MAKS = 200


def _simpan_jawaban(
    *, instansi: Instansi, tahun: int, job_id: int | None, pegawai: list[_HasilPegawai], gagal: list[_Jawaban]
) -> None:
    """Store a batch of answers in one transaction, set-based: the SIASN ids looked up (one upsert), the
    results' state (one upsert for the sent ones, one for the failed ones: a failure keeps the record id
    SIASN gave before) and the audit rows (one insert)."""
    now = timezone.now()
    ids = [
        PegawaiSiasn(
            instansi=instansi, pegawai_id=h.pegawai_id, siasn_id=str(h.data_utama["id"]), data=h.data_utama
        )
        for h in pegawai
        if h.data_utama is not None
    ]
    semua = [j for h in pegawai for j in h.jawaban] + gagal
    if not ids and not semua:
        return
    kunci = ["instansi", "jenis", "evaluasi"]
    umum = ["pegawai", "tahun", "status", "pesan", "http_status", "updated_at"]
    # one upsert per set of columns: sent (id, hash, the intent cleared), refused (the intent cleared; the
    # record id SIASN gave before is kept), refused after adopting SIASN's record (its id kept), and a
    # first send that may have reached SIASN (the intent stays: the next run reconciles it)
    tulis: dict[tuple[str, ...], list[KirimanSiasn]] = {}
    log: list[LogSiasn] = []
    for j in semua:
        b = j.butir
        h = payload_hash(b.payload) if b.payload else ""
        k = KirimanSiasn(
            instansi=instansi, jenis=b.jenis, evaluasi_id=b.evaluasi_id, pegawai_id=b.pegawai_id, tahun=tahun,
            status=StatusKirimanSiasn.TERKIRIM if j.ok else StatusKirimanSiasn.GAGAL, pesan=j.pesan[:2000],
            http_status=j.http_status, dikirim_at=None,
        )  # fmt: skip
        if j.ok:
            k.siasn_id, k.payload_hash, k.terkirim_at = j.siasn_id, h, now
            kolom = (*umum, "siasn_id", "payload_hash", "terkirim_at", "dikirim_at")
        elif j.ragu:
            kolom = tuple(umum)
        elif j.rekon is not None and j.rekon.siasn_id:
            k.siasn_id = j.rekon.siasn_id
            kolom = (*umum, "siasn_id", "dikirim_at")
        else:
            kolom = (*umum, "dikirim_at")
        tulis.setdefault(kolom, []).append(k)
        for r in j.langkah:
            if isinstance(r, _PostRagu):
                pesan = _(
                    "Jawaban simpan tidak pasti (SIASN mungkin sudah menyimpannya); tidak diulang begitu saja, "
                    "riwayat SIASN ditanyakan: %(pesan)s"
                ) % {"pesan": r.pesan}
                log.append(
                    LogSiasn(
                        instansi=instansi, job_id=job_id, pegawai_id=b.pegawai_id, nip=b.nip, tahun=tahun,
                        jenis=b.jenis, endpoint=ENDPOINT[b.jenis], payload=r.payload, payload_hash=h,  # type: ignore[index]
                        versi_kode=kode.VERSI, hasil=StatusKirimanSiasn.GAGAL, http_status=r.http_status,
                        pesan=pesan[:2000], jawaban=r.jawaban,
                    )
                )  # fmt: skip
                continue
            log.append(
                LogSiasn(
                    instansi=instansi, job_id=job_id, pegawai_id=b.pegawai_id, nip=b.nip, tahun=tahun,
                    jenis=b.jenis, endpoint=r.jalur, payload={}, versi_kode=kode.VERSI,
                    hasil=StatusKirimanSiasn.GAGAL if r.galat else StatusKirimanSiasn.TERKIRIM,
                    http_status=r.http_status, siasn_id=r.siasn_id, pesan=pesan_rekon(r, tahun)[:2000],
                    jawaban=r.jawaban,
                )
            )  # fmt: skip
        if not j.dikirim:
            continue
        log.append(
            LogSiasn(
                instansi=instansi, job_id=job_id, pegawai_id=b.pegawai_id, nip=b.nip, tahun=tahun, jenis=b.jenis,
                endpoint=ENDPOINT[b.jenis], payload=b.payload or {}, payload_hash=h, versi_kode=kode.VERSI,  # type: ignore[index]
                hasil=StatusKirimanSiasn.TERKIRIM if j.ok else StatusKirimanSiasn.GAGAL, http_status=j.http_status,
                siasn_id=j.siasn_id, pesan=j.pesan[:2000], jawaban=j.jawaban,
            )
        )  # fmt: skip
    with transaction.atomic():
        if ids:
            PegawaiSiasn.objects.bulk_create(
                ids,
                update_conflicts=True,
                unique_fields=["pegawai"],
                update_fields=["siasn_id", "data", "updated_at"],
            )
        for kolom, baris in tulis.items():
            KirimanSiasn.objects.bulk_create(
                baris, update_conflicts=True, unique_fields=kunci, update_fields=list(kolom)
            )
        LogSiasn.objects.bulk_create(log)


def pesan_rekon(r: _Rekon, tahun: int) -> str:
    """The audit's words for a reconciliation (built in the calling thread: gettext)."""
    if r.galat:
        return _("Rekonsiliasi dengan SIASN (%(endpoint)s) gagal; tidak dikirim: %(pesan)s") % {
            "endpoint": r.jalur,
            "pesan": r.galat,
        }
    if r.siasn_id and r.sama:
        pesan = _(
            "Rekonsiliasi: SIASN sudah menyimpan rekaman %(id)s tahun %(tahun)s dengan nilai yang sama; "
            "id diambil, tidak dikirim ulang."
        ) % {"id": r.siasn_id, "tahun": tahun}
    elif r.siasn_id:
        pesan = _(
            "Rekonsiliasi: SIASN sudah menyimpan rekaman %(id)s tahun %(tahun)s dengan nilai lain; "
            "id diambil, dikirim sebagai perubahan."
        ) % {"id": r.siasn_id, "tahun": tahun}
    else:
        pesan = _(
            "Rekonsiliasi: SIASN belum menyimpan rekaman tahun %(tahun)s; dikirim sebagai rekaman baru."
        ) % {"tahun": tahun}
    if r.jumlah > 1:
        pesan += " " + _("SIASN menyimpan %(n)d rekaman tahun ini; periksa duplikat.") % {"n": r.jumlah}
    return pesan


def _tarik_niat(*, instansi: Instansi, butir: list[Butir]) -> None:
    """Withdraw the intent of results whose calls never started (after a crash): the rows the intent created
    are deleted, the others lose ``dikirim_at``; two statements, one transaction. A result with a SIASN id
    is left alone, and so is one in doubt from an earlier run (``Butir.ragu``: its intent is not this run's)."""
    per_jenis: dict[str, list[int]] = {}
    for b in butir:
        if b.ragu:
            continue
        per_jenis.setdefault(b.jenis, []).append(b.evaluasi_id)
    if not per_jenis:
        return
    q = Q()
    for jenis, evs in per_jenis.items():
        q |= Q(jenis=jenis, evaluasi_id__in=evs)
    qs = KirimanSiasn.objects.filter(q, instansi=instansi, siasn_id="", dikirim_at__isnull=False)
    with transaction.atomic():
        qs.filter(status=STATUS_DIKIRIM).delete()
        qs.update(dikirim_at=None, updated_at=timezone.now())


def _tandai_dikirim(*, instansi: Instansi, tahun: int, butir: list[Butir]) -> None:
    """The write-ahead intent of a chunk: its first sends (``id`` null) are marked ``dikirim_at`` in one
    statement, committed before any of their calls (a new row says "dikirim")."""
    now = timezone.now()
    baris = [
        KirimanSiasn(
            instansi=instansi,
            jenis=b.jenis,
            evaluasi_id=b.evaluasi_id,
            pegawai_id=b.pegawai_id,
            tahun=tahun,
            status=STATUS_DIKIRIM,
            dikirim_at=now,
        )
        for b in butir
        if b.payload is not None and b.payload.get("id") is None
    ]
    if baris:
        with transaction.atomic():
            KirimanSiasn.objects.bulk_create(
                baris,
                update_conflicts=True,
                unique_fields=["instansi", "jenis", "evaluasi"],
                update_fields=["dikirim_at", "updated_at"],
            )


def _kirim_antrean(
    *,
    instansi: Instansi,
    tahun: int,
    antre: list[Butir],
    ids: dict[int, str],
    job_id: int | None,
    hasil: HasilKirim,
    client_factory: Callable[[], SiasnClient] | None,
    progres: Callable[[int, HasilKirim], None] | None,
    done: int,
    berhenti: Callable[[], bool] = lambda: False,
) -> None:
    """Send the queue with a bounded pool of worker threads (``KINERJA_SIASN_CONCURRENCY``) sharing the one
    client, hence the one rate limit; the database work stays in this thread (see the module docstring)."""
    from evaluasi.siasn.config import siasn_config_for

    client = client_factory() if client_factory else SiasnClient(siasn_config_for(instansi.kode))
    konkurensi = max(1, client.config.konkurensi)
    kelompok: dict[int, list[Butir]] = {}
    for b in antre:  # one task per pegawai: its SIASN id is looked up once for all its results
        kelompok.setdefault(b.pegawai_id, []).append(b)
    grup = list(kelompok.values())
    pos = tandai = 0  # next group to start; groups before ``tandai`` have their intent written
    jalan: dict[Future[_HasilPegawai], list[Butir]] = {}
    buf_pegawai: list[_HasilPegawai] = []
    buf_gagal: list[_Jawaban] = []
    state = {"beruntun": 0, "done": done, "dijawab": False, "done_progres": done}
    terakhir_simpan = terakhir_progres = time.monotonic()

    def simpan() -> None:
        nonlocal terakhir_simpan
        _simpan_jawaban(instansi=instansi, tahun=tahun, job_id=job_id, pegawai=buf_pegawai, gagal=buf_gagal)
        buf_pegawai.clear()
        buf_gagal.clear()
        terakhir_simpan = time.monotonic()

    def terima(h: _HasilPegawai) -> None:
        if h.data_utama is not None:
            ids[h.pegawai_id] = str(h.data_utama["id"])
        buf_pegawai.append(h)
        for j in h.jawaban:
            if j.rekon is not None and j.rekon.galat:
                j.pesan = pesan_rekon(j.rekon, tahun)
            state["done"] += 1
            if j.ok:
                hasil.terkirim += 1
            else:
                hasil.gagal += 1
                hasil.kegagalan.append({"nip": j.butir.nip, "jenis": j.butir.jenis, "pesan": j.pesan})
            # any real answer (accepted, or a 4xx for that pegawai) shows SIASN is up
            state["beruntun"] = state["beruntun"] + 1 if j.sementara else 0
            state["dijawab"] = state["dijawab"] or not j.sementara

    pool = ThreadPoolExecutor(max_workers=konkurensi, thread_name_prefix=f"siasn-kirim-{instansi.pk}")
    try:
        while True:
            # slow start and probing: one pegawai in flight until SIASN has answered something, and again
            # after a transient failure (a SIASN in trouble is not hit by the whole pool at once)
            jendela = konkurensi if state["dijawab"] and not state["beruntun"] else 1
            while state["beruntun"] < MAX_BERUNTUN_SEMENTARA and len(jalan) < jendela and not berhenti():
                if pos >= len(grup):
                    break
                if pos >= tandai:  # the next chunk's intent, committed before its first call
                    akhir, n = pos, 0
                    while akhir < len(grup) and n < SIMPAN_MAKS:
                        n += len(grup[akhir])
                        akhir += 1
                    _tandai_dikirim(
                        instansi=instansi, tahun=tahun, butir=[b for g in grup[pos:akhir] for b in g]
                    )
                    tandai = akhir
                grp = grup[pos]
                pos += 1
                jalan[pool.submit(_kirim_pegawai, client, grp, ids.get(grp[0].pegawai_id))] = grp
            if not jalan:
                if berhenti() and pos < len(grup):  # the run lock was lost: stop, store, report
                    raise InvalidTransition(
                        _(
                            "Pengiriman ke SIASN dihentikan: kunci pengiriman instansi ini hilang (Redis). "
                            "Jalankan lagi; yang sudah terkirim tidak dikirim ulang."
                        )
                    )
                break
            selesai, _sisa = wait(jalan, timeout=SIMPAN_DETIK, return_when=FIRST_COMPLETED)
            for f in selesai:
                jalan.pop(f)
                terima(f.result())  # SiasnAuthError (or a crash in the thread) ends the run here
            now = time.monotonic()
            if buf_pegawai and (
                now - terakhir_simpan >= SIMPAN_DETIK
                or sum(len(h.jawaban) for h in buf_pegawai) >= SIMPAN_MAKS
            ):
                simpan()
            if (
                progres
                and state["done"] > state["done_progres"]
                and (
                    now - terakhir_progres >= PROGRES_DETIK
                    or state["done"] - state["done_progres"] >= PROGRES_SETIAP
                )
            ):
                simpan()  # the progress bar never runs ahead of what is stored
                progres(state["done"], hasil)
                terakhir_progres, state["done_progres"] = now, state["done"]
        if state["beruntun"] >= MAX_BERUNTUN_SEMENTARA:
            pesan = _("Tidak dikirim: SIASN tidak tersedia (%(n)d gangguan berturut-turut).") % {
                "n": MAX_BERUNTUN_SEMENTARA
            }
            for grp in grup[pos:]:
                for rest in grp:
                    hasil.gagal += 1
                    hasil.kegagalan.append({"nip": rest.nip, "jenis": rest.jenis, "pesan": pesan})
                    buf_gagal.append(_Jawaban(rest, False, pesan=pesan, ragu=rest.ragu))
            state["done"] = hasil.total
        simpan()
    finally:
        # a crash (an exception here or in a thread, a worker shutdown): nothing new starts, the calls in
        # flight end (each bounded by the timeout and retries) and every answer SIASN gave is stored, so a
        # re-run sends none of them again
        for f in jalan:
            f.cancel()
        pool.shutdown(wait=True)
        buf_pegawai.extend(
            f.result() for f in jalan if f.done() and not f.cancelled() and f.exception() is None
        )
        # the intent of what never started (marked with its chunk, or cancelled) is withdrawn: not in doubt
        batal = [b for g in grup[pos:tandai] for b in g] + [
            b for f, g in jalan.items() if f.cancelled() for b in g
        ]
        try:
            if buf_pegawai or buf_gagal:
                simpan()
            _tarik_niat(instansi=instansi, butir=batal)
        except Exception:  # the database itself may be what failed: the original error propagates
            logger.exception("siasn_kirim: could not store %d answers after a crash", len(buf_pegawai))
        client.close()
    if progres:
        progres(state["done"], hasil)
