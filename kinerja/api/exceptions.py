"""One error shape for the whole API: {"detail": "...", "errors": {field: [messages]}}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_scopes import ScopeError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kinerja.exceptions import ApplicationError, TooManyRequests


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, list):
                msgs: list[str] = []
                for v in value:
                    if isinstance(v, dict):
                        for sub_k, sub_v in _flatten(v).items():
                            out.setdefault(f"{key}.{sub_k}", []).extend(sub_v)
                    else:
                        msgs.append(str(v))
                if msgs:
                    out[str(key)] = msgs
            elif isinstance(value, dict):
                for sub_k, sub_v in _flatten(value).items():
                    out[f"{key}.{sub_k}"] = sub_v
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.errors:
            body["errors"] = exc.errors
        body.update(exc.extra)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, Http404 | ScopeError):
        return Response({"detail": "Data tidak ditemukan."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": "Data tidak valid.", "errors": errors}, status=400)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Data tidak valid.", "errors": _flatten(exc.detail)}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
