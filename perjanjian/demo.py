"""Demo Perjanjian Kinerja (``seed_demo``): every unit headed by a JPT gets a PK per year with two
sasaran strategis, and that JPT's utama results derive from its indikator. Idempotent: an existing PK is
kept, only results without an indikator are linked."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from kinerja.models import Instansi, Pegawai
from kinerja.models.org import JPT
from perjanjian.models import IndikatorKinerjaUtama, PerjanjianKinerja
from perjanjian.selectors import unit_pimpinan_ids
from perjanjian.services import pk_simpan


def _sasaran(unit: str) -> list[dict[str, object]]:
    return [
        {
            "uraian": f"Meningkatnya kualitas pelayanan publik {unit}",
            "indikator": [
                {
                    "uraian": "Indeks kepuasan masyarakat",
                    "target": "85",
                    "definisi": "Tingkat kepuasan penerima layanan atas pelayanan yang diberikan",
                    "formula": "Rata-rata tertimbang nilai unsur pelayanan x 25",
                    "sumber_data": "Survei kepuasan masyarakat",
                    "periode_pelaporan": "Semesteran",
                },
                {
                    "uraian": "Persentase layanan yang diselesaikan sesuai standar waktu",
                    "target": "95 %",
                    "definisi": "Layanan yang selesai dalam waktu yang ditetapkan standar pelayanan",
                    "formula": "Layanan tepat waktu / seluruh layanan x 100 %",
                    "sumber_data": "Aplikasi layanan dan buku register",
                    "periode_pelaporan": "Triwulanan",
                },
            ],
        },
        {
            "uraian": f"Meningkatnya akuntabilitas kinerja {unit}",
            "indikator": [
                {
                    "uraian": "Nilai evaluasi SAKIP",
                    "target": "BB",
                    "definisi": "Hasil evaluasi akuntabilitas kinerja instansi pemerintah",
                    "formula": "Nilai dari Laporan Hasil Evaluasi",
                    "sumber_data": "LHE SAKIP Inspektorat",
                    "periode_pelaporan": "Tahunan",
                },
                {
                    "uraian": "Indeks profesionalitas ASN",
                    "target": "75",
                    "definisi": "Ukuran kualifikasi, kompetensi, kinerja dan disiplin ASN",
                    "formula": "Penjumlahan bobot keempat dimensi",
                    "sumber_data": "Data kepegawaian (SIASN)",
                    "periode_pelaporan": "Tahunan",
                },
            ],
        },
    ]


def demo_pk_seed(*, instansi: Instansi, today: dt.date | None = None) -> dict[str, int]:
    """PKs of last year and this year for every JPT-headed unit, and the links of their JPT's results."""
    from skp.models import JenisRhk, Rhk, SkpStatus

    today = today or timezone.localdate()
    hitung: dict[str, int] = defaultdict(int)
    heads = unit_pimpinan_ids(instansi=instansi)
    jpt = {
        p.pk: p
        for p in Pegawai.objects.filter(
            instansi=instansi, pk__in=list(heads.values()), jabatan__jenis__in=JPT
        ).select_related("unit_kerja", "user")
    }
    for tahun in (today.year - 1, today.year):
        ada = set(
            PerjanjianKinerja.objects.filter(instansi=instansi, tahun=tahun, aktif=True).values_list(
                "unit_kerja_id", flat=True
            )
        )
        for p in jpt.values():
            if p.unit_kerja_id in ada:
                continue
            pk_simpan(
                actor=p.user,
                instansi=instansi,
                unit_kerja_id=p.unit_kerja_id,
                tahun=tahun,
                sasaran=_sasaran(p.unit_kerja.nama),  # type: ignore[arg-type]
                catatan="Data demo",
                roles=[],
            )
            hitung["perjanjian_kinerja"] += 1
        iku: dict[int, list[IndikatorKinerjaUtama]] = defaultdict(list)
        for i in (
            IndikatorKinerjaUtama.objects.filter(
                instansi=instansi, perjanjian__tahun=tahun, perjanjian__aktif=True
            )
            .select_related("sasaran", "perjanjian")
            .order_by("sasaran__urutan", "urutan", "id")
        ):
            iku[i.perjanjian.unit_kerja_id].append(i)
        rows = list(
            Rhk.objects.filter(
                instansi=instansi,
                skp__tahun=tahun,
                skp__pegawai_id__in=list(jpt),
                jenis=JenisRhk.UTAMA,
                indikator_pk__isnull=True,
                rhk_pimpinan__isnull=True,
            )
            .exclude(skp__status=SkpStatus.DIGANTI)
            .select_related("skp")
            .order_by("skp_id", "urutan", "id")
        )
        urutan: dict[int, int] = defaultdict(int)
        for r in rows:
            pilihan = iku.get(jpt[r.skp.pegawai_id].unit_kerja_id, [])
            if not pilihan:
                continue
            # 1st result → the first indikator of sasaran 1, 2nd → sasaran 2, 3rd → sasaran 2's second
            i = pilihan[[0, 2, 3, 1][urutan[r.skp_id] % 4] % len(pilihan)]
            urutan[r.skp_id] += 1
            r.indikator_pk = i
            if r.skp.status == SkpStatus.DISETUJUI:
                r.indikator_pk_snapshot = i.snapshot()
        Rhk.objects.bulk_update(rows, ["indikator_pk", "indikator_pk_snapshot"])
        hitung["rhk_dari_pk"] += sum(1 for r in rows if r.indikator_pk_id)
    return dict(hitung)
