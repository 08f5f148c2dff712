"""Signatures are REAL PAdES signatures, trusted by the instansi CA, and tampering is detected."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from kinerja import signing
from kinerja.models import Dokumen, DokumenWriteOnceError
from kinerja.selectors.dokumen import dokumen_by_public_code_dangerously_unscoped
from kinerja.services.dokumen import StatusVerifikasi, dokumen_verify_upload
from tests.conftest import Org
from tests.dokumen.conftest import full_plan, read, render

pytestmark = pytest.mark.django_db


def _validate(data: bytes, roots_pem: str) -> Any:
    reader = PdfFileReader(io.BytesIO(data))
    sigs = reader.embedded_signatures
    assert len(sigs) == 1
    vc = ValidationContext(trust_roots=signing.load_trust_roots(roots_pem), allow_fetching=False)
    return sigs[0], signing.outside_event_loop(validate_pdf_signature, sigs[0], vc)


@pytest.fixture
def signed(org_a: Org, api: Any) -> tuple[Dokumen, bytes]:
    plan = full_plan(api, org_a)
    dok = render(org_a, plan["pegawai"]["id"])
    return dok, read(dok)


def _ca_pem(org: Org) -> str:
    return (Path(signing._demo_dir(org.instansi)) / "ca.pem").read_text()


def test_signature_is_pades_intact_and_trusted_by_instansi_ca(
    org_a: Org, signed: tuple[Dokumen, bytes]
) -> None:
    dok, data = signed
    sig, status = _validate(data, _ca_pem(org_a))  # the CA file on disk, not the copy on the record
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "DEMO - BUKAN UNTUK PRODUKSI" in status.signing_cert.subject.human_friendly
    assert status.signing_cert.sha256.hex() == dok.sertifikat_sha256
    import hashlib

    assert hashlib.sha256(data).hexdigest() == dok.sha256
    assert len(data) == dok.ukuran
    assert dok.demo
    assert "DEMO - BUKAN UNTUK PRODUKSI" in dok.sertifikat_subjek


def test_one_byte_change_is_detected(org_a: Org, signed: tuple[Dokumen, bytes]) -> None:
    dok, data = signed
    # a byte inside the signed range (the page content), far from the signature itself
    tampered = bytearray(data)
    pos = data.index(b"stream") + 40
    tampered[pos] ^= 0x01
    _sig, status = _validate(bytes(tampered), _ca_pem(org_a))
    assert not status.intact
    assert not status.trusted
    pub = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert pub is not None
    assert dokumen_verify_upload(dokumen=pub, data=bytes(tampered)).status == StatusVerifikasi.TIDAK_VALID
    assert dokumen_verify_upload(dokumen=pub, data=data).status == StatusVerifikasi.ASLI


@pytest.mark.parametrize("where", ["awal", "tengah", "akhir"])
def test_any_single_byte_flip_is_never_reported_authentic(
    org_a: Org, signed: tuple[Dokumen, bytes], where: str
) -> None:
    dok, data = signed
    pos = {"awal": 20, "tengah": len(data) // 2, "akhir": len(data) - 30}[where]
    tampered = bytearray(data)
    tampered[pos] ^= 0x20
    pub = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert pub is not None
    assert dokumen_verify_upload(dokumen=pub, data=bytes(tampered)).status != StatusVerifikasi.ASLI


def test_resigned_by_another_party_is_reported(org_a: Org, org_b: Org, signed: tuple[Dokumen, bytes]) -> None:
    dok, data = signed
    pub = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert pub is not None
    other = OtherPartySigner()
    # (1) our PDF with a second signature appended by another key (instansi B's demo CA)
    resigned = other.sign(data, instansi=org_b.instansi, reason="ubah", location="x")
    hasil = dokumen_verify_upload(dokumen=pub, data=resigned)
    assert hasil.status == StatusVerifikasi.DITANDATANGANI_ULANG
    # (2) a different PDF, validly signed but by someone else
    from kinerja.documents import html_to_pdf

    foreign = other.sign(
        html_to_pdf("<p>Dokumen lain</p>"), instansi=org_b.instansi, reason="x", location="y"
    )
    assert dokumen_verify_upload(dokumen=pub, data=foreign).status == StatusVerifikasi.DITANDATANGANI_ULANG


def test_unsigned_or_not_pdf_is_unknown(signed: tuple[Dokumen, bytes]) -> None:
    from kinerja.documents import html_to_pdf

    dok, _data = signed
    pub = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert pub is not None
    assert (
        dokumen_verify_upload(dokumen=pub, data=html_to_pdf("<p>x</p>")).status
        == StatusVerifikasi.TIDAK_DIKENAL
    )
    assert (
        dokumen_verify_upload(dokumen=pub, data=b"%PDF-1.7 garbage").status == StatusVerifikasi.TIDAK_DIKENAL
    )


def test_other_genuine_document_of_ours_is_not_this_one(
    org_a: Org, api: Any, signed: tuple[Dokumen, bytes]
) -> None:
    dok, _data = signed
    with scope(instansi=org_a.instansi.pk):
        kepala_skp = Dokumen.objects.exclude(pk=dok.pk).count()
    assert kepala_skp == 0
    from skp.tasks import skp_document_render_task

    with scope(instansi=org_a.instansi.pk):
        from skp.models import Skp

        other_id = Skp.objects.exclude(pk=int(dok.sumber_id or 0)).filter(status="disetujui").first().pk
    other_pk = skp_document_render_task(org_a.instansi.pk, other_id)
    with scope(instansi=org_a.instansi.pk):
        other = Dokumen.objects.get(pk=other_pk)
    pub = dokumen_by_public_code_dangerously_unscoped(kode=dok.kode)
    assert pub is not None
    assert dokumen_verify_upload(dokumen=pub, data=read(other)).status == StatusVerifikasi.TIDAK_DIKENAL


def test_stored_document_is_write_once(org_a: Org, signed: tuple[Dokumen, bytes]) -> None:
    dok, _data = signed
    with scope(instansi=org_a.instansi.pk):
        d = Dokumen.objects.get(pk=dok.pk)
        d.sha256 = "0" * 64
        with pytest.raises(DokumenWriteOnceError):
            d.save()
        with pytest.raises(DokumenWriteOnceError):
            Dokumen.objects.filter(pk=dok.pk).update(berkas="lain.pdf")
        # metadata may change
        Dokumen.objects.filter(pk=dok.pk).update(metadata={"catatan": "ok"})
    # even raw SQL cannot change the file or its hash (PostgreSQL trigger)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE kinerja_dokumen SET sha256 = %s WHERE id = %s", ["1" * 64, dok.pk])
    # and the file on disk is read-only
    assert not (Path(dok.berkas.path).stat().st_mode & 0o222)


def test_p12_from_environment_is_used(org_a: Org, api: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """Production path: KINERJA_P12_<KODE> + _PASSWORD, chain with its root inside the PKCS#12."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca_pem, p12 = signing._demo_generate(instansi=org_a.instansi, password=b"rahasia")
    # re-label to prove this key (not the demo one) signed
    _key, cert, _chain = pkcs12.load_key_and_certificates(p12, b"rahasia")
    path = tmp_path / "instansi-a.p12"
    path.write_bytes(p12)
    monkeypatch.setenv("KINERJA_P12_A", str(path))
    monkeypatch.setenv("KINERJA_P12_A_PASSWORD", "rahasia")
    monkeypatch.setattr(signing, "_signer_instance", None)
    plan = full_plan(api, org_a)
    dok = render(org_a, plan["pegawai"]["id"])
    assert cert is not None
    assert dok.sertifikat_serial == format(cert.serial_number, "x")
    _sig, status = _validate(read(dok), ca_pem.decode())
    assert status.trusted


def test_without_key_and_demo_off_signing_refuses(
    org_a: Org, api: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.KINERJA_DEMO_CA = False
    monkeypatch.setattr(signing, "_signer_instance", None)
    plan = full_plan(api, org_a)
    from skp.tasks import skp_document_render_task

    with pytest.raises(signing.SigningNotConfigured):
        skp_document_render_task(org_a.instansi.pk, plan["pegawai"]["id"])
    with scope(instansi=org_a.instansi.pk):
        assert not Dokumen.objects.exists()


class OtherPartySigner(signing.Pkcs12FileSigner):
    field_name = "TandaTanganPihakLain"


class RecordingSigner(signing.Pkcs12FileSigner):
    """A stand-in for a national e-signature service or HSM (the interface is what matters)."""

    calls: list[str] = []

    def sign(self, pdf_bytes: bytes, *, instansi: Any, reason: str, location: str) -> bytes:
        RecordingSigner.calls.append(reason)
        return super().sign(pdf_bytes, instansi=instansi, reason=reason, location=location)


def test_signer_is_pluggable_by_setting(org_a: Org, api: Any, settings: Any, monkeypatch: Any) -> None:
    settings.KINERJA_SIGNER_CLASS = "tests.dokumen.test_signing.RecordingSigner"
    monkeypatch.setattr(signing, "_signer_instance", None)
    RecordingSigner.calls = []
    plan = full_plan(api, org_a)
    render(org_a, plan["pegawai"]["id"])
    assert RecordingSigner.calls == ["Penetapan Sasaran Kinerja Pegawai 2026"]
    assert isinstance(signing.get_signer(), signing.DocumentSigner)


def test_signing_time_and_demo_ca_are_reused(org_a: Org, signed: tuple[Dokumen, bytes]) -> None:
    dok, _data = signed
    assert abs(dok.ditandatangani_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    first = (Path(signing._demo_dir(org_a.instansi)) / "signer.p12").stat().st_mtime
    signing.demo_ca_ensure(instansi=org_a.instansi)
    assert (Path(signing._demo_dir(org_a.instansi)) / "signer.p12").stat().st_mtime == first
