"""Every page that accepts a POST has an API twin (issue #19, contract §7), or a written reason why not.

How a page "has a POST" (``_menerima_post``):
- a class-based view with a ``post``/``put``/``patch``/``delete`` method (LoginView, FormViews, ...);
- a function view wrapped in ``require_POST`` / ``require_http_methods([... "POST" ...])`` (found in the
  decorator's closure, at any depth of the ``__wrapped__`` chain);
- otherwise a function view whose source checks ``request.method == "POST"`` or reads ``request.POST``,
  directly or in the one page function it returns (``return impor_page(request)``).
Django's own admin (under ``settings.ADMIN_URL``) is not a page of the app and is skipped.

Each such page is mapped by URL name to its API twin(s) in ``TWINS`` (URL names of ``/api/v1/``
endpoints that accept a write method), or listed in ``TANPA_TWIN`` with the reason it needs none.
"""

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: page URL name → URL name(s) of its API twin (the same service underneath).
TWINS: dict[str, str | tuple[str, ...]] = {
    # log harian (contract §7)
    "dialog:log-harian": "api-log-harian",
    "dialog:log-harian-ubah": "api-log-harian-detail",  # PATCH
    "dialog:log-harian-hapus": "api-log-harian-detail",  # DELETE
    "dialog:log-harian-verifikasi": "api-log-harian-verifikasi",
    "dialog:log-harian-pengaturan": "api-log-harian-pengaturan",  # PUT
    # tim kerja (contract §5)
    "tim-list": "api-tim-list",
    "tim-ubah": "api-tim-detail",  # PATCH
    "tim-anggota-tambah": "api-tim-anggota",
    "tim-anggota-keluar": "api-tim-anggota-keluar",  # DELETE
    # perjanjian kinerja (contract §5): every save is a new version
    "perjanjian:ubah": "api-pk-list",
    "perjanjian:impor": "api-pk-impor",
    # account
    "login": "api-auth-token",
    "logout": "api-auth-token",  # DELETE auth/token/
    "akun-keluar-semua": "api-auth-keluar-semua",
    "pegawai-keluarkan": "api-pegawai-keluarkan",
    "impor": "api-impor",
    "dokumen-job-mulai": "api-ekspor",
    # SKP
    "skp:saya": "api-skp-list",
    "skp:inbox-setujui": "api-skp-bulk-approve",
    "skp:pendekatan": "api-skp-detail",  # PATCH {"pendekatan"}
    "skp:lampiran": "api-skp-detail",  # PATCH {"lampiran"}
    "skp:salin": "api-skp-salin",
    "skp:ekspektasi": "api-skp-ekspektasi",
    "skp:ajukan": "api-skp-ajukan",
    "skp:setujui": "api-skp-setujui",
    "skp:kembalikan": "api-skp-kembalikan",
    "skp:revisi": "api-skp-revisi",
    "skp:rhk-tambah": "api-skp-rhk-create",
    "skp:rhk-ubah": "api-rhk-detail",
    "skp:rhk-hapus": "api-rhk-detail",
    "skp:matriks-usul": "api-skp-matriks-usul",
    # daily documentation
    "dialog:realisasi-simpan": ("api-realisasi", "api-realisasi-bukti"),
    "dialog:rencana-aksi-tambah": "api-rencana-aksi",
    "dialog:rencana-aksi-ubah": "api-rencana-aksi-detail",
    "dialog:rencana-aksi-hapus": "api-rencana-aksi-detail",
    "dialog:bukti-hapus": "api-bukti-detail",
    # feedback and notifications
    "dialog:umpan-balik-skp": "api-umpan-balik",
    "dialog:umpan-balik-baca-semua": "api-umpan-balik-baca-semua",
    "dialog:permintaan-buat": "api-permintaan-umpan-balik",
    "dialog:umpan-balik-balas": "api-umpan-balik-balasan",
    "dialog:umpan-balik-dibaca": "api-umpan-balik-dibaca",
    "dialog:permintaan-batal": "api-permintaan-batal",
    "dialog:notifikasi-buka": "api-notifikasi-dibaca",
    "dialog:notifikasi-baca-semua": "api-notifikasi-baca-semua",
    "dialog:preferensi": "api-notifikasi-preferensi",
    # dialog records
    "dialog:catatan-baru": "api-catatan",
    "dialog:tindak-lanjut-tambah": "api-catatan-tindak-lanjut",
    "dialog:tindak-lanjut-status": "api-tindak-lanjut-status",
    "dialog:bimbingan-b18": "api-catatan-b18",
    "dialog:bimbingan-b19": "api-catatan-b19",
    # penugasan
    "dialog:penugasan-baru": "api-penugasan",
    "dialog:penugasan-terima": "api-penugasan-terima",
    "dialog:penugasan-tolak": "api-penugasan-tolak",
    "dialog:penugasan-batal": "api-penugasan-batal",
    "dialog:penugasan-relawan": "api-penugasan-relawan",
    "dialog:penugasan-lintas-baru": "api-penugasan-keluar",
    "dialog:penugasan-lintas-detail": "api-penugasan-lintas-putuskan",
    "dialog:penugasan-keluar-detail": ("api-penugasan-keluar-batal", "api-penugasan-keluar-umpan-balik"),
    # evaluation
    "evaluasi:detail": "api-evaluasi-detail",  # PATCH ratings
    "evaluasi:keberatan-ajukan": "api-evaluasi-keberatan",
    "evaluasi:keberatan-putus": "api-keberatan-putus",
    "evaluasi:tindak-lanjut-langkah": "api-evaluasi-tindak-lanjut",
    "evaluasi:unit": "api-kinerja-organisasi",  # PUT predikat organisasi
    "evaluasi:tahunan": "api-tahunan",
    # SIASN (contract §6): start a send run; compare with SIASN and apply
    "evaluasi:siasn": "api-siasn-jobs",
    "evaluasi:siasn-tarik": "api-siasn-tarik",
    # log harian (branch `log`), tim kerja / PK (`tim`, `pk`), SIASN (`siasn`), non-ASN admin (`nonasn`):
    # the lead adds their pages here at merge.
}

#: pages with a POST that need no API twin, and why.
TANPA_TWIN: dict[str, str] = {
    "password_change": "Changing a password needs the old one typed by a person in the browser; it revokes "
    "every API token (contract §3), so an API client must log in again anyway.",
    "set_language": "Django's language switch for the browser session; the API answers in the language of "
    "the Accept-Language header.",
    "platform-instansi": "A platform admin picks which instansi their browser session acts in; an API token "
    "is bound to one instansi through its account.",
    "dokumen-verifikasi-index": "Public verification without login (contract §4), not part of the "
    "authenticated API.",
    "dokumen-verifikasi": "Public verification without login (contract §4), not part of the "
    "authenticated API.",
    "evaluasi:non-asn-baru": "Contract §5 gives the Pejabat Penilai non-ASN no API: "
    "`manage.py add_pejabat_non_asn` is the twin (the same service, `pejabat_non_asn_tetapkan`).",
    "evaluasi:non-asn-ubah": "Contract §5 gives the Pejabat Penilai non-ASN no API: "
    "`manage.py add_pejabat_non_asn` updates an existing official (the same service, `pejabat_non_asn_tetapkan`).",
}

_POST_IN_SOURCE = re.compile(
    r"""request\.method\s*(==|!=)\s*["']POST["']|["']POST["']\s+(not\s+)?in\s|request\.POST\b"""
)
_RETURN_CALL = re.compile(r"return\s+(\w+)\(request\b")
_LOCAL_IMPORT = re.compile(r"from\s+([\w.]+)\s+import\s+(\w+)")
_WRITE_METHODS = ("post", "put", "patch", "delete")


def _pages(
    patterns: list[Any], prefix: str = "", ns: str | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _pages(p.url_patterns, prefix + str(p.pattern), sub)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else p.name
            yield prefix + str(p.pattern), name, p.callback


def _methods_of_decorators(fn: Callable[..., Any]) -> tuple[set[str] | None, Callable[..., Any]]:
    """The methods a ``require_http_methods`` in the wrapper chain allows (None: no such decorator), and the
    innermost function."""
    methods: set[str] | None = None
    seen: set[int] = set()
    while id(fn) not in seen:
        seen.add(id(fn))
        try:
            nonlocals = inspect.getclosurevars(fn).nonlocals
        except (TypeError, ValueError):
            nonlocals = {}
        if "request_method_list" in nonlocals:
            methods = {str(m).upper() for m in nonlocals["request_method_list"]}
        nxt = getattr(fn, "__wrapped__", None)
        if nxt is None:
            break
        fn = nxt
    return methods, fn


def _post_in_source(fn: Callable[..., Any], depth: int = 1) -> bool:
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    if _POST_IN_SOURCE.search(src):
        return True
    if depth <= 0:
        return False
    imports = dict((name, mod) for mod, name in _LOCAL_IMPORT.findall(src))
    for name in _RETURN_CALL.findall(src):
        target = getattr(fn, "__globals__", {}).get(name)
        if target is None and name in imports:
            module = __import__(imports[name], fromlist=[name])
            target = getattr(module, name, None)
        if callable(target) and _post_in_source(target, depth - 1):
            return True
    return False


def _menerima_post(callback: Any) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return any(hasattr(view_class, m) for m in _WRITE_METHODS)
    methods, inner = _methods_of_decorators(callback)
    if methods is not None:
        return "POST" in methods
    return _post_in_source(inner)


def _pages_with_post() -> dict[str, str]:
    """URL name → route of every page (not the API, not Django's admin) that accepts a POST."""
    out: dict[str, str] = {}
    for route, name, callback in _pages(get_resolver().url_patterns):
        if route.startswith(("api/", settings.ADMIN_URL)):
            continue
        if _menerima_post(callback):
            out[name or f"<tanpa nama> {route}"] = route
    return out


def _api_names_with_writes() -> set[str]:
    names: set[str] = set()
    for route, name, callback in _pages(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if (
            route.startswith("api/v1/")
            and name
            and view_class is not None
            and any(hasattr(view_class, m) for m in _WRITE_METHODS)
        ):
            names.add(name)
    return names


def test_every_page_post_has_an_api_twin() -> None:
    pages = _pages_with_post()
    missing = [
        f"- page {name!r} (/{route}) accepts POST but has no API twin: add an API endpoint calling the same "
        f"service, then add {name!r}: '<its /api/v1/ URL name>' to TWINS in tests/test_api_twins.py "
        f"(or {name!r}: '<reason>' to TANPA_TWIN if it really needs none)."
        for name, route in sorted(pages.items())
        if name not in TWINS and name not in TANPA_TWIN
    ]
    assert not missing, "Pages without an API twin:\n" + "\n".join(missing)


def test_every_twin_exists_and_writes() -> None:
    api = _api_names_with_writes()
    bad = [
        f"- TWINS[{page!r}] names {twin!r}, which is not a /api/v1/ URL name with a POST/PUT/PATCH/DELETE "
        "method: fix the name in tests/test_api_twins.py."
        for page, twins in TWINS.items()
        for twin in ((twins,) if isinstance(twins, str) else twins)
        if twin not in api
    ]
    assert not bad, "\n".join(bad)


def test_tables_have_no_stale_entries() -> None:
    pages = _pages_with_post()
    stale = [
        f"- {name!r} is listed in tests/test_api_twins.py but no page of that name accepts POST any more: "
        "remove it from TWINS / TANPA_TWIN."
        for name in (*TWINS, *TANPA_TWIN)
        if name not in pages
    ]
    assert not stale, "\n".join(stale)
    assert not set(TWINS) & set(TANPA_TWIN)


def test_the_detector_sees_each_kind_of_post() -> None:
    """The rule itself: a class view (login), ``require_POST`` (ajukan), ``require_http_methods`` with
    POST (catatan-baru), a method check in the returned page function (impor), and a GET-only page."""
    pages = _pages_with_post()
    assert {"login", "skp:ajukan", "dialog:catatan-baru", "impor"} <= set(pages)
    assert "dashboard" not in pages
    assert "dialog:realisasi" not in pages  # require_GET
    assert reverse("api-realisasi", args=[1]) == "/api/v1/skp/1/realisasi/"
