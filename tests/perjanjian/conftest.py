"""Perjanjian Kinerja helpers: a PK built through the real service."""

from typing import Any

from django_scopes import scope

from kinerja.models import Pegawai, UnitKerja
from perjanjian import services
from perjanjian.models import IndikatorKinerjaUtama, PerjanjianKinerja

SASARAN = [
    {
        "uraian": "Meningkatnya kualitas pelayanan publik",
        "indikator": [
            {
                "uraian": "Indeks kepuasan masyarakat",
                "target": "85",
                "definisi": "Tingkat kepuasan penerima layanan",
                "formula": "Rata-rata nilai survei x 25",
                "sumber_data": "Survei kepuasan masyarakat triwulanan",
                "periode_pelaporan": "Triwulanan",
            },
            {"uraian": "Persentase layanan tepat waktu", "target": "95 %"},
        ],
    },
    {
        "uraian": "Meningkatnya akuntabilitas kinerja",
        "indikator": [{"uraian": "Nilai SAKIP", "target": "A", "sumber_data": "LHE SAKIP Inspektorat"}],
    },
]


def buat_pk(admin: Pegawai, unit: UnitKerja, tahun: int, sasaran: Any = None) -> PerjanjianKinerja:
    with scope(instansi=admin.instansi_id):
        return services.pk_simpan(
            actor=admin.user,
            instansi=admin.instansi,
            unit_kerja_id=unit.pk,
            tahun=tahun,
            sasaran=sasaran or SASARAN,
            roles=["admin_instansi"],
        )


def iku(pk: PerjanjianKinerja) -> list[IndikatorKinerjaUtama]:
    with scope(instansi=pk.instansi_id):
        return list(IndikatorKinerjaUtama.objects.filter(perjanjian=pk).order_by("sasaran__urutan", "urutan"))
