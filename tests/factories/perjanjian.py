"""A Perjanjian Kinerja for tests that plan a JPT's SKP: since issue #16 a JPT's utama results must derive
from an indikator of their unit's PK before the SKP can be submitted."""

from django_scopes import scopes_disabled

from kinerja.models import Pegawai
from kinerja.models.org import JPT
from perjanjian import services
from perjanjian.models import IndikatorKinerjaUtama


def iku_bawaan(pegawai_id: int, tahun: int) -> int | None:
    """The first indikator of the PK in force of the pegawai's unit for ``tahun`` (created with one
    sasaran and one indikator when missing); None when the pegawai is not a JPT."""
    with scopes_disabled():
        pegawai = Pegawai.objects.select_related("jabatan", "instansi", "user").get(pk=pegawai_id)
        if pegawai.jabatan.jenis not in JPT:
            return None
        ada = (
            IndikatorKinerjaUtama.objects.filter(
                perjanjian__unit_kerja_id=pegawai.unit_kerja_id,
                perjanjian__tahun=tahun,
                perjanjian__aktif=True,
            )
            .order_by("sasaran__urutan", "urutan", "id")
            .values_list("pk", flat=True)
            .first()
        )
    if ada:
        return ada
    from django_scopes import scope

    with scope(instansi=pegawai.instansi_id):
        pk = services.pk_simpan(
            actor=pegawai.user,
            instansi=pegawai.instansi,
            unit_kerja_id=pegawai.unit_kerja_id,
            tahun=tahun,
            sasaran=[
                {
                    "uraian": "Meningkatnya kinerja unit",
                    "indikator": [{"uraian": "Capaian kinerja unit", "target": "100 %"}],
                }
            ],
            roles=["admin_instansi"],
        )
        return IndikatorKinerjaUtama.objects.filter(perjanjian=pk).values_list("pk", flat=True).first()
