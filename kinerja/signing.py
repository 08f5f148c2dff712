"""Electronic signatures for documents: a pluggable signer, PAdES via pyHanko.

Which signer runs is set by ``KINERJA_SIGNER_CLASS`` (Django setting, else the environment variable
of the same name; default ``kinerja.signing.Pkcs12FileSigner``). A national e-signature service or
an HSM plugs in by implementing :class:`DocumentSigner` (``sign`` + ``trust_roots_pem``).

``Pkcs12FileSigner`` key material per instansi (``<KODE>`` = instansi kode, upper case, every
character other than A-Z/0-9 replaced by ``_``):

* ``KINERJA_P12_<KODE>``: path of the instansi's PKCS#12 file (key + certificate + chain);
* ``KINERJA_P12_<KODE>_PASSWORD``: its password (may be empty);
* ``KINERJA_P12_<KODE>_CA`` (optional): PEM file with the trust anchor(s) verifiers must trust,
  when the PKCS#12 does not contain the root CA itself.

Each may be a Django setting or an environment variable. Without them, and while
``KINERJA_DEMO_CA`` is true (default; set it to ``0`` in production), a self-signed demo CA and a
signing certificate issued by it are generated on first use under ``MEDIA_ROOT/keys/<kode>/``.
Their subjects say "DEMO - BUKAN UNTUK PRODUKSI". Optional ``KINERJA_TSA_URL`` adds an RFC 3161
timestamp (PAdES B-T) from that time-stamping authority.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import hmac
import io
import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from kinerja.models import Instansi

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEMO_LABEL = "DEMO - BUKAN UNTUK PRODUKSI"
SIGNATURE_FIELD = "TandaTanganElektronik"
DEFAULT_SIGNER_CLASS = "kinerja.signing.Pkcs12FileSigner"


class SigningError(Exception):
    """The document could not be signed (configuration or key problem). Not retried blindly."""


class SigningNotConfigured(SigningError):
    """No key material for this instansi and the demo CA is switched off."""


@runtime_checkable
class DocumentSigner(Protocol):
    """What the document service needs from a signer."""

    def sign(self, pdf_bytes: bytes, *, instansi: Instansi, reason: str, location: str) -> bytes:
        """Return ``pdf_bytes`` with one PAdES signature covering the whole file."""
        ...

    def trust_roots_pem(self, *, instansi: Instansi) -> str:
        """PEM of the certificate(s) a verifier must trust for this instansi's signatures."""
        ...


def outside_event_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn`` (pyHanko's sync API runs ``asyncio.run`` internally) from a thread without a
    running event loop: directly in Celery/WSGI, in a helper thread under an ASGI server."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _setting(name: str, default: str | None = None) -> str | None:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return None if value is None else str(value)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "ya", "on"}


def kode_env(kode: str) -> str:
    """``kab-contoh.1`` → ``KAB_CONTOH_1`` (the ``<KODE>`` part of the setting names)."""
    return re.sub(r"[^A-Z0-9]", "_", kode.upper())


_signer_lock = threading.Lock()
_signer_instance: tuple[str, DocumentSigner] | None = None


def get_signer() -> DocumentSigner:
    """The configured signer (one instance per process; it caches loaded keys)."""
    global _signer_instance
    path = _setting("KINERJA_SIGNER_CLASS", DEFAULT_SIGNER_CLASS) or DEFAULT_SIGNER_CLASS
    with _signer_lock:
        if _signer_instance is None or _signer_instance[0] != path:
            signer = import_string(path)()
            if not isinstance(signer, DocumentSigner):
                raise SigningError(f"{path} does not implement DocumentSigner")
            _signer_instance = (path, signer)
        return _signer_instance[1]


# ---------------------------------------------------------------- PAdES with pyHanko


class PadesSigner(ABC):
    """Base for signers holding a key pyHanko can use directly (file, PKCS#11 token...)."""

    field_name = SIGNATURE_FIELD

    @abstractmethod
    def pyhanko_signer(self, *, instansi: Instansi) -> Any:
        """A ``pyhanko.sign.signers.Signer`` for this instansi."""

    @abstractmethod
    def trust_roots_pem(self, *, instansi: Instansi) -> str: ...

    def sign(self, pdf_bytes: bytes, *, instansi: Instansi, reason: str, location: str) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter

        timestamper = None
        tsa_url = _setting("KINERJA_TSA_URL")
        if tsa_url:
            from pyhanko.sign.timestamps import HTTPTimeStamper

            timestamper = HTTPTimeStamper(tsa_url)
        meta = signers.PdfSignatureMetadata(
            field_name=self.field_name,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason[:200],
            location=location[:200],
            use_pades_lta=False,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        out = signers.PdfSigner(meta, signer=self.pyhanko_signer(instansi=instansi), timestamper=timestamper)
        return outside_event_loop(out.sign_pdf, writer, output=io.BytesIO()).getvalue()


@dataclass(frozen=True)
class _KeyFiles:
    p12: Path
    password: bytes | None
    ca_pem: Path | None


class Pkcs12FileSigner(PadesSigner):
    """Key from a PKCS#12 file per instansi (see module docstring), or the generated demo CA."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, Any, str]] = {}
        self._lock = threading.Lock()

    def _key_files(self, instansi: Instansi) -> tuple[_KeyFiles, bool]:
        name = f"KINERJA_P12_{kode_env(instansi.kode)}"
        path = _setting(name)
        if path:
            password = _setting(f"{name}_PASSWORD")
            ca = _setting(f"{name}_CA")
            return (
                _KeyFiles(Path(path), password.encode() if password else None, Path(ca) if ca else None),
                False,
            )
        if not _truthy(_setting("KINERJA_DEMO_CA", "1")):
            raise SigningNotConfigured(
                f"Sertifikat penandatanganan untuk instansi {instansi.kode} belum dikonfigurasi ({name})."
            )
        return demo_ca_ensure(instansi=instansi), True

    def _load(self, instansi: Instansi) -> tuple[Any, str]:
        from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
        from pyhanko.sign import signers

        files, _demo = self._key_files(instansi)
        try:
            mtime = files.p12.stat().st_mtime
        except OSError as exc:
            raise SigningError(f"Berkas PKCS#12 {files.p12} tidak dapat dibaca.") from exc
        key = str(files.p12)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == mtime:
                return cached[1], cached[2]
            data = files.p12.read_bytes()
            try:
                signer = signers.SimpleSigner.load_pkcs12_data(data, [], passphrase=files.password)
                _key, _cert, chain = pkcs12.load_key_and_certificates(data, files.password)
            except ValueError as exc:
                raise SigningError(f"PKCS#12 {files.p12} tidak dapat dibuka (kata sandi?).") from exc
            if files.ca_pem is not None:
                roots = files.ca_pem.read_text()
            else:
                self_signed = [c for c in chain if c.issuer == c.subject]
                if not self_signed:
                    raise SigningError(
                        f"PKCS#12 {files.p12} tidak memuat CA akar; isi KINERJA_P12_<KODE>_CA."
                    )
                roots = "".join(c.public_bytes(Encoding.PEM).decode() for c in self_signed)
            self._cache[key] = (mtime, signer, roots)
            return signer, roots

    def pyhanko_signer(self, *, instansi: Instansi) -> Any:
        return self._load(instansi)[0]

    def trust_roots_pem(self, *, instansi: Instansi) -> str:
        return self._load(instansi)[1]


# ---------------------------------------------------------------- demo CA


def _demo_dir(instansi: Instansi) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instansi.kode) or f"instansi-{instansi.pk}"
    return Path(settings.MEDIA_ROOT) / "keys" / safe


def _demo_password(instansi: Instansi) -> bytes:
    """Derived from SECRET_KEY: the demo key file is useless without the deployment's secret."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"kinerja-demo-p12:{instansi.kode}".encode(), hashlib.sha256)
    return mac.hexdigest().encode()


def demo_ca_ensure(*, instansi: Instansi) -> _KeyFiles:
    """Create (once, under a file lock) the instansi's demo CA and signing certificate.

    Files: ``ca.pem`` (the root to trust) and ``signer.p12`` (key, certificate, chain). The CA's
    private key is not kept: a new demo set is simply generated if it is ever needed.
    """
    folder = _demo_dir(instansi)
    p12, ca = folder / "signer.p12", folder / "ca.pem"
    password = _demo_password(instansi)
    if p12.exists() and ca.exists():
        return _KeyFiles(p12, password, ca)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (p12.exists() and ca.exists()):
                ca_pem, p12_bytes = _demo_generate(instansi=instansi, password=password)
                _write_atomic(ca, ca_pem, 0o644)
                _write_atomic(p12, p12_bytes, 0o600)
                logger.warning("Membuat CA DEMO untuk instansi %s di %s", instansi.kode, folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return _KeyFiles(p12, password, ca)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _demo_generate(*, instansi: Instansi, password: bytes) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    org = (instansi.nama or instansi.kode)[:64]

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
                x509.NameAttribute(NameOID.COMMON_NAME, cn[:64]),
            ]
        )

    def usage(*, sign_docs: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign_docs,
            content_commitment=sign_docs,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not sign_docs,
            crl_sign=not sign_docs,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = name(f"CA {DEMO_LABEL} {instansi.kode}")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign_docs=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(f"{DEMO_LABEL} - {instansi.kode}"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign_docs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"kinerja-demo", key, cert, [ca_cert], serialization.BestAvailableEncryption(password)
    )
    return ca_cert.public_bytes(serialization.Encoding.PEM), p12


# ---------------------------------------------------------------- reading signatures back


@dataclass(frozen=True)
class SignatureInfo:
    """Who signed (from the certificate embedded in the PDF)."""

    subjek: str
    penerbit: str
    serial: str
    sertifikat_sha256: str
    waktu: dt.datetime | None


def signature_info(pdf_bytes: bytes) -> SignatureInfo:
    """The last embedded signature's certificate and signing time. Raises SigningError if none."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    sigs = PdfFileReader(io.BytesIO(pdf_bytes), strict=False).embedded_signatures
    if not sigs:
        raise SigningError("PDF tidak memuat tanda tangan.")
    sig = sigs[-1]
    cert = sig.signer_cert
    return SignatureInfo(
        subjek=cert.subject.human_friendly,
        penerbit=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        sertifikat_sha256=cert.sha256.hex(),
        waktu=sig.self_reported_timestamp,
    )


def load_trust_roots(pem: str) -> list[Any]:
    """asn1crypto certificates from a PEM bundle (for pyHanko's ValidationContext)."""
    from asn1crypto import pem as asn1_pem  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509

    data = pem.encode()
    return [asn1_x509.Certificate.load(der) for _t, _h, der in asn1_pem.unarmor(data, multiple=True)]
