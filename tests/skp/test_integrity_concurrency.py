"""Issue #14 under concurrency (real PostgreSQL, two connections): deleting a leader result and
submitting an SKP that links to it serialise on the leader result's row lock, so a submitted SKP never
ends up with a link that vanished under it, and a deletion never slips past a submission."""

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django_scopes import scope

from kinerja.exceptions import ApplicationError
from skp import services
from skp.models import Rhk, Skp, SkpStatus
from tests.conftest import Org
from tests.skp.test_integrity import build_cascade

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    """Run ``fn`` on its own connection; its outcome (result or exception) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:
            out.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    return t, out


def _blocked(t: threading.Thread) -> bool:
    time.sleep(1.0)
    return t.is_alive()


def test_submit_waiting_on_a_delete_sees_the_cleared_link(org_a: Org) -> None:
    cascade = build_cascade(org_a)
    iid = org_a.instansi.pk

    def submit_rekan() -> Any:
        with scope(instansi=iid):
            skp = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(
                pk=cascade.rekan_draft.pk
            )
            return services.skp_submit(actor=org_a.rekan.user, skp=skp)

    # given the leader's deletion of result B is under way (uncommitted)
    with scope(instansi=iid), transaction.atomic():
        rhk = Rhk.objects.select_related("skp__pegawai__jabatan").get(pk=cascade.leader_b.pk)
        services.skp_rhk_remove(actor=org_a.atasan.user, rhk=rhk)
        # when the rekan submits the SKP linking to B meanwhile, it waits for the deletion
        t, out = _in_thread(submit_rekan)
        assert _blocked(t)
    t.join(15)
    # then it sees the cleared link and is refused with the reason; nothing half-done
    (result,) = out
    assert isinstance(result, ApplicationError), result
    assert "belum dikaitkan" in " ".join(result.errors["rhk_pimpinan"])
    with scope(instansi=iid):
        assert Skp.objects.get(pk=cascade.rekan_draft.pk).status == SkpStatus.DRAFT
        assert not Rhk.objects.filter(pk=cascade.leader_b.pk).exists()


def test_delete_waiting_on_a_submission_is_refused(org_a: Org) -> None:
    cascade = build_cascade(org_a)
    iid = org_a.instansi.pk

    def delete_b() -> Any:
        with scope(instansi=iid):
            rhk = Rhk.objects.select_related("skp__pegawai__jabatan").get(pk=cascade.leader_b.pk)
            return services.skp_rhk_remove(actor=org_a.atasan.user, rhk=rhk)

    # given the rekan's submission of the SKP linking to B is under way (uncommitted)
    with scope(instansi=iid), transaction.atomic():
        skp = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(pk=cascade.rekan_draft.pk)
        services.skp_submit(actor=org_a.rekan.user, skp=skp)
        # when the leader deletes B meanwhile, the deletion waits for the submission
        t, out = _in_thread(delete_b)
        assert _blocked(t)
    t.join(15)
    # then it is refused, naming the now submitted SKP; the link stays
    (result,) = out
    assert isinstance(result, services.RhkMasihDiacu), result
    assert f"{org_a.rekan.nama} (Diajukan)" in result.message
    with scope(instansi=iid):
        assert Rhk.objects.get(pk=cascade.rekan_rhk[1].pk).rhk_pimpinan_id == cascade.leader_b.pk
