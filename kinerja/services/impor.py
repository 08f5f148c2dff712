"""Bulk import of pegawai from CSV/XLSX (api-contract.md §1-§2).

1. ``impor_parse`` reads the file into rows (header names case-insensitive; unknown columns ignored).
2. ``pegawai_import`` locks the instansi, loads its units, jabatan and pegawai once, validates
   every row and collects every error. Any error → ``ImporTidakValid`` and nothing is written.
3. Otherwise it writes set-based in one transaction: units (ids taken from the sequence up front
   so ``path`` is known at insert time), jabatan, accounts, pegawai, placements (awal/mutasi) and
   audit rows. ``dry_run=True`` runs the same writes and rolls them back, so the counts are real.
The query count does not depend on the number of rows (only on batches of ``BATCH_SIZE``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.csv_aman import csv_writer
from kinerja.exceptions import ApplicationError
from kinerja.models import AuditLog, Instansi, Jabatan, Pegawai, Penempatan, UnitKerja, User
from kinerja.models.org import JenisJabatan, JenjangJf
from kinerja.models.people import JenisPenempatan, StatusPegawai
from kinerja.rls import rls_unrestricted
from kinerja.services.audit import audit_log_bulk
from kinerja.services.tenancy import periode_ensure_year
from kinerja.validators import nip_errors

COLUMNS = (
    "nip",
    "nama",
    "status",
    "pangkat_golongan",
    "jabatan",
    "jenis_jabatan",
    "jenjang",
    "unit_kerja",
    "unit_induk",
    "nip_atasan",
    "email",
)
REQUIRED = ("nip", "nama", "status", "jabatan", "jenis_jabatan", "unit_kerja")
MAX_LENGTH = {
    "nama": 255,
    "pangkat_golongan": 100,
    "jabatan": 255,
    "unit_kerja": 255,
    "unit_induk": 255,
    "email": 254,
}
NIP_COLUMNS = ("nip", "nip_atasan")
BATCH_SIZE = 1000
MAX_COLUMNS = 64
EXAMPLE_ROW = {
    "nip": "198609262015052001",
    "nama": "Dr. Siti Aminah, S.E., M.M.",
    "status": "pns",
    "pangkat_golongan": "Pembina Utama Muda / IV/c",
    "jabatan": "Kepala Badan",
    "jenis_jabatan": "jpt_pratama",
    "jenjang": "",
    "unit_kerja": "Badan Keuangan Daerah",
    "unit_induk": "",
    "nip_atasan": "",
    "email": "siti.aminah@example.go.id",
}


# A NIP this instansi cannot use, without saying why (it may be another instansi's pegawai).
NIP_TIDAK_DAPAT = gettext_lazy(
    "NIP ini tidak dapat digunakan. Periksa kembali NIP-nya; bila sudah benar, hubungi admin platform."
)


def max_rows() -> int:
    return int(getattr(settings, "KINERJA_IMPORT_MAX_ROWS", 100_000))


# ------------------------------------------------------------------------------------------ types


@dataclass(frozen=True, order=True)
class KesalahanImpor:
    """One problem in one cell: line as the user sees it (header = line 1), column, reason."""

    baris: int
    kolom: str
    alasan: str

    def __str__(self) -> str:
        return f"baris {self.baris}, kolom {self.kolom}: {self.alasan}"


@dataclass(frozen=True)
class BarisImpor:
    """One data row, every value trimmed (NIPs without spaces, enums lower-case)."""

    baris: int
    nilai: dict[str, str]
    angka: frozenset[str] = frozenset()  # NIP columns Excel stored as (imprecise) numbers

    def __getitem__(self, kolom: str) -> str:
        return self.nilai.get(kolom, "")


@dataclass(frozen=True)
class BerkasImpor:
    nama_berkas: str
    format: str
    kolom: tuple[str, ...]
    baris: list[BarisImpor]
    kesalahan_judul: list[KesalahanImpor] = field(default_factory=list)


@dataclass
class HasilImpor:
    dry_run: bool
    baris: int = 0
    unit_dibuat: int = 0
    jabatan_dibuat: int = 0
    pegawai_dibuat: int = 0
    pegawai_diperbarui: int = 0
    mutasi: int = 0
    tidak_berubah: int = 0

    def ringkasan(self) -> str:
        text = _(
            "%(baris)d baris: %(unit)d unit baru, %(jabatan)d jabatan baru, %(baru)d pegawai baru, "
            "%(ubah)d diperbarui, %(mutasi)d mutasi, %(tetap)d tidak berubah."
        ) % {
            "baris": self.baris,
            "unit": self.unit_dibuat,
            "jabatan": self.jabatan_dibuat,
            "baru": self.pegawai_dibuat,
            "ubah": self.pegawai_diperbarui,
            "mutasi": self.mutasi,
            "tetap": self.tidak_berubah,
        }
        if self.dry_run:
            return _("Uji coba, tidak ada yang disimpan: %(text)s") % {"text": text}
        return text


class ImporBerkasError(ApplicationError):
    """The file cannot be read at all (wrong type, not UTF-8, empty, corrupt)."""


class ImporTidakValid(ApplicationError):
    """Some rows are invalid; ``kesalahan`` lists every problem. Nothing was written."""

    def __init__(self, kesalahan: list[KesalahanImpor]):
        super().__init__(
            _("Berkas berisi %(n)d kesalahan; tidak ada data yang diimpor.") % {"n": len(kesalahan)}
        )
        self.kesalahan = sorted(kesalahan, key=lambda k: (k.baris, _column_order(k.kolom), k.alasan))


def _column_order(kolom: str) -> int:
    return COLUMNS.index(kolom) if kolom in COLUMNS else -1


# ------------------------------------------------------------------------------------------ reading


_WS = re.compile(r"\s+")


def _header_key(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def _clean(kolom: str, value: str) -> str:
    if kolom in NIP_COLUMNS:
        return "".join(value.split())
    value = _WS.sub(" ", value).strip()
    if kolom in ("status", "jenis_jabatan", "jenjang"):
        return value.lower()
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _build(nama_berkas: str, fmt: str, records: Iterable[tuple[int, list[Any]]]) -> BerkasImpor:
    """Turn (line, cells) records into rows. The first non-empty record is the header."""
    it = iter(records)
    header_line, header = 0, []
    for line, cells in it:
        if any(_cell_text(c).strip() for c in cells):
            header_line, header = line, [_header_key(_cell_text(c)) for c in cells]
            break
    if not header:
        raise ImporBerkasError(_("Berkas kosong: tidak ada baris judul kolom."))
    positions: dict[str, int] = {}
    judul: list[KesalahanImpor] = []
    for pos, name in enumerate(header):
        if name in COLUMNS:
            if name in positions:
                judul.append(
                    KesalahanImpor(header_line, name, _("Kolom ini muncul lebih dari sekali di baris judul."))
                )
            positions.setdefault(name, pos)
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        hint = ""
        if len(header) == 1 and ";" in header[0]:
            hint = " " + _("Pemisah kolom harus koma (,), bukan titik koma (;).")
        judul.append(
            KesalahanImpor(
                header_line,
                ", ".join(missing),
                _("Kolom wajib tidak ada di baris judul: %(kolom)s. Kolom yang dikenali: %(semua)s.")
                % {"kolom": ", ".join(missing), "semua": ", ".join(COLUMNS)}
                + hint,
            )
        )
    rows: list[BarisImpor] = []
    limit = max_rows()
    for line, cells in it:
        if not any(_cell_text(c).strip() for c in cells):
            continue
        if len(rows) >= limit:
            raise ImporBerkasError(_("Berkas berisi lebih dari %(n)d baris data.") % {"n": limit})
        nilai: dict[str, str] = {}
        angka: set[str] = set()
        for name, pos in positions.items():
            raw = cells[pos] if pos < len(cells) else None
            if name in NIP_COLUMNS and isinstance(raw, float) and abs(raw) >= 1e15:
                angka.add(name)  # Excel keeps 15 significant digits: the NIP is already damaged
            nilai[name] = _clean(name, _cell_text(raw))
        rows.append(BarisImpor(baris=line, nilai=nilai, angka=frozenset(angka)))
    if not rows and not judul:
        raise ImporBerkasError(_("Berkas tidak berisi baris data pegawai (hanya baris judul)."))
    return BerkasImpor(
        nama_berkas=nama_berkas, format=fmt, kolom=tuple(positions), baris=rows, kesalahan_judul=judul
    )


def _csv_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImporBerkasError(
            _(
                'Berkas CSV harus berenkode UTF-8 (karakter tidak valid di baris %(baris)d). Simpan ulang sebagai "CSV UTF-8".'
            )
            % {"baris": line}
        ) from None
    if "\x00" in text:
        raise ImporBerkasError(_("Berkas ini bukan berkas teks CSV."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', strict=False)
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1  # the physical line where this record starts
            previous_end = reader.line_num
            yield start, cells
    except csv.Error as exc:
        raise ImporBerkasError(
            _("Berkas CSV rusak di baris %(baris)d: %(pesan)s") % {"baris": previous_end + 1, "pesan": exc}
        ) from None


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # corrupt or not an OOXML workbook: any parser error means "unreadable"
        raise ImporBerkasError(
            _("Berkas XLSX tidak dapat dibaca. Pastikan berkas disimpan sebagai Excel (.xlsx).")
        ) from None
    try:
        if not wb.worksheets:
            raise ImporBerkasError(_("Berkas XLSX tidak berisi lembar kerja."))
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # don't trust the stored dimension; read what is there
        for cells in ws.iter_rows(max_col=MAX_COLUMNS):
            line = next((c.row for c in cells if getattr(c, "row", None)), None)
            if line is None:
                continue
            yield line, [c.value for c in cells]
    except ImporBerkasError:
        raise
    except Exception:
        raise ImporBerkasError(_("Isi berkas XLSX rusak dan tidak dapat dibaca.")) from None
    finally:
        wb.close()


def impor_parse(*, content: bytes, nama_berkas: str) -> BerkasImpor:
    """Read a CSV (UTF-8, optional BOM, comma) or XLSX (first sheet) upload. Raises ``ImporBerkasError``."""
    if not content:
        raise ImporBerkasError(_("Berkas kosong."))
    lower = nama_berkas.lower()
    is_zip = content[:4] == b"PK\x03\x04"
    if lower.endswith(".xlsx"):
        if not is_zip:
            raise ImporBerkasError(_("Berkas berakhiran .xlsx tetapi isinya bukan berkas Excel (.xlsx)."))
        from kinerja.berkas_aman import BerkasTidakAman, zip_periksa

        try:  # a zip bomb is refused from its directory, before openpyxl inflates anything
            zip_periksa(io.BytesIO(content))
        except BerkasTidakAman as exc:
            raise ImporBerkasError(exc.pesan) from None
        return _build(nama_berkas, "xlsx", _xlsx_records(content))
    if lower.endswith(".csv"):
        if is_zip:
            raise ImporBerkasError(
                _(
                    "Berkas berakhiran .csv tetapi isinya berkas Excel. Simpan sebagai CSV atau unggah sebagai .xlsx."
                )
            )
        return _build(nama_berkas, "csv", _csv_records(content))
    raise ImporBerkasError(_("Jenis berkas tidak didukung: gunakan .csv atau .xlsx."))


def impor_template_csv() -> str:
    """The downloadable template: header row and one example row."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW[c] for c in COLUMNS])
    return out.getvalue()


# ------------------------------------------------------------------------------------------ validation


@dataclass
class _Peg:
    id: int
    nip: str
    nama: str
    status: str
    pangkat_golongan: str
    email: str
    unit_kerja_id: int
    jabatan_id: int
    atasan_id: int | None
    user_id: int
    user_nama: str
    user_email: str


@dataclass
class _Unit:
    """An existing unit (``id`` set) or one to create (``id`` assigned just before writing)."""

    nama: str
    induk_nama: str
    baru: bool
    id: int | None = None
    induk: _Unit | None = None
    path: str = ""
    depth: int = 0
    baris: list[int] = field(default_factory=list)


@dataclass
class _Rencana:
    """What validation resolved, ready to write."""

    rows: list[BarisImpor]
    units_new: list[_Unit]
    unit_of_row: dict[int, _Unit]
    existing: dict[str, _Peg]
    by_id: dict[int, str]
    users: dict[str, tuple[int, str, str]]  # nip -> (id, nama, email) of accounts without a pegawai
    jabatan: dict[tuple[str, str, str], int]


def _cycles(parent: dict[Any, Any]) -> list[list[Any]]:
    """Every cycle of a functional graph (each node has at most one parent), in walk order."""
    state: dict[Any, int] = {}
    found: list[list[Any]] = []
    for start in parent:
        if state.get(start):
            continue
        walk: list[Any] = []
        node = start
        while node is not None and node in parent and not state.get(node):
            state[node] = 1
            walk.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            found.append(walk[walk.index(node) :])
        for n in walk:
            state[n] = 2
    return found


class _Errors:
    def __init__(self) -> None:
        self.items: list[KesalahanImpor] = []
        self.cells: set[tuple[int, str]] = set()

    def add(self, row: BarisImpor | int, kolom: str, alasan: str) -> None:
        baris = row if isinstance(row, int) else row.baris
        self.items.append(KesalahanImpor(baris, kolom, alasan))
        self.cells.add((baris, kolom))

    def has(self, row: BarisImpor, kolom: str) -> bool:
        return (row.baris, kolom) in self.cells


def _validate_cells(rows: list[BarisImpor], err: _Errors) -> None:
    statuses, jenis_values, jenjang_values = (
        set(StatusPegawai.values),
        set(JenisJabatan.values),
        set(JenjangJf.values),
    )
    for r in rows:
        for kolom in REQUIRED:
            if not r[kolom]:
                err.add(r, kolom, _("Wajib diisi."))
        for kolom, limit in MAX_LENGTH.items():
            if len(r[kolom]) > limit:
                err.add(
                    r,
                    kolom,
                    _("Terlalu panjang: maksimal %(max)d karakter (tertulis %(n)d).")
                    % {"max": limit, "n": len(r[kolom])},
                )
        status = r["status"]
        if status and status not in statuses:
            err.add(
                r,
                "status",
                _("Status harus salah satu dari: %(pilihan)s.")
                % {"pilihan": ", ".join(StatusPegawai.values)},
            )
        for kolom in NIP_COLUMNS:
            if kolom in r.angka:
                err.add(
                    r,
                    kolom,
                    _(
                        "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya berubah. Ubah format sel menjadi Teks lalu ketik ulang NIP."
                    ),
                )
        if r["nip"] and "nip" not in r.angka:
            # With an unknown status only the checks common to every NIP apply (PPPK rules are the loosest).
            for reason in nip_errors(r["nip"], status if status in statuses else StatusPegawai.PPPK):
                err.add(r, "nip", reason)
        jenis = r["jenis_jabatan"]
        if jenis and jenis not in jenis_values:
            err.add(
                r,
                "jenis_jabatan",
                _("Jenis jabatan harus salah satu dari: %(pilihan)s.")
                % {"pilihan": ", ".join(JenisJabatan.values)},
            )
        if r["jenjang"]:
            if r["jenjang"] not in jenjang_values:
                err.add(
                    r,
                    "jenjang",
                    _("Jenjang harus salah satu dari: %(pilihan)s.")
                    % {"pilihan": ", ".join(JenjangJf.values)},
                )
            elif jenis in jenis_values and jenis != JenisJabatan.FUNGSIONAL:
                err.add(
                    r,
                    "jenjang",
                    _("Jenjang hanya diisi untuk jabatan fungsional; kosongkan untuk jenis %(jenis)s.")
                    % {"jenis": jenis},
                )
        if r["email"] and not err.has(r, "email"):
            try:
                validate_email(r["email"])
            except ValidationError:
                err.add(r, "email", _("Format email tidak valid."))


def _validate_people(
    rows: list[BarisImpor],
    existing: dict[str, _Peg],
    by_id: dict[int, str],
    foreign: set[str],
    err: _Errors,
    *,
    detail: bool = False,
) -> dict[str, BarisImpor]:
    """Duplicates, NIPs of another instansi, superiors (unknown, self, cycles). Returns nip -> first row."""
    lines: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r["nip"]:
            lines[r["nip"]].append(r.baris)
    first: dict[str, BarisImpor] = {}
    for r in rows:
        nip = r["nip"]
        if not nip:
            continue
        first.setdefault(nip, r)
        others = [n for n in lines[nip] if n != r.baris]
        if others:
            err.add(
                r,
                "nip",
                _("NIP ganda di berkas (juga di baris %(baris)s).") % {"baris": ", ".join(map(str, others))},
            )
        if nip in foreign:
            # Only a platform admin (or the command line) learns that the NIP belongs to another
            # instansi; an instansi's admin gets the refusal without the oracle.
            err.add(
                r,
                "nip",
                _("NIP sudah terdaftar sebagai pegawai instansi lain.") if detail else str(NIP_TIDAK_DAPAT),
            )
    parent: dict[str, str | None] = {
        p.nip: by_id.get(p.atasan_id) if p.atasan_id else None
        for p in existing.values()
        if p.nip not in first
    }
    for r in rows:
        nip, atasan = r["nip"], r["nip_atasan"]
        if not atasan or "nip_atasan" in r.angka:
            if nip and first.get(nip) is r:
                parent[nip] = None
            continue
        if atasan == nip:
            err.add(r, "nip_atasan", _("Pegawai tidak boleh menjadi atasan dirinya sendiri."))
        elif atasan not in first and atasan not in existing:
            err.add(
                r,
                "nip_atasan",
                _("NIP atasan %(nip)s tidak ditemukan di berkas maupun di data pegawai instansi ini.")
                % {"nip": atasan},
            )
        elif nip and first.get(nip) is r:
            parent[nip] = atasan
    for cycle in _cycles(parent):
        chain = " → ".join([*cycle, cycle[0]])
        for nip in cycle:
            if nip in first:
                err.add(
                    first[nip],
                    "nip_atasan",
                    _("Rantai atasan membentuk siklus: %(rantai)s.") % {"rantai": chain},
                )
    return first


def _validate_units(
    rows: list[BarisImpor], units: list[tuple[int, str, int | None, str, int]], err: _Errors
) -> tuple[list[_Unit], dict[int, _Unit]]:
    """Resolve each row's (unit_kerja, unit_induk) to an existing or new unit.

    A unit is named uniquely within its parent, so the same name may exist under several parents;
    a name used as ``unit_induk`` must however identify exactly one unit.
    """
    by_id = {
        uid: _Unit(nama=nama, induk_nama="", baru=False, id=uid, path=path, depth=depth)
        for uid, nama, _i, path, depth in units
    }
    for uid, _n, induk_id, _p, _d in units:
        if induk_id is not None and induk_id in by_id:
            by_id[uid].induk = by_id[induk_id]
            by_id[uid].induk_nama = by_id[induk_id].nama
    by_key: dict[tuple[str, str], list[_Unit]] = defaultdict(list)
    by_name: dict[str, list[_Unit]] = defaultdict(list)
    for u in by_id.values():
        by_key[(u.nama, u.induk_nama)].append(u)
        by_name[u.nama].append(u)
    new: dict[tuple[str, str], _Unit] = {}
    for r in rows:
        if not r["unit_kerja"] or err.has(r, "unit_kerja") or err.has(r, "unit_induk"):
            continue
        key = (r["unit_kerja"], r["unit_induk"])
        if key not in by_key and key not in new:
            new[key] = _Unit(nama=key[0], induk_nama=key[1], baru=True)
            by_name[key[0]].append(new[key])
        for u in by_key.get(key) or [new[key]]:
            u.baris.append(r.baris)

    def describe(u: _Unit) -> str:
        where = (
            _("di bawah '%(induk)s'") % {"induk": u.induk_nama} if u.induk_nama else _("sebagai unit teratas")
        )
        origin = (
            _("baris %(baris)s") % {"baris": ", ".join(map(str, u.baris[:3]))}
            if u.baru
            else _("data instansi")
        )
        return f"{where}, {origin}"

    for nama in {r["unit_induk"] for r in rows if r["unit_induk"]}:
        candidates = by_name.get(nama, [])
        in_file = [u for u in candidates if u.baris]
        if len(candidates) > 1 and len({u.induk_nama for u in in_file}) > 1:
            places = "; ".join(describe(u) for u in in_file)
            for u in in_file:
                for baris in u.baris:
                    err.add(
                        baris,
                        "unit_induk",
                        _(
                            "Unit '%(nama)s' tertulis dengan induk berbeda di berkas (%(tempat)s), padahal dipakai sebagai unit induk."
                        )
                        % {"nama": nama, "tempat": places},
                    )
    unit_of_row: dict[int, _Unit] = {}
    for r in rows:
        if not r["unit_kerja"] or err.has(r, "unit_kerja") or err.has(r, "unit_induk"):
            continue
        key = (r["unit_kerja"], r["unit_induk"])
        matches = by_key.get(key) or [new[key]]
        if r["unit_induk"]:
            candidates = by_name.get(r["unit_induk"], [])
            if not candidates:
                err.add(
                    r,
                    "unit_induk",
                    _(
                        "Unit induk '%(nama)s' tidak ditemukan: tidak ada di kolom unit_kerja berkas maupun di data unit instansi."
                    )
                    % {"nama": r["unit_induk"]},
                )
                continue
            if len(candidates) > 1:
                if not err.has(r, "unit_induk"):
                    err.add(
                        r,
                        "unit_induk",
                        _(
                            "Unit induk '%(nama)s' ambigu: ada %(n)d unit dengan nama itu (%(tempat)s). Nama unit yang menjadi induk harus unik."
                        )
                        % {
                            "nama": r["unit_induk"],
                            "n": len(candidates),
                            "tempat": "; ".join(describe(u) for u in candidates),
                        },
                    )
                continue
        if len(matches) > 1:  # same name under same-named parents: the parent name is ambiguous
            if not err.has(r, "unit_induk"):
                err.add(r, "unit_induk", _("Unit induk '%(nama)s' ambigu.") % {"nama": r["unit_induk"]})
            continue
        unit = matches[0]
        if unit.baru and unit.induk is None and r["unit_induk"]:
            unit.induk = by_name[r["unit_induk"]][0]
        unit_of_row[r.baris] = unit
    # Only new units can form a cycle (existing ones are a tree and never get a new parent).
    parent = {id(u): (id(u.induk) if u.induk is not None and u.induk.baru else None) for u in new.values()}
    units_by_obj = {id(u): u for u in new.values()}
    for cycle in _cycles(parent):
        members = [units_by_obj[c] for c in cycle]
        if len(members) == 1:
            msg = _("Unit kerja tidak boleh menjadi induk dirinya sendiri.")
        else:
            names = [u.nama for u in members]
            msg = _("Unit induk membentuk siklus: %(rantai)s.") % {"rantai": " → ".join([*names, names[0]])}
        for u in members:
            for baris in u.baris:
                err.add(baris, "unit_induk", msg)
    return list(new.values()), unit_of_row


def _load(
    instansi: Instansi, rows: list[BarisImpor]
) -> tuple[
    dict[str, _Peg],
    dict[int, str],
    set[str],
    dict[str, tuple[int, str, str]],
    list[Any],
    dict[tuple[str, str, str], int],
]:
    nips = {r["nip"] for r in rows if r["nip"]}
    existing: dict[str, _Peg] = {}
    for row in Pegawai.objects.filter(instansi=instansi).values_list(
        "id",
        "nip",
        "nama",
        "status",
        "pangkat_golongan",
        "email",
        "unit_kerja_id",
        "jabatan_id",
        "atasan_id",
        "user_id",
        "user__nama",
        "user__email",
    ):
        existing[row[1]] = _Peg(*row)
    by_id = {p.id: p.nip for p in existing.values()}
    # NIP is unique across every instansi: this one unscoped read only learns which NIPs are taken
    # (row-level security would hide the other instansi's rows, hence rls_unrestricted).
    with rls_unrestricted():
        foreign = set(
            Pegawai._base_manager.filter(nip__in=nips)
            .exclude(instansi_id=instansi.pk)
            .values_list("nip", flat=True)
        )
    users = {
        nip: (uid, nama, email)
        for uid, nip, nama, email in User.objects.filter(
            nip__in=nips - set(existing) - foreign, pegawai__isnull=True
        ).values_list("id", "nip", "nama", "email")
    }
    units = list(
        UnitKerja.objects.filter(instansi=instansi).values_list("id", "nama", "induk_id", "path", "depth")
    )
    jabatan = {
        (nama, jenis, jenjang): jid
        for jid, nama, jenis, jenjang in Jabatan.objects.filter(instansi=instansi).values_list(
            "id", "nama", "jenis", "jenjang"
        )
    }
    return existing, by_id, foreign, users, units, jabatan


def _plan(instansi: Instansi, berkas: BerkasImpor, *, detail: bool = False) -> _Rencana:
    """Load the instansi's data once and validate every row. Raises ``ImporTidakValid``."""
    if berkas.kesalahan_judul:
        raise ImporTidakValid(berkas.kesalahan_judul)
    rows = berkas.baris
    err = _Errors()
    _validate_cells(rows, err)
    existing, by_id, foreign, users, units, jabatan = _load(instansi, rows)
    _validate_people(rows, existing, by_id, foreign, err, detail=detail)
    units_new, unit_of_row = _validate_units(rows, units, err)
    if err.items:
        raise ImporTidakValid(err.items)
    return _Rencana(rows, units_new, unit_of_row, existing, by_id, users, jabatan)


# ------------------------------------------------------------------------------------------ writing


def _next_ids(model: type[Any], n: int) -> list[int]:
    """Reserve ``n`` primary keys from the table's sequence in one query (so paths and FKs are known)."""
    if n == 0:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return [row[0] for row in cur.fetchall()]


def _unusable_password() -> str:
    """What ``make_password(None)`` stores, at a fraction of the cost for 10,000 accounts."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _audit(
    instansi: Instansi,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: Any,
    repr_: str,
    before: Any = None,
    after: Any = None,
) -> AuditLog:
    return AuditLog(
        instansi_id=instansi.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        object_repr=repr_[:255],
        before=before,
        after=after,
    )


def _write(
    *, instansi: Instansi, actor: User | None, plan: _Rencana, password: str | None, nama_berkas: str
) -> HasilImpor:
    today = timezone.localdate()
    now = timezone.now()
    hasil = HasilImpor(dry_run=False, baris=len(plan.rows))
    audit: list[AuditLog] = []

    # 1. Units: ids first, then path/depth parent-before-child, one INSERT.
    ordered: list[_Unit] = []
    placed: set[int] = set()

    def place(u: _Unit) -> None:
        if id(u) in placed:
            return
        if u.induk is not None and u.induk.baru:
            place(u.induk)
        placed.add(id(u))
        ordered.append(u)

    for u in plan.units_new:
        place(u)
    for u, uid in zip(ordered, _next_ids(UnitKerja, len(ordered)), strict=True):
        u.id = uid
        u.path = f"{u.induk.path if u.induk else ''}{uid}."
        u.depth = u.induk.depth + 1 if u.induk else 0
    UnitKerja.objects.bulk_create(
        [
            UnitKerja(
                id=u.id,
                instansi=instansi,
                nama=u.nama,
                induk_id=u.induk.id if u.induk else None,
                path=u.path,
                depth=u.depth,
            )
            for u in ordered
        ],
        batch_size=BATCH_SIZE,
    )
    hasil.unit_dibuat = len(ordered)
    audit.extend(
        _audit(
            instansi,
            actor,
            "unit_kerja.buat",
            "kinerja.unitkerja",
            u.id,
            u.nama,
            after={"nama": u.nama, "path": u.path},
        )
        for u in ordered
    )

    # 2. Jabatan: get-or-create by (nama, jenis, jenjang).
    wanted = {(r["jabatan"], r["jenis_jabatan"], r["jenjang"]) for r in plan.rows}
    missing = [k for k in sorted(wanted) if k not in plan.jabatan]
    created_jabatan = Jabatan.objects.bulk_create(
        [Jabatan(instansi=instansi, nama=n, jenis=j, jenjang=jj) for n, j, jj in missing],
        batch_size=BATCH_SIZE,
    )
    for obj in created_jabatan:
        plan.jabatan[(obj.nama, obj.jenis, obj.jenjang)] = obj.pk
    hasil.jabatan_dibuat = len(created_jabatan)

    # 3. Pegawai ids: existing ones, plus new ones reserved now so atasan can be set at insert time.
    rows_new = [r for r in plan.rows if r["nip"] not in plan.existing]
    ids: dict[str, int] = {nip: p.id for nip, p in plan.existing.items()}
    ids.update(zip((r["nip"] for r in rows_new), _next_ids(Pegawai, len(rows_new)), strict=True))

    def placement(r: BarisImpor) -> tuple[int, int, int | None]:
        unit_id = plan.unit_of_row[r.baris].id
        if unit_id is None:  # every unit got an id above; keeps the type checker honest
            raise ApplicationError(_("Unit kerja baris %(baris)d tidak terselesaikan.") % {"baris": r.baris})
        atasan = ids[r["nip_atasan"]] if r["nip_atasan"] else None
        return unit_id, plan.jabatan[(r["jabatan"], r["jenis_jabatan"], r["jenjang"])], atasan

    # 4. Accounts: new (unusable password unless a default is given), attached, or updated.
    shared_hash = make_password(password) if password else None  # one hash: hashing 10,000 times takes hours
    new_users = [
        User(
            nip=r["nip"],
            nama=r["nama"],
            email=r["email"],
            password=shared_hash or _unusable_password(),
            date_joined=now,
        )
        for r in rows_new
        if r["nip"] not in plan.users
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    user_ids = {u.nip: u.pk for u in new_users}
    user_updates: list[User] = []
    user_ids.update({nip: uid for nip, (uid, _nama, _email) in plan.users.items()})

    # 5. New pegawai and their first placement.
    pegawai_new: list[Pegawai] = []
    penempatan_new: list[Penempatan] = []
    for r in rows_new:
        unit_id, jabatan_id, atasan_id = placement(r)
        pid = ids[r["nip"]]
        pegawai_new.append(
            Pegawai(
                id=pid,
                instansi=instansi,
                user_id=user_ids[r["nip"]],
                nip=r["nip"],
                nama=r["nama"],
                status=r["status"],
                pangkat_golongan=r["pangkat_golongan"],
                email=r["email"],
                unit_kerja_id=unit_id,
                jabatan_id=jabatan_id,
                atasan_id=atasan_id,
            )
        )
        penempatan_new.append(
            Penempatan(
                instansi=instansi,
                pegawai_id=pid,
                unit_kerja_id=unit_id,
                jabatan_id=jabatan_id,
                atasan_id=atasan_id,
                jenis=JenisPenempatan.AWAL,
                mulai=today,
            )
        )
        audit.append(
            _audit(
                instansi,
                actor,
                "pegawai.buat",
                "kinerja.pegawai",
                pid,
                f"{r['nama']} ({r['nip']})",
                after={
                    **{k: r[k] for k in COLUMNS},
                    "unit_kerja_id": unit_id,
                    "jabatan_id": jabatan_id,
                    "atasan_id": atasan_id,
                },
            )
        )
        if r["nip"] in plan.users:
            uid, nama, email = plan.users[r["nip"]]
            if (nama, email) != (r["nama"], r["email"]):
                user_updates.append(User(id=uid, nama=r["nama"], email=r["email"]))
    Pegawai.objects.bulk_create(pegawai_new, batch_size=BATCH_SIZE)
    hasil.pegawai_dibuat = len(pegawai_new)

    # 6. Existing pegawai: data changes and placement changes (mutasi).
    data_fields = ("nama", "status", "pangkat_golongan", "email")
    pegawai_changed: list[Pegawai] = []
    mutasi: dict[int, tuple[int, int, int | None]] = {}
    for r in plan.rows:
        p = plan.existing.get(r["nip"])
        if p is None:
            continue
        new_place = placement(r)
        old_place = (p.unit_kerja_id, p.jabatan_id, p.atasan_id)
        before = {k: getattr(p, k) for k in data_fields if getattr(p, k) != r[k]}
        moved = new_place != old_place
        if not before and not moved:
            hasil.tidak_berubah += 1
            continue
        pegawai_changed.append(
            Pegawai(
                id=p.id,
                nama=r["nama"],
                status=r["status"],
                pangkat_golongan=r["pangkat_golongan"],
                email=r["email"],
                unit_kerja_id=new_place[0],
                jabatan_id=new_place[1],
                atasan_id=new_place[2],
                updated_at=now,
            )
        )
        repr_ = f"{r['nama']} ({r['nip']})"
        if before:
            hasil.pegawai_diperbarui += 1
            audit.append(
                _audit(
                    instansi,
                    actor,
                    "pegawai.ubah",
                    "kinerja.pegawai",
                    p.id,
                    repr_,
                    before=before,
                    after={k: r[k] for k in before},
                )
            )
        if moved:
            mutasi[p.id] = new_place
            audit.append(
                _audit(
                    instansi,
                    actor,
                    "pegawai.mutasi",
                    "kinerja.pegawai",
                    p.id,
                    repr_,
                    before=dict(zip(("unit_kerja", "jabatan", "atasan"), old_place, strict=True)),
                    after=dict(zip(("unit_kerja", "jabatan", "atasan"), new_place, strict=True)),
                )
            )
        if (p.user_nama, p.user_email) != (r["nama"], r["email"]):
            user_updates.append(User(id=p.user_id, nama=r["nama"], email=r["email"]))
    # A superior from the file replaces a non-ASN Pejabat Penilai (issue #16; one Pejabat Penilai, CHECK).
    # The few pegawai rated by one come from the partial index; no list of every changed row is sent.
    dinilai_non_asn = set(
        Pegawai.objects.filter(instansi=instansi, penilai_non_asn__isnull=False).values_list("pk", flat=True)
    )
    lepas = [p.pk for p in pegawai_changed if p.atasan_id is not None and p.pk in dinilai_non_asn]
    if lepas:
        Pegawai.objects.filter(instansi=instansi, pk__in=lepas).update(penilai_non_asn=None)
    Pegawai.objects.bulk_update(
        pegawai_changed,
        [*data_fields, "unit_kerja", "jabatan", "atasan", "updated_at"],
        batch_size=BATCH_SIZE,
    )
    User.objects.bulk_update(user_updates, ["nama", "email"], batch_size=BATCH_SIZE)
    hasil.mutasi = len(mutasi)

    # 7. Mutasi history: close the open placement (yesterday) and open a new one today. A placement
    #    opened today (e.g. imported this morning) is corrected in place rather than closed before it began.
    if mutasi:
        open_rows = list(
            Penempatan.objects.filter(
                instansi=instansi, pegawai_id__in=list(mutasi), selesai__isnull=True
            ).only("id", "pegawai_id", "mulai")
        )
        close_ids = [stint.pk for stint in open_rows if stint.mulai < today]
        corrected: list[Penempatan] = []
        for stint in open_rows:
            if stint.mulai >= today:
                stint.unit_kerja_id, stint.jabatan_id, stint.atasan_id = mutasi[stint.pegawai_id]
                stint.updated_at = now
                corrected.append(stint)
        if close_ids:
            Penempatan.objects.filter(instansi=instansi, pk__in=close_ids).update(
                selesai=today - dt.timedelta(days=1), updated_at=now
            )
        Penempatan.objects.bulk_update(
            corrected, ["unit_kerja", "jabatan", "atasan", "updated_at"], batch_size=BATCH_SIZE
        )
        corrected_ids = {stint.pegawai_id for stint in corrected}
        penempatan_new.extend(
            Penempatan(
                instansi=instansi,
                pegawai_id=pid,
                unit_kerja_id=u,
                jabatan_id=j,
                atasan_id=a,
                jenis=JenisPenempatan.MUTASI,
                mulai=today,
            )
            for pid, (u, j, a) in mutasi.items()
            if pid not in corrected_ids
        )
    Penempatan.objects.bulk_create(penempatan_new, batch_size=BATCH_SIZE)

    # 8. One summary audit row plus one per created unit / created, changed or moved pegawai.
    summary = {k: v for k, v in vars(hasil).items() if k != "dry_run"}
    audit.append(_audit(instansi, actor, "pegawai.impor", "berkas", "", nama_berkas, after=summary))
    audit_log_bulk(audit)
    periode_ensure_year(instansi=instansi, tahun=today.year)
    return hasil


def pegawai_import(
    *,
    actor: User | None,
    instansi: Instansi,
    berkas: BerkasImpor,
    dry_run: bool = False,
    password: str | None = None,
    operator: bool = False,
) -> HasilImpor:
    """Validate every row, then create/update units, jabatan, accounts, pegawai and placements.

    A NIP that belongs to another instansi is refused; only a platform admin, or the operator at the
    command line (``operator=True``), is told why (otherwise it would reveal that the NIP exists).

    Upsert by NIP: changed data is updated; a changed unit/jabatan/atasan is a mutasi dated today.
    Any invalid row raises ``ImporTidakValid`` with every error and writes nothing. Requires the
    instansi's scope. ``dry_run`` performs the writes and rolls them back. Audited; one transaction.
    """
    try:
        with transaction.atomic():
            Instansi.objects.select_for_update().filter(
                pk=instansi.pk
            ).first()  # one import per instansi at a time
            detail = operator or bool(getattr(actor, "is_platform_admin", False))
            plan = _plan(instansi, berkas, detail=detail)
            hasil = _write(
                instansi=instansi, actor=actor, plan=plan, password=password, nama_berkas=berkas.nama_berkas
            )
            hasil.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        raise ApplicationError(
            _(
                "Data pegawai berubah saat impor berjalan (mis. NIP yang sama baru saja didaftarkan). Coba lagi."
            )
        ) from None
    return hasil


def pegawai_import_file(
    *,
    actor: User | None,
    instansi: Instansi,
    content: bytes,
    nama_berkas: str,
    dry_run: bool = False,
    password: str | None = None,
) -> HasilImpor:
    """``impor_parse`` + ``pegawai_import``."""
    berkas = impor_parse(content=content, nama_berkas=nama_berkas)
    return pegawai_import(actor=actor, instansi=instansi, berkas=berkas, dry_run=dry_run, password=password)
