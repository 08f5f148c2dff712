"""Tenant isolation over the whole URL conf: one test per URL pattern, so a new URL cannot be forgotten.

For every pattern that takes an object id, the outsider (admin_instansi of instansi B) asks for an
object of instansi A and must get 404 (never 403, never data), with a token (API) and with a
session (API and web), for every method the view allows. For every pattern without an id, the
outsider's page must not show any NIP or name of A's pegawai.

Which object of A goes into an id is resolved, in this order:

1. ``URL_OBJECTS[url_name][kwarg]``: explicit: a model label, ``Made(builder)`` for a specific
   object, or ``Values(callable)`` for kwargs that are not object ids (an export key: the URL is
   then checked like a page without id);
2. the kwarg's name: ``indikator_pk`` / ``rhk_id`` -> the project model named ``indikator`` / ``rhk``;
3. the route segment before the id: ``.../umpan-balik/<int:pk>/`` -> model ``umpanbalik``, with
   ``SEGMENT_MODELS`` for segments that are not model names (``jobs``, ``unit``, ``bukti``...).

So a new URL in the usual ``<thing>/<int:pk>/`` shape is covered as soon as it exists; anything
else fails with a message saying what to add. Objects are made by ``BUILDERS`` (through the
services where that is cheap) or, for any other tenant-owned model, by a minimal direct insert
into instansi A (distinct pegawai for several pegawai columns). Views that validate a query or
body before the id get them from ``URL_QUERY`` / ``URL_BODY``.
"""

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.template import TemplateDoesNotExist
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scope
from rest_framework.test import APIClient

from kinerja.models import Pegawai, TenantOwnedModel, User
from kinerja.validators import format_nip
from tests.conftest import Org, api_client_for

PROJECT_APPS = ("kinerja", "perjanjian", "skp", "dialog", "evaluasi")

# ---------------------------------------------------------------- what is not tested, and why

SKIPPED_ROUTE_PREFIXES = {
    settings.ADMIN_URL: "Django admin: staff only, has its own permission system",
    settings.STATIC_URL.lstrip("/"): "static files",
    "i18n/": "language switch",
}
SKIPPED_NAMES = {
    "api-schema": "OpenAPI schema, no tenant data",
    "api-docs": "API docs, no tenant data",
    "api-auth-token": "login endpoint (anonymous by design)",
    "healthz": "health probe",
    "login": "login page",
    "logout": "logout",
}
# Route prefixes that are public on purpose.
PUBLIC = {
    "verifikasi/": "public document verification without login (api-contract.md §4)",
}

# ---------------------------------------------------------------- which object of A goes into which kwarg


@dataclass(frozen=True)
class Values:
    """Kwarg values that are not objects of A (e.g. an export key): the URL is checked like a list page."""

    get: Callable[[], list[Any]]


@dataclass(frozen=True)
class Made:
    """A specific object of A, for views that accept only some rows of a model (e.g. one job kind)."""

    build: Callable[["AObjects"], models.Model]


def _export_keys() -> list[str]:
    from kinerja.documents import all_exports

    return [e.key for e in all_exports()]


def _job_keys() -> list[str]:
    from kinerja.documents import all_jobs

    return [j.key for j in all_jobs()]


def _job_of_kind(jenis: Callable[[], str]) -> Made:
    def build(objs: "AObjects") -> models.Model:
        from kinerja.services.jobs import job_create

        return job_create(actor=objs.org.admin.user, instansi=objs.org.instansi, jenis=jenis())

    return Made(build)


def _jenis_tahunan() -> str:
    from evaluasi.services import JOB_TAHUNAN

    return JOB_TAHUNAN


def _jenis_siasn() -> str:
    from evaluasi.siasn.jobs import JOB_SIASN

    return JOB_SIASN


URL_OBJECTS: dict[str, dict[str, str | Values | Made]] = {
    "skp:matriks-usul": {"pk": "skp.Skp", "bawahan_pk": "skp.Skp", "kolom_pk": "skp.Rhk"},
    "dokumen-ekspor-unduh": {"key": Values(_export_keys)},
    "dokumen-job-mulai": {"key": Values(_job_keys)},
    "dokumen-job": {"pk": _job_of_kind(lambda: _job_keys()[0])},
    "evaluasi:tahunan-hasil": {"pk": _job_of_kind(_jenis_tahunan)},
    "api-siasn-job-hasil": {"pk": _job_of_kind(_jenis_siasn)},
    "tim-anggota-keluar": {"pk": "kinerja.TimKerja", "anggota_pk": "kinerja.AnggotaTim"},
    "api-tim-anggota-keluar": {"pk": "kinerja.TimKerja", "nip": Values(lambda: ["198501012010011001"])},
    "perjanjian:versi": {"pk": "perjanjian.PerjanjianKinerja"},
    "perjanjian:unit": {"unit_pk": "kinerja.UnitKerja", "tahun": Values(lambda: [timezone.localdate().year])},
    "perjanjian:ubah": {"unit_pk": "kinerja.UnitKerja", "tahun": Values(lambda: [timezone.localdate().year])},
    "api-tindak-lanjut-status": {"pk": "dialog.TindakLanjut"},
}
# Query strings and bodies some views validate before they look at the id (and readable exports).
URL_QUERY = {
    "dokumen-ekspor-unduh": "format=csv",
    "api-kinerja-organisasi": f"tahun={timezone.localdate().year}",
}
URL_BODY: dict[str, dict[str, Any]] = {
    "api-kinerja-organisasi": {"tahun": timezone.localdate().year, "predikat": "baik", "justifikasi": "uji"},
}
SEGMENT_MODELS = {
    "unit": "kinerja.UnitKerja",
    "jobs": "kinerja.Job",
    "kinerja-organisasi": "kinerja.UnitKerja",
    "linimasa": "kinerja.Pegawai",
    "bukti": "dialog.BuktiDukung",
    "permintaan": "dialog.PermintaanUmpanBalik",
    "catatan": "dialog.CatatanKinerja",
    "pejabat-non-asn": "kinerja.PejabatNonAsn",
    "tim-kerja": "kinerja.TimKerja",
}


def _project_models() -> dict[str, list[type[models.Model]]]:
    by_name: dict[str, list[type[models.Model]]] = {}
    for m in apps.get_models():
        if m._meta.app_label in PROJECT_APPS and issubclass(m, TenantOwnedModel):
            by_name.setdefault(m._meta.model_name or "", []).append(m)
    return by_name


def _model_named(name: str, app: str | None = None) -> str | None:
    """The project model called ``name`` (dashes/underscores ignored); ``app`` breaks a tie."""
    found = _project_models().get(name.replace("-", "").replace("_", "").lower(), [])
    if len(found) > 1 and app:
        found = [m for m in found if m._meta.app_label == app]
    return found[0]._meta.label if len(found) == 1 else None


# ---------------------------------------------------------------- objects of instansi A


class AObjects:
    """One object of instansi A per model, made on first use inside A's scope."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self._cache: dict[Any, models.Model] = {}
        # Distinct people for models with several pegawai/user columns ("not oneself" constraints).
        people = [org.pegawai, org.atasan, org.kepala, org.rekan]
        self.alternates: dict[str, list[models.Model]] = {
            "kinerja.Pegawai": list(people),
            "kinerja.User": [p.user for p in people],
        }

    def get(self, target: str | Made) -> models.Model:
        if target not in self._cache:
            with scope(instansi=self.org.instansi.pk):
                if isinstance(target, Made):
                    self._cache[target] = target.build(self)
                else:
                    builder = BUILDERS.get(target)
                    self._cache[target] = builder(self) if builder else self._insert(apps.get_model(target))
        return self._cache[target]

    def _insert(self, model: type[models.Model], **overrides: Any) -> models.Model:
        """A minimal row: required fields get a plain value, foreign keys an object of A."""
        if not issubclass(model, TenantOwnedModel):
            row = model._default_manager.first()
            if row is None:
                pytest.fail(f"No {model._meta.label} row to point at; add BUILDERS[{model._meta.label!r}].")
            return row
        values: dict[str, Any] = {"instansi": self.org.instansi}
        used: dict[str, int] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name == "instansi" or f.has_default() or f.null:
                continue
            if isinstance(f, models.ForeignKey):
                label = f.related_model._meta.label  # type: ignore[union-attr]
                n = used[label] = used.get(label, -1) + 1
                values[f.name] = self.alternates[label][n] if label in self.alternates else self.get(label)
            elif isinstance(f, models.URLField):
                values[f.name] = "https://contoh.go.id/uji-isolasi"
            elif f.choices:
                values[f.name] = f.choices[0][0]
            elif isinstance(f, models.DateTimeField):
                values[f.name] = timezone.now()
            elif isinstance(f, models.DateField):
                values[f.name] = timezone.localdate()
            elif isinstance(f, models.IntegerField | models.DecimalField | models.FloatField):
                values[f.name] = 1
            elif isinstance(f, models.CharField | models.TextField) and not f.blank:
                values[f.name] = "uji isolasi"
        values.update(overrides)
        try:
            with transaction.atomic():
                return model._base_manager.create(**values)
        except IntegrityError as exc:
            pytest.fail(
                f"Could not make a minimal {model._meta.label} of instansi A ({exc}); "
                f"add BUILDERS[{model._meta.label!r}] in tests/test_tenant_isolation.py."
            )


def _skp(objs: AObjects) -> models.Model:
    from skp.services import skp_create_draft

    return skp_create_draft(actor=objs.org.pegawai.user, tahun=timezone.localdate().year)


def _rhk(objs: AObjects) -> models.Model:
    from skp.services import skp_rhk_add

    skp: Any = objs.get("skp.Skp")
    return skp_rhk_add(
        actor=objs.org.pegawai.user, skp=skp, jenis="utama",
        rencana_hasil_kerja="Tersusunnya laporan monitoring kurikulum",
        indikator=[{"aspek": "kuantitas", "iki": "Jumlah laporan yang tersusun", "target": "4 laporan"}],
    )  # fmt: skip


def _indikator(objs: AObjects) -> models.Model:
    rhk: Any = objs.get("skp.Rhk")
    return rhk.indikator.first()


def _perjanjian(objs: AObjects) -> models.Model:
    from perjanjian.services import pk_simpan

    return pk_simpan(
        actor=objs.org.admin.user, instansi=objs.org.instansi, unit_kerja_id=objs.org.kepala.unit_kerja_id,
        tahun=timezone.localdate().year, roles=["admin_instansi"],
        sasaran=[{"uraian": "Sasaran uji isolasi", "indikator": [{"uraian": "IKU uji isolasi", "target": "100 %"}]}],
    )  # fmt: skip


def _job(objs: AObjects) -> models.Model:
    from kinerja.services.jobs import job_create

    return job_create(actor=objs.org.admin.user, instansi=objs.org.instansi, jenis="uji_isolasi")


def _periode(objs: AObjects) -> models.Model:
    from kinerja.services.tenancy import periode_ensure_year

    return periode_ensure_year(instansi=objs.org.instansi, tahun=timezone.localdate().year)[0]


def _evaluasi(objs: AObjects) -> models.Model:
    # The services materialise evaluations only for approved SKPs; a direct row is enough to test access.
    from evaluasi.models import Evaluasi

    skp: Any = objs.get("skp.Skp")
    org = objs.org
    return Evaluasi._base_manager.create(
        instansi=org.instansi, jenis="tahunan", tahun=skp.tahun, pegawai=org.pegawai, skp=skp,
        pejabat_penilai=org.atasan, unit_kerja=org.pegawai.unit_kerja,
    )  # fmt: skip


def _pejabat_non_asn(objs: AObjects) -> models.Model:
    from kinerja.services.people import pejabat_non_asn_simpan

    org = objs.org
    return pejabat_non_asn_simpan(
        actor=org.admin.user, instansi=org.instansi, username=f"bupati.{org.instansi.kode.lower()}",
        nama="Bupati Uji", jabatan="Bupati Uji Isolasi", menilai=[],
    ).pejabat  # fmt: skip


def _tim(objs: AObjects) -> models.Model:
    from kinerja.services.tenancy import periode_ensure_year
    from kinerja.services.tim import tim_create

    org = objs.org
    periode_ensure_year(instansi=org.instansi, tahun=timezone.localdate().year)
    return tim_create(
        actor=org.admin.user, instansi=org.instansi, nama="Tim Uji Isolasi", tahun=timezone.localdate().year,
        ketua=org.atasan.nip, anggota=[org.pegawai.nip],
    )  # fmt: skip


def _anggota_tim(objs: AObjects) -> models.Model:
    from kinerja.models import AnggotaTim

    tim: Any = objs.get("kinerja.TimKerja")
    return AnggotaTim.objects.get(tim=tim)


BUILDERS: dict[str, Callable[[AObjects], models.Model]] = {
    "kinerja.Instansi": lambda objs: objs.org.instansi,
    "kinerja.User": lambda objs: objs.org.pegawai.user,
    "kinerja.Pegawai": lambda objs: objs.org.pegawai,
    "kinerja.UnitKerja": lambda objs: objs.org.pegawai.unit_kerja,
    "kinerja.Jabatan": lambda objs: objs.org.pegawai.jabatan,
    "kinerja.Periode": _periode,
    "kinerja.Job": _job,
    "kinerja.TimKerja": _tim,
    "kinerja.AnggotaTim": _anggota_tim,
    "skp.Skp": _skp,
    "skp.Rhk": _rhk,
    "skp.Indikator": _indikator,
    "perjanjian.PerjanjianKinerja": _perjanjian,
    "evaluasi.Evaluasi": _evaluasi,
    "kinerja.PejabatNonAsn": _pejabat_non_asn,
    "dialog.BuktiDukung": lambda objs: objs._insert(apps.get_model("dialog.BuktiDukung"), jenis="tautan"),
    # the giver / reply author is a pegawai or a non-ASN official (CHECK exactly one): a pegawai here
    "dialog.UmpanBalik": lambda objs: objs._insert(
        apps.get_model("dialog.UmpanBalik"), pemberi=objs.org.rekan
    ),
    "dialog.BalasanUmpanBalik": lambda objs: objs._insert(
        apps.get_model("dialog.BalasanUmpanBalik"), penulis=objs.org.pegawai
    ),
    # the one asked is a pegawai or the owner's non-ASN Pejabat Penilai (CHECK exactly one): a pegawai here
    "dialog.PermintaanUmpanBalik": lambda objs: objs._insert(
        apps.get_model("dialog.PermintaanUmpanBalik"), diminta=objs.org.rekan
    ),
}
EAGER = (
    "skp.Skp",
    "skp.Rhk",
    "kinerja.Job",
    "kinerja.Periode",
    "perjanjian.PerjanjianKinerja",
)  # made before list checks: data to leak

# ---------------------------------------------------------------- walking the URL conf


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "skp:detail"; the route itself when unnamed
    route: str  # e.g. "api/v1/skp/<int:pk>/"
    kwargs: tuple[str, ...]
    view_class: Any
    named: bool

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def url(self, **kwargs: Any) -> str:
        if self.named:
            url = reverse(self.name, kwargs=kwargs or None)
        else:
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.route).strip("^$")
        query = URL_QUERY.get(self.name)
        return f"{url}?{query}" if query else url

    def target(self, kwarg: str) -> str | Values | Made | None:
        """Model label (or a specific object, or literal values) for ``kwarg``; None when this file cannot tell."""
        explicit = URL_OBJECTS.get(self.name, {})
        if kwarg in explicit:
            return explicit[kwarg]
        app = self.name.split(":")[0] if ":" in self.name else None
        m = re.fullmatch(r"(\w+?)_(?:pk|id)", kwarg)
        if m and _model_named(m.group(1), app):
            return _model_named(m.group(1), app)
        segment = re.search(rf"([\w-]+)/<(?:\w+:)?{kwarg}>", self.route)
        if segment:
            name = segment.group(1)
            return SEGMENT_MODELS.get(name) or _model_named(name, app) or _model_named(name.rstrip("s"), app)
        return None

    @property
    def is_list(self) -> bool:
        """No kwarg is an object of A: checked like a list page."""
        return all(isinstance(self.target(k), Values) for k in self.kwargs)

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route))
            cls = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
            yield Route(name=name, route=route, kwargs=kwargs, view_class=cls, named=bool(p.name))


def _skip_reason(r: Route) -> str | None:
    for prefix, reason in {**SKIPPED_ROUTE_PREFIXES, **PUBLIC}.items():
        if prefix and r.route.startswith(prefix):
            return reason
    return SKIPPED_NAMES.get(r.name)


ROUTES = [r for r in _walk(get_resolver().url_patterns) if _skip_reason(r) is None]
WITH_ID = [r for r in ROUTES if not r.is_list]
LISTS = [r for r in ROUTES if r.is_list]


def _methods(r: Route) -> list[str]:
    """HTTP methods the view implements (class-based views); function views are probed with GET and POST."""
    if r.view_class is None:
        return ["get", "post"]
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(r.view_class, m)]


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def a_objects(org_a: Org) -> AObjects:
    # Distinctive names for A's pegawai so a leak is unmistakable on any page.
    for p in Pegawai._base_manager.filter(instansi=org_a.instansi):
        nama = f"Pegawai-A-Rahasia-{p.pk}"
        Pegawai._base_manager.filter(pk=p.pk).update(nama=nama)
        User.objects.filter(pk=p.user_id).update(nama=nama)
    for attr in ("kepala", "atasan", "pegawai", "rekan", "admin", "hr"):
        getattr(org_a, attr).refresh_from_db()
    return AObjects(org_a)


@pytest.fixture
def outsider_clients(outsider: Pegawai) -> dict[str, Any]:
    api_session = APIClient()
    api_session.force_login(outsider.user)
    web = Client()
    web.force_login(outsider.user)
    return {"token": api_client_for(outsider.user), "api-session": api_session, "web": web}


def _request(client: Any, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    kwargs: dict[str, Any] = {}
    if method != "get":
        kwargs = (
            {"data": body or {}, "format": "json"} if isinstance(client, APIClient) else {"data": body or {}}
        )
    try:
        return getattr(client, method)(url, **kwargs)
    except (TemplateDoesNotExist, NotImplementedError) as exc:
        # A view another engineer has not finished yet; it runs for real once it exists.
        pytest.skip(f"{url}: view not finished yet ({type(exc).__name__}: {exc})")


def _body(resp: Any) -> str:
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return raw.decode(errors="replace")


def _secrets(org: Org) -> list[str]:
    rows = Pegawai._base_manager.filter(instansi=org.instansi).values_list("nip", "nama", "status")
    return [s for nip, nama, status in rows for s in (nip, format_nip(nip), format_nip(nip, status), nama)]


# ---------------------------------------------------------------- the tests


def test_url_conf_is_walked() -> None:
    names = {r.name for r in ROUTES}
    assert {"api-pegawai-detail", "pegawai-detail", "unit-detail", "api-me"} <= names
    assert not any(r.route.startswith(settings.ADMIN_URL) for r in ROUTES)
    by_name = {r.name: r for r in ROUTES}
    assert by_name["unit-detail"].target("pk") == "kinerja.UnitKerja"
    assert by_name["api-skp-ajukan"].target("pk") == "skp.Skp"


@pytest.mark.parametrize("route", WITH_ID, ids=str)
def test_outsider_gets_404_for_objects_of_other_instansi(
    route: Route, a_objects: AObjects, outsider_clients: dict[str, Any]
) -> None:
    # given an object of instansi A in every id of the URL
    kwargs: dict[str, Any] = {}
    for kwarg in route.kwargs:
        target = route.target(kwarg)
        if target is None:
            pytest.fail(
                f"URL {route.name!r} ({route.route}) takes {kwarg!r}, and tests/test_tenant_isolation.py cannot "
                f"tell which object of instansi A belongs there. Add URL_OBJECTS[{route.name!r}] = "
                f"{{{kwarg!r}: '<app>.<Model>'}} (or the route segment to SEGMENT_MODELS); if the URL is public "
                "by design, add it to PUBLIC with the reason."
            )
        kwargs[kwarg] = target.get()[0] if isinstance(target, Values) else a_objects.get(target).pk
    url = route.url(**kwargs)
    secrets = _secrets(a_objects.org)
    # when the outsider (admin of B) asks for it in every way the view allows
    answered = []
    for client_name in ["token", "api-session"] if route.is_api else ["web"]:
        for method in _methods(route):
            resp = _request(outsider_clients[client_name], method, url, URL_BODY.get(route.name))
            where = f"{method.upper()} {url} as outsider ({client_name})"
            if resp.status_code == 405 and route.view_class is None:
                continue  # a function view that does not take this method
            # then: 404, never 403, never data
            assert resp.status_code == 404, f"{where}: {resp.status_code} {_body(resp)[:300]!r}"
            leaked = [s for s in secrets if s in _body(resp)]
            assert not leaked, f"{where} shows data of instansi A: {leaked}"
            answered.append(method)
    assert answered, f"{route.name}: no method answered (all 405?)"


@pytest.mark.parametrize("route", LISTS, ids=str)
def test_outsider_pages_without_id_show_nothing_of_other_instansi(
    route: Route, a_objects: AObjects, outsider_clients: dict[str, Any]
) -> None:
    for label in EAGER:
        a_objects.get(label)
    secrets = _secrets(a_objects.org)
    values = [route.target(k).get() for k in route.kwargs]  # type: ignore[union-attr]
    for combo in itertools.product(*values):
        url = route.url(**dict(zip(route.kwargs, combo, strict=True)))
        for client_name in ["token", "api-session"] if route.is_api else ["web"]:
            resp = _request(outsider_clients[client_name], "get", url)
            where = f"GET {url} as outsider ({client_name})"
            assert resp.status_code < 500, where
            leaked = [s for s in secrets if s in _body(resp)]
            assert not leaked, f"{where} shows data of instansi A: {leaked}"


def test_insider_sees_what_the_outsider_cannot(a_objects: AObjects, api: Any) -> None:
    # the 404s above are not vacuous: A's admin gets the same URLs
    org = a_objects.org
    assert api(org.admin.user).get(f"/api/v1/pegawai/{org.pegawai.pk}/").status_code == 200
    client = Client()
    client.force_login(org.admin.user)
    assert client.get(f"/pegawai/{org.pegawai.pk}/").status_code == 200
    assert client.get(f"/organisasi/unit/{org.pegawai.unit_kerja_id}/").status_code == 200


def test_minimal_insert_makes_rows_of_instansi_a(a_objects: AObjects) -> None:
    # the generic builder used for models without a BUILDERS entry puts its rows in A
    for label in ("kinerja.Penempatan", "kinerja.PeranInstansi"):
        row: Any = a_objects.get(label)
        assert row.instansi_id == a_objects.org.instansi.pk
