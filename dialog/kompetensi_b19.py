"""Format B.1.9 "Evaluasi Kompetensi Pegawai sebagai Tindak Lanjut Bimbingan Kinerja" (PermenPANRB 6/2022
Lampiran p.83-84 via anyflip, domain.md §5 "Bimbingan kinerja": kompetensi, nilai skala 1-5, alasan).

[VERIFY] The official list of competences on the form was not available. Version 1 uses the competence
groups of the ASN competence standard (PermenPANRB 38/2017 "Standar Kompetensi Jabatan ASN": eight
manajerial competences and the sosial kultural one), each rated 1-5 with a reason; a platform admin
corrects the list by adding a new version (``KompetensiB19``), and records keep pointing at the version
they were rated with.
"""

#: (kode, kelompok, nama, uraian)
KOMPETENSI_B19_V1: list[tuple[str, str, str, str]] = [
    (
        "integritas",
        "manajerial",
        "Integritas",
        "Konsisten berperilaku selaras dengan nilai, norma dan etika organisasi.",
    ),
    (
        "kerja_sama",
        "manajerial",
        "Kerja sama",
        "Membangun tim kerja yang efektif dan berkontribusi pada hasil bersama.",
    ),
    ("komunikasi", "manajerial", "Komunikasi", "Menyampaikan informasi dengan jelas, lisan maupun tertulis."),
    (
        "orientasi_hasil",
        "manajerial",
        "Orientasi pada hasil",
        "Berupaya mencapai dan melampaui target kerja.",
    ),
    (
        "pelayanan_publik",
        "manajerial",
        "Pelayanan publik",
        "Memberikan layanan yang bermutu kepada masyarakat.",
    ),
    (
        "pengembangan_diri",
        "manajerial",
        "Pengembangan diri dan orang lain",
        "Meningkatkan kompetensi diri dan membantu rekan belajar.",
    ),
    (
        "mengelola_perubahan",
        "manajerial",
        "Mengelola perubahan",
        "Menyesuaikan diri dan mendukung perubahan.",
    ),
    (
        "pengambilan_keputusan",
        "manajerial",
        "Pengambilan keputusan",
        "Mengambil keputusan yang tepat dan tepat waktu.",
    ),
    ("perekat_bangsa", "sosial_kultural", "Perekat bangsa", "Menghargai keberagaman dan menjaga persatuan."),
]

#: The rating scale of the form (domain.md §5: "nilai skala 1-5"). [VERIFY] the labels.
SKALA_B19: list[tuple[int, str]] = [
    (1, "1 - Sangat kurang"),
    (2, "2 - Kurang"),
    (3, "3 - Cukup"),
    (4, "4 - Baik"),
    (5, "5 - Sangat baik"),
]


def kompetensi_b19_seed(model: type) -> None:
    """Write version 1 (idempotent); used by the data migration and the test reseed."""
    for urutan, (kode, kelompok, nama, uraian) in enumerate(KOMPETENSI_B19_V1, start=1):
        model.objects.update_or_create(  # type: ignore[attr-defined]
            kode=kode,
            versi=1,
            defaults={"urutan": urutan, "kelompok": kelompok, "nama": nama, "uraian": uraian},
        )
