"""Format B.1.8 "Umpan Balik Pelaksanaan Bimbingan Kinerja" (PermenPANRB 6/2022 Lampiran, domain.md §5):
nine statements the pegawai answers after a bimbingan kinerja, version 1.

[VERIFY] The wording below is a faithful-in-spirit paraphrase: the primary Lampiran text was not available.
It is seed data (``PernyataanBimbingan``); a platform admin corrects it by adding a new version, and records
keep pointing at the version they were answered with.
"""

PERNYATAAN_B18_V1: list[tuple[str, str]] = [
    ("tujuan_jelas", "Pejabat Penilai Kinerja menyampaikan tujuan bimbingan kinerja dengan jelas."),
    ("sesuai_kebutuhan", "Materi bimbingan sesuai dengan kebutuhan pengembangan kinerja saya."),
    ("kesempatan_bertanya", "Saya diberi kesempatan untuk bertanya dan menyampaikan pendapat."),
    ("arahan_mudah", "Arahan dan contoh yang diberikan mudah saya pahami."),
    ("paham_ekspektasi", "Bimbingan membantu saya memahami ekspektasi kinerja pimpinan."),
    ("atasi_kendala", "Bimbingan membantu saya mengatasi kendala dalam mencapai target kinerja."),
    ("waktu_memadai", "Waktu pelaksanaan bimbingan memadai."),
    ("perilaku_berakhlak", "Bimbingan mendorong saya menerapkan nilai-nilai dasar BerAKHLAK."),
    ("akan_diterapkan", "Saya akan menerapkan hasil bimbingan dalam pelaksanaan tugas."),
]
