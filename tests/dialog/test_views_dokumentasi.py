"""Realisasi page: entry with bukti dukung, a rejected upload keeps the form, access-checked downloads."""

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from dialog.models import BuktiDukung, Realisasi
from kinerja.models import AuditLog, Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import indikator_of, make_skp
from tests.factories.berkas import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()
EXE = b"MZ\x90\x00" + b"\x00" * 200
PDF = pdf_bytes()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(skp: Skp, periode: Periode | None = None) -> str:
    return f"/dialog/skp/{skp.pk}/realisasi/" + (f"?periode={periode.pk}" if periode else "")


def upload(name: str, data: bytes, ctype: str = "application/pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=ctype)


def post_realisasi(
    c: Client, skp: Skp, ind_pk: int, periode: Periode, htmx: bool = False, **fields: Any
) -> Any:
    data = {"periode": periode.pk}
    data.update({f"i{ind_pk}-{k}": v for k, v in fields.items()})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(f"/dialog/skp/{skp.pk}/realisasi/{ind_pk}/", data, **headers)


def test_owner_sees_page_with_periods_and_indicators(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    resp = client_for(org_a.pegawai.user).get(url(skp_pegawai))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Triwulan 2 2026" in html
    assert "Jumlah laporan yang diselesaikan" in html
    assert 'data-testid="form-realisasi-' in html
    assert "0 dari 4 indikator terisi" in html


def test_realisasi_requires_approved_skp(org_a: Org, tw: list[Periode]) -> None:
    skp = make_skp(org_a, org_a.pegawai, approve=False)
    c = client_for(org_a.pegawai.user)
    resp = c.get(url(skp))
    assert resp.status_code == 200
    assert 'data-testid="belum-disetujui"' in resp.content.decode()
    assert 'data-testid="form-realisasi-' not in resp.content.decode()
    ind = indikator_of(org_a, skp)[0]
    resp = post_realisasi(c, skp, ind.pk, tw[1], realisasi="3 laporan")
    assert resp.status_code == 422
    with scope(instansi=org_a.instansi.pk):
        assert not Realisasi.objects.exists()


def test_save_with_file_and_link_then_download(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    c = client_for(org_a.pegawai.user)
    ind = indikator_of(org_a, skp_pegawai)[0]
    resp = post_realisasi(
        c,
        skp_pegawai,
        ind.pk,
        tw[1],
        realisasi="3 laporan",
        keterangan="sesuai jadwal",
        berkas=upload("laporan april.pdf", PDF),
        tautan="https://drive.contoh.go.id/x",
        judul_bukti="",
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        r = Realisasi.objects.get()
        files = list(BuktiDukung.objects.filter(realisasi=r).order_by("id"))
        assert r.realisasi == "3 laporan"
        assert [(b.jenis, b.tipe_konten, b.nama_berkas) for b in files] == [
            ("berkas", "application/pdf", "laporan april.pdf"),
            ("tautan", "", ""),
        ]
        stored = files[0].berkas.name
        assert stored.startswith(f"bukti/{org_a.instansi.pk}/")
        assert "laporan" not in stored
        assert AuditLog.objects.filter(action="dialog.realisasi").exists()
    # owner and leader can download through the view; the body is the file
    for who in (org_a.pegawai, org_a.atasan, org_a.admin):
        resp = client_for(who.user).get(f"/dialog/bukti/{files[0].pk}/unduh/")
        assert resp.status_code == 200, who
        assert resp["Content-Type"] == "application/pdf"
        assert b"".join(resp.streaming_content) == PDF
        assert "attachment" in resp["Content-Disposition"]
    inline = client_for(org_a.atasan.user).get(f"/dialog/bukti/{files[0].pk}/unduh/?lihat=1")
    assert "inline" in inline["Content-Disposition"]
    assert inline["X-Content-Type-Options"] == "nosniff"


def test_download_404_for_peer_outsider_anonymous(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    ind = indikator_of(org_a, skp_pegawai)[0]
    post_realisasi(
        client_for(org_a.pegawai.user), skp_pegawai, ind.pk, tw[1], realisasi="x", berkas=upload("a.png", PNG)
    )
    with scope(instansi=org_a.instansi.pk):
        bukti = BuktiDukung.objects.get()
    for who in (org_a.rekan, org_a.kepala, outsider):
        assert client_for(who.user).get(f"/dialog/bukti/{bukti.pk}/unduh/").status_code == 404
    assert Client().get(f"/dialog/bukti/{bukti.pk}/unduh/").status_code == 302  # to login
    assert Client().get(f"/media-not-public/{bukti.berkas.name}").status_code == 404  # never a public URL


def test_exe_renamed_pdf_rejected_and_form_kept(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    c = client_for(org_a.pegawai.user)
    ind = indikator_of(org_a, skp_pegawai)[0]
    resp = post_realisasi(
        c,
        skp_pegawai,
        ind.pk,
        tw[1],
        realisasi="Tiga laporan selesai",
        keterangan="catatan saya",
        berkas=upload("laporan.pdf", EXE),
        tautan="https://contoh.go.id/a",
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "Berkas program (executable) tidak diterima" in html
    assert "Tiga laporan selesai" in html
    assert "catatan saya" in html
    assert "https://contoh.go.id/a" in html
    with scope(instansi=org_a.instansi.pk):
        assert not Realisasi.objects.exists()
        assert not BuktiDukung.objects.exists()


def test_htmx_post_returns_the_card_with_error_and_values(
    org_a: Org, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    c = client_for(org_a.pegawai.user)
    ind = indikator_of(org_a, skp_pegawai)[1]
    resp = post_realisasi(
        c, skp_pegawai, ind.pk, tw[1], htmx=True, realisasi="95 %", berkas=upload("x.pdf", b"hello world")
    )
    assert resp.status_code == 200  # htmx swaps 2xx only
    html = resp.content.decode()
    assert html.lstrip().startswith("<article")
    assert f'id="ind-{ind.pk}"' in html
    assert "Jenis berkas tidak didukung" in html
    assert "95 %" in html
    resp = post_realisasi(c, skp_pegawai, ind.pk, tw[1], htmx=True, realisasi="95 %", tautan="ftp://x")
    assert "http://" in resp.content.decode()
    assert "diawali" in resp.content.decode()
    resp = post_realisasi(
        c,
        skp_pegawai,
        ind.pk,
        tw[1],
        htmx=True,
        realisasi="95 %",
        berkas=upload("foto.pdf", PNG, "application/pdf"),
    )
    html = resp.content.decode()
    assert "Realisasi tersimpan." in html
    with scope(instansi=org_a.instansi.pk):
        b = BuktiDukung.objects.get()
        assert (b.tipe_konten, b.nama_berkas) == ("image/png", "foto.png")  # policy: accepted as what it is


def test_only_owner_writes_leader_reads(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    ind = indikator_of(org_a, skp_pegawai)[0]
    leader = client_for(org_a.atasan.user)
    page = leader.get(url(skp_pegawai))
    assert page.status_code == 200
    assert 'data-testid="form-realisasi-' not in page.content.decode()
    assert post_realisasi(leader, skp_pegawai, ind.pk, tw[1], realisasi="x").status_code == 403
    for who in (org_a.rekan, outsider):
        assert client_for(who.user).get(url(skp_pegawai)).status_code == 404
        assert (
            post_realisasi(client_for(who.user), skp_pegawai, ind.pk, tw[1], realisasi="x").status_code == 404
        )


def test_rencana_aksi_and_bukti_delete(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    from skp.models import Rhk

    c = client_for(org_a.pegawai.user)
    with scope(instansi=org_a.instansi.pk):
        rhk = Rhk.objects.filter(skp=skp_pegawai).first()
    resp = c.post(
        f"/dialog/skp/{skp_pegawai.pk}/rencana-aksi/",
        {
            "periode": tw[1].pk,
            "rhk": rhk.pk,
            f"ra{rhk.pk}-rhk": rhk.pk,
            f"ra{rhk.pk}-uraian": "Menyusun draf",
            f"ra{rhk.pk}-target": "Mei",
        },
    )
    assert resp.status_code == 302
    assert "Menyusun draf" in c.get(url(skp_pegawai, tw[1])).content.decode()
    ind = indikator_of(org_a, skp_pegawai)[0]
    post_realisasi(c, skp_pegawai, ind.pk, tw[1], realisasi="x", berkas=upload("a.png", PNG))
    with scope(instansi=org_a.instansi.pk):
        bukti = BuktiDukung.objects.get()
    assert client_for(org_a.atasan.user).post(f"/dialog/bukti/{bukti.pk}/hapus/").status_code == 403
    with scope(instansi=org_a.instansi.pk):
        assert BuktiDukung.objects.exists()  # the leader sees it but may not delete it
    assert c.post(f"/dialog/bukti/{bukti.pk}/hapus/").status_code == 302
    with scope(instansi=org_a.instansi.pk):
        assert not BuktiDukung.objects.exists()


def test_rencana_aksi_corrected_in_place(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    from dialog import services
    from dialog.models import Aktivitas, RencanaAksi
    from skp.models import Rhk

    with scope(instansi=org_a.instansi.pk):
        rhk = Rhk.objects.filter(skp=skp_pegawai).first()
        aksi = services.rencana_aksi_add(
            actor=org_a.pegawai.user,
            skp=skp_pegawai,
            rhk_id=rhk.pk,
            periode_id=tw[1].pk,
            uraian="Menyusn draf",
        )
    c = client_for(org_a.pegawai.user)
    path = f"/dialog/rencana-aksi/{aksi.pk}/ubah/"
    # the page offers the correction with the current text
    page = c.get(url(skp_pegawai, tw[1])).content.decode()
    assert f'action="{path}"' in page
    assert 'value="Menyusn draf"' in page
    # an empty text: the page again (422) with this step's form open, the reason under the field, nothing lost
    resp = c.post(path, {f"ubah{aksi.pk}-uraian": "  ", f"ubah{aksi.pk}-target": "Mei"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-testid="galat-uraian"' in html
    assert '<details class="aksi-ubah" open>' in html
    too_long = c.post(path, {f"ubah{aksi.pk}-uraian": "Menyusun draf", f"ubah{aksi.pk}-target": "x" * 256})
    assert too_long.status_code == 422
    assert 'data-testid="galat-target"' in too_long.content.decode()
    with scope(instansi=org_a.instansi.pk):
        assert RencanaAksi.objects.get(pk=aksi.pk).uraian == "Menyusn draf"
    # corrected: back to the step, its result and periode unchanged, audited with before/after, in the feed
    resp = c.post(path, {f"ubah{aksi.pk}-uraian": "Menyusun draf kajian", f"ubah{aksi.pk}-target": "Mei"})
    assert resp.status_code == 302
    assert resp["Location"].endswith(f"?periode={tw[1].pk}#aksi-{aksi.pk}")
    with scope(instansi=org_a.instansi.pk):
        aksi.refresh_from_db()
        assert (aksi.uraian, aksi.target, aksi.rhk_id, aksi.periode_id) == (
            "Menyusun draf kajian",
            "Mei",
            rhk.pk,
            tw[1].pk,
        )
        log = AuditLog.objects.filter(action="dialog.rencana_aksi_ubah").get()
        assert (log.before["uraian"], log.after["uraian"]) == ("Menyusn draf", "Menyusun draf kajian")
        assert Aktivitas.objects.filter(jenis="rencana_aksi.diubah", objek_id=aksi.pk).count() == 1
    # saving the same text again changes nothing and records nothing
    c.post(path, {f"ubah{aksi.pk}-uraian": "Menyusun draf kajian", f"ubah{aksi.pk}-target": "Mei"})
    with scope(instansi=org_a.instansi.pk):
        assert AuditLog.objects.filter(action="dialog.rencana_aksi_ubah").count() == 1
    # the leader sees the step but may not change it
    leader = client_for(org_a.atasan.user)
    assert leader.post(path, {f"ubah{aksi.pk}-uraian": "Lain"}).status_code == 403
    assert f'action="{path}"' not in leader.get(url(skp_pegawai, tw[1])).content.decode()
    with scope(instansi=org_a.instansi.pk):
        assert RencanaAksi.objects.get(pk=aksi.pk).uraian == "Menyusun draf kajian"
