"""The one DRF base class that owns tenancy and permissions (conventions rule 7)."""

from typing import Any, ClassVar, cast

from django.db.models import Model, QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, User
from kinerja.selectors.people import roles_of

_GUARDED = ("get_queryset", "get_object", "get_permissions")


class HasInstansi(BasePermission):
    message = "Akun ini tidak terhubung ke instansi mana pun."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request._request, "instansi", None) is not None


class TenantScopedApi(GenericAPIView):
    """Base for every tenant API. Subclasses implement ``get_base_queryset`` and may set
    ``required_roles`` (any of). They must not override the guarded methods."""

    required_roles: ClassVar[tuple[str, ...]] = ()
    extra_permission_classes: ClassVar[tuple[type[BasePermission], ...]] = ()
    instansi: Instansi
    roles: list[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _GUARDED:
            if name in cls.__dict__ and not getattr(cls.__dict__[name], "_dangerously_allowed", False):
                raise TypeError(f"{cls.__name__} must not override {name}; implement get_base_queryset()")

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated(), HasInstansi(), *(p() for p in self.extra_permission_classes)]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.instansi = request._request.instansi  # type: ignore[attr-defined]  # set by TenantMiddleware
        self.roles = roles_of(user=self.actor, instansi=self.instansi)
        if self.required_roles and not set(self.required_roles) & set(self.roles):
            # Not allowed to see this resource at all: same answer as "does not exist".
            raise NotFoundOrForbidden()

    @property
    def actor(self) -> User:
        """The authenticated user (IsAuthenticated has run, so never anonymous here)."""
        return cast(User, self.request.user)

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    def get_base_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.get_base_queryset()

    def get_object(self) -> Model:
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            pk = int(lookup)
        except (TypeError, ValueError):
            raise NotFoundOrForbidden() from None
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise NotFoundOrForbidden()
        self.check_object_permissions(self.request, obj)
        return obj
