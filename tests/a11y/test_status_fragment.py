"""The SKP page's document-status fragment (``?bagian=dokumen``, asked by htmx every 3 seconds while the
signed PDF is being prepared): polls while waiting, stops once the PDF exists, stays inside the
instansi and the SKP's readers, and costs a fixed handful of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import Org
from tests.dialog.conftest import make_skp

pytestmark = pytest.mark.django_db


def _get(user: Any, skp_id: int) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/skp/{skp_id}/?bagian=dokumen", HTTP_HX_REQUEST="true")


def test_fragment_polls_until_the_pdf_exists_then_stops(org_a: Org) -> None:
    from skp.tasks import skp_document_render_task

    skp = make_skp(org_a, org_a.pegawai, n_rhk=1, n_ind=1)
    resp = _get(org_a.pegawai.user, skp.pk)
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "<html" not in body  # the fragment only
    assert 'hx-trigger="every 3s"' in body
    assert f'hx-get="/skp/{skp.pk}/?bagian=dokumen"' in body
    assert "sedang disiapkan" in body

    skp_document_render_task(org_a.instansi.pk, skp.pk)
    body = _get(org_a.pegawai.user, skp.pk).content.decode()
    assert "hx-trigger" not in body  # nothing left to ask: the poll ends with this swap
    assert f'href="/api/v1/skp/{skp.pk}/dokumen/"' in body
    assert "Unduh PDF bertanda tangan" in body


def test_fragment_is_404_for_other_instansi_and_strangers(org_a: Org, outsider: Any) -> None:
    skp = make_skp(org_a, org_a.pegawai, n_rhk=1, n_ind=1)
    assert _get(outsider.user, skp.pk).status_code == 404  # another instansi (admin there)
    assert _get(org_a.rekan.user, skp.pk).status_code == 404  # a peer in the same instansi
    assert _get(org_a.atasan.user, skp.pk).status_code == 200  # the pejabat penilai reads it


def test_fragment_of_a_draft_is_404(org_a: Org) -> None:
    skp = make_skp(org_a, org_a.pegawai, n_rhk=1, n_ind=1, approve=False)
    assert _get(org_a.pegawai.user, skp.pk).status_code == 404


def test_fragment_query_count_is_fixed(org_a: Org, django_assert_max_num_queries: Any) -> None:
    skp = make_skp(org_a, org_a.pegawai, n_rhk=3, n_ind=2)
    client = Client()
    client.force_login(org_a.pegawai.user)
    client.get(
        "/"
    )  # session and tenant warm-up (9 measured: session, user, roles, RLS, SKP + access, the document)
    with django_assert_max_num_queries(9):
        resp = client.get(f"/skp/{skp.pk}/?bagian=dokumen", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
