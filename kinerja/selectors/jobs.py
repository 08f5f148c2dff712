"""Which background jobs a user may see."""

from django.db.models import QuerySet

from kinerja.models import Instansi, Job, Role, User

ROLES_SEMUA_JOB = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN)


def job_visible_to(*, instansi: Instansi, user: User, roles: list[str]) -> QuerySet[Job]:
    """Admin, HR and platform admin see every job of the instansi; everyone else only their own."""
    qs = Job.objects.filter(instansi=instansi)
    if set(ROLES_SEMUA_JOB) & set(roles):
        return qs
    return qs.filter(dibuat_oleh_id=user.pk)
