"""SKP status machine: the one place a status changes (locks the row, validates, writes history)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from kinerja.exceptions import InvalidTransition
from kinerja.models import User
from kinerja.services.audit import audit_log
from skp.models import Skp, SkpStatus, SkpStatusChange

S = SkpStatus
SKP_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.DIAJUKAN},
    S.DIAJUKAN: {S.DISETUJUI, S.DIKEMBALIKAN},
    S.DIKEMBALIKAN: {S.DIAJUKAN, S.DRAFT},
    S.DISETUJUI: {S.DIGANTI},
    S.DIGANTI: set(),
}

_LABEL = dict(SkpStatus.choices)

SkpStatusListener = Callable[..., Any]
_listeners: list[SkpStatusListener] = []


def register_skp_status_listener(fn: SkpStatusListener) -> None:
    """Apps above skp (dialog) subscribe here at start-up, since skp must not import them.
    Each listener is called inside the transition's transaction as ``fn(skp=, ke=, actor=, catatan=)``."""
    if fn not in _listeners:
        _listeners.append(fn)


def skp_lock(*, skp_id: int) -> Skp:
    """Lock the SKP row (single-table query, no JOIN, so FOR UPDATE is safe)."""
    return Skp.objects.select_for_update().get(pk=skp_id)


def skp_transition(
    *, skp: Skp, to: str, actor: User | None, catatan: str = "", extra_fields: dict | None = None
) -> Skp:
    """Move a *locked* SKP to ``to`` if the table allows it; write history and audit.

    Must be called inside the caller's transaction after ``skp_lock``.
    """
    if to not in SKP_TRANSITIONS.get(skp.status, set()):
        raise InvalidTransition(
            _("SKP berstatus '%(dari)s' tidak dapat diubah menjadi '%(ke)s'.")
            % {"dari": _LABEL.get(skp.status, skp.status), "ke": _LABEL.get(to, to)}
        )
    before = skp.status
    skp.status = to
    fields = ["status", "versi", "updated_at"]
    skp.versi += 1
    for name, value in (extra_fields or {}).items():
        setattr(skp, name, value)
        fields.append(name)
    skp.save(update_fields=fields)
    SkpStatusChange.objects.create(
        instansi_id=skp.instansi_id, skp=skp, actor=actor, dari=before, ke=to, catatan=catatan
    )
    audit_log(
        actor=actor,
        instansi=skp.instansi_id,
        action=f"skp.{to}",
        obj=skp,
        before={"status": before},
        after={"status": to, "catatan": catatan} if catatan else {"status": to},
    )
    for listener in _listeners:
        listener(skp=skp, ke=to, actor=actor, catatan=catatan)
    return skp
