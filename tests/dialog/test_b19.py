"""Format B.1.9 "Evaluasi Kompetensi Pegawai sebagai Tindak Lanjut Bimbingan Kinerja" next to B.1.8.

Source: domain.md §5 "Bimbingan kinerja" row (PMK6 Lampiran p.83-84 via anyflip): B.1.9 = kompetensi,
nilai skala 1-5, alasan; filled by the Pejabat Penilai after a bimbingan. The competence list is seed
data marked [VERIFY] (``dialog/kompetensi_b19.py``).
"""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from dialog import selectors, services
from dialog.kompetensi_b19 import KOMPETENSI_B19_V1
from dialog.models import CatatanKinerja, KompetensiB19, Notifikasi, PenilaianKompetensi
from kinerja.exceptions import ApplicationError, InvalidTransition, ReadOnly
from kinerja.models import AuditLog
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _bimbingan(org: Org, jenis: str = "bimbingan_kinerja") -> CatatanKinerja:
    with scope(instansi=org.instansi.pk):
        return services.catatan_create(
            actor=org.atasan.user,
            jenis=jenis,
            pegawai=org.pegawai,
            tanggal=dt.date(2026, 5, 12),
            agenda="Penyusunan laporan keuangan",
        )


def _k(kode: str) -> KompetensiB19:
    return KompetensiB19.objects.get(kode=kode, versi=1)


def test_seed_is_the_versioned_competence_list_domain_s5() -> None:
    """domain.md §5 B.1.9 "kompetensi": version 1 seeded by migration, in form order."""
    current = selectors.kompetensi_b19_current()
    assert [k.kode for k in current] == [row[0] for row in KOMPETENSI_B19_V1]
    assert {k.kelompok for k in current} == {"manajerial", "sosial_kultural"}


def test_leader_rates_competences_once_with_reasons_domain_s5(org_a: Org) -> None:
    """domain.md §5 B.1.9: "nilai skala 1-5, alasan", by the Pejabat Penilai, once; audited, the pegawai
    is notified; unrated competences are left out."""
    rec = _bimbingan(org_a)
    with scope(instansi=org_a.instansi.pk):
        out = services.bimbingan_kompetensi_nilai(
            actor=org_a.atasan.user,
            catatan=rec,
            penilaian={
                _k("komunikasi").pk: (4, "Laporan lisan runtut"),
                _k("orientasi_hasil").pk: ("2", "Dua target bulan ini terlewat"),
                _k("integritas").pk: ("", ""),
            },
        )
        assert out.b19_diisi_at is not None
        rows = {
            p.kompetensi.kode: (p.nilai, p.alasan) for p in PenilaianKompetensi.objects.filter(catatan=rec)
        }
        assert rows == {
            "komunikasi": (4, "Laporan lisan runtut"),
            "orientasi_hasil": (2, "Dua target bulan ini terlewat"),
        }
        assert AuditLog.objects.filter(action="dialog.b19", object_id=str(rec.pk)).exists()
        assert Notifikasi.objects.filter(penerima=org_a.pegawai.user, judul__contains="B.1.9").exists()
        with pytest.raises(InvalidTransition):
            services.bimbingan_kompetensi_nilai(
                actor=org_a.atasan.user, catatan=rec, penilaian={_k("komunikasi").pk: (5, "x")}
            )


@pytest.mark.parametrize(
    ("penilaian", "field"),
    [
        ({"komunikasi": (6, "di luar skala")}, "k{komunikasi}"),
        ({"komunikasi": (0, "di luar skala")}, "k{komunikasi}"),
        ({"komunikasi": (3, "  ")}, "k{komunikasi}_alasan"),
        ({"komunikasi": ("", "alasan tanpa nilai")}, "k{komunikasi}"),
        ({}, "__all__"),
    ],
)
def test_scale_1_to_5_and_reason_required_domain_s5(
    org_a: Org, penilaian: dict[str, Any], field: str
) -> None:
    """domain.md §5 B.1.9 "nilai skala 1-5, alasan": out-of-scale, missing reason, a reason without a
    rating and an empty form are field errors a clerk understands; nothing is stored."""
    rec = _bimbingan(org_a)
    with scope(instansi=org_a.instansi.pk):
        ids = {kode: _k(kode).pk for kode in penilaian}
        with pytest.raises(ApplicationError) as exc:
            services.bimbingan_kompetensi_nilai(
                actor=org_a.atasan.user, catatan=rec, penilaian={ids[k]: v for k, v in penilaian.items()}
            )
        assert field.format(**ids) in exc.value.errors
        assert not PenilaianKompetensi.objects.filter(catatan=rec).exists()
        assert CatatanKinerja.objects.get(pk=rec.pk).b19_diisi_at is None


def test_only_the_leader_and_only_for_bimbingan(org_a: Org) -> None:
    """B.1.9 is the Pejabat Penilai's form (B.1.8 is the pegawai's) and belongs to bimbingan records."""
    rec = _bimbingan(org_a)
    konseling = _bimbingan(org_a, "konseling_kinerja")
    with scope(instansi=org_a.instansi.pk):
        pk = _k("komunikasi").pk
        with pytest.raises(ReadOnly):
            services.bimbingan_kompetensi_nilai(
                actor=org_a.pegawai.user, catatan=rec, penilaian={pk: (3, "a")}
            )
        with pytest.raises(InvalidTransition):
            services.bimbingan_kompetensi_nilai(
                actor=org_a.atasan.user, catatan=konseling, penilaian={pk: (3, "a")}
            )


def test_page_form_errors_then_saved_and_shown(org_a: Org, outsider: Any) -> None:
    """Through the page: the leader sees the form, a missing reason is a 422 with the input kept, then the
    saved table is shown to the pegawai; B's user gets 404."""
    rec = _bimbingan(org_a)
    with scope(instansi=org_a.instansi.pk):
        kom = _k("komunikasi").pk
        kerja = _k("kerja_sama").pk
    leader = client_for(org_a.atasan.user)
    url = f"/dialog/catatan/{rec.pk}/"
    assert 'data-testid="form-b19"' in leader.get(url).content.decode()
    assert 'data-testid="form-b19"' not in client_for(org_a.pegawai.user).get(url).content.decode()
    resp = leader.post(f"{url}b19/", {f"k{kom}": "4", f"k{kom}_alasan": "", f"k{kerja}": "5"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "Tuliskan alasan nilai ini." in html
    assert "selected>4 - Baik" in html or 'value="4" selected' in html
    assert client_for(outsider.user).post(f"{url}b19/", {f"k{kom}": "4"}).status_code == 404
    assert (
        client_for(org_a.pegawai.user).post(f"{url}b19/", {f"k{kom}": "4", f"k{kom}_alasan": "a"}).status_code
        == 403
    )
    resp = leader.post(
        f"{url}b19/",
        {f"k{kom}": "4", f"k{kom}_alasan": "Runtut", f"k{kerja}": "5", f"k{kerja}_alasan": "Aktif"},
    )
    assert resp.status_code == 302
    html = client_for(org_a.pegawai.user).get(url).content.decode()
    assert 'data-testid="penilaian-b19"' in html
    assert 'data-testid="nilai-b19-komunikasi">4<' in html
    assert 'data-testid="nilai-b19-kerja_sama">5<' in html
    assert "Runtut" in html
