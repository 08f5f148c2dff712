"""OpenAPI generation: unique component names for the nested Input/Output serializers.

Every API class nests its own ``InputSerializer``/``OutputSerializer`` (conventions rule 2), so
drf-spectacular's default names (the class name) collide and one component silently replaces the
others in ``/api/schema/``: clients generated from it get wrong request bodies. Names come from
the qualified name instead (``SkpReturnApi.InputSerializer`` -> ``SkpReturnApiInput``).
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema


class KinerjaAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)


# ---------------------------------------------------------------- error responses (issue #15)

GALAT = {
    "type": "object",
    "description": 'The API\'s one error shape: {"detail": "...", "errors": {field: [messages]}}; some '
    'answers add context (e.g. the current "versi" of a 409 on a stale version).',
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail"],
}
#: What every operation can answer, whatever it does: malformed input (400: a NUL in a parameter, bad
#: JSON, validation), no/invalid credentials (401), an account without instansi (403), an unknown id or
#: a resource of another instansi or role (404), a body over the cap (413), the database down (503).
SEMUA = {
    "400": "Input tidak valid (validasi, JSON rusak, karakter NUL).",
    "401": "Belum masuk atau token tidak valid.",
    "403": "Akun tanpa instansi, atau objek hanya dapat dibaca oleh pemanggil.",
    "404": "Tidak ada, milik instansi lain, atau tidak terlihat oleh pemanggil.",
    "413": "Isi permintaan melebihi batas.",
    "503": "Layanan (basis data) sedang tidak tersedia.",
}
#: Writes can also meet a state that does not allow them, or a stale version.
TULIS = {"409": "Perubahan status tidak diizinkan, atau versi yang dikirim sudah usang."}
#: The login endpoint is throttled per client, proposals across instansi per user.
THROTTLE = {"429": "Terlalu banyak percobaan; coba lagi nanti."}


def tambah_respons_galat(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: declare on every operation the error answers it really can
    give (schemathesis' status-code and response-schema conformance checks hold the schema to it)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Galat", GALAT)
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Galat"}}}}
    for path, ops in result.get("paths", {}).items():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            codes = dict(SEMUA)
            if method in ("post", "put", "patch", "delete"):
                codes.update(TULIS)
            if path.endswith("/auth/token/") or (path.endswith("/penugasan-keluar/") and method == "post"):
                codes.update(THROTTLE)  # the login; proposals across instansi (per user per hour/day)
            for code, description in codes.items():
                op["responses"].setdefault(code, {"description": description, **ref})
    return result
