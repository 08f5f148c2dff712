"""SKP object permissions (django-guardian), granted and revoked only by services."""

from guardian.shortcuts import assign_perm, remove_perm

from kinerja.models import User
from skp.models import Skp

PERM_APPROVE = "skp.approve_skp"


def grant_approve(*, user: User, skp: Skp) -> None:
    assign_perm(PERM_APPROVE, user, skp)


def revoke_approve(*, skp: Skp) -> None:
    """Remove the approve permission from everyone holding it on this SKP."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Skp),
        object_pk=str(skp.pk),
        permission__codename="approve_skp",
    ).delete()


__all__ = ["PERM_APPROVE", "grant_approve", "remove_perm", "revoke_approve"]
