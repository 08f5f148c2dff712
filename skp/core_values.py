"""BerAKHLAK core values with the official guide texts (domain.md §4.6), version 1.

Seeded by a data migration into ``CoreValue``; a platform admin edits them by adding a new version.
"""

from typing import Any

BERAKHLAK_V1 = [
    (
        "berorientasi_pelayanan",
        "Berorientasi Pelayanan",
        [
            "Memahami dan memenuhi kebutuhan masyarakat",
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Melakukan perbaikan tiada henti",
        ],
        "Kami berkomitmen memberikan pelayanan prima demi kepuasan masyarakat",
    ),
    (
        "akuntabel",
        "Akuntabel",
        [
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
            "Tidak menyalahgunakan kewenangan jabatan",
        ],
        "Kami bertanggungjawab atas kepercayaan yang diberikan",
    ),
    (
        "kompeten",
        "Kompeten",
        [
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Membantu orang lain belajar",
            "Melaksanakan tugas dengan kualitas terbaik",
        ],
        "Kami terus belajar dan mengembangkan kapabilitas",
    ),
    (
        "harmonis",
        "Harmonis",
        [
            "Menghargai setiap orang apapun latar belakangnya",
            "Suka menolong orang lain",
            "Membangun lingkungan kerja yang kondusif",
        ],
        "Kami saling peduli dan menghargai perbedaan",
    ),
    (
        "loyal",
        "Loyal",
        [
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, setia kepada "
            "Negara Kesatuan Republik Indonesia serta pemerintahan yang sah",
            "Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara",
            "Menjaga rahasia jabatan dan negara",
        ],
        "Kami berdedikasi dan mengutamakan kepentingan bangsa dan negara",
    ),
    (
        "adaptif",
        "Adaptif",
        [
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Terus berinovasi dan mengembangkan kreativitas",
            "Bertindak proaktif",
        ],
        "Kami terus berinovasi dan antusias dalam menggerakkan serta menghadapi perubahan",
    ),
    (
        "kolaboratif",
        "Kolaboratif",
        [
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
        ],
        "Kami membangun kerja yang sinergis",
    ),
]


def core_values_seed(model: Any) -> None:
    """Idempotently write version 1 (used by the data migration and by the test suite after a flush)."""
    for urutan, (kode, nama, panduan, tagline) in enumerate(BERAKHLAK_V1, start=1):
        model.objects.update_or_create(
            kode=kode,
            versi=1,
            defaults={"nama": nama, "urutan": urutan, "panduan": panduan, "tagline": tagline},
        )
