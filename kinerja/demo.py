"""Demo data definition (data only; ``manage.py seed_demo`` loads it through the services).

Two instansi so tenant isolation is visible:

* ``DEMO`` Pemerintah Kabupaten Sukamaju: Sekretariat Daerah, two Dinas and a Badan, each with
  Bidang/Bagian and Seksi/Subbagian, plus a UPTD Puskesmas with a Puskesmas Pembantu; every
  jenis jabatan of a kabupaten, JF jenjang from terampil to ahli madya, PNS, CPNS and PPPK.
* ``DEMO2`` Badan Kepegawaian Contoh (instansi pusat, monthly cycle): six pegawai, with the
  JPT Utama and JPT Madya levels a kabupaten does not have.

Every demo account, including every pegawai, logs in with :data:`DEMO_PASSWORD`.
NIPs follow domain.md §10: PNS/CPNS = birth date + TMT CPNS (year, month) + gender + sequence;
NI PPPK = birth date + appointment year + ``21`` + gender + sequence.
"""

from dataclasses import dataclass, field

from kinerja.models import JenisJabatan as J
from kinerja.models import JenjangJf as JJ
from kinerja.models import Role, Siklus, StatusPegawai
from kinerja.models.tenancy import JenisInstansi

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published demo password, printed by demo_logins
PLATFORM_ADMIN_NIP = "platform"
PLATFORM_ADMIN_NAMA = "Admin Platform Kinerja"

PNS, CPNS, PPPK = StatusPegawai.PNS, StatusPegawai.CPNS, StatusPegawai.PPPK
L, P = 1, 2  # gender digit: laki-laki, perempuan


def nip(lahir: str, tmt: str, gender: int, urut: int = 1) -> str:
    """NIP PNS/CPNS: ``lahir`` YYYYMMDD, ``tmt`` YYYYMM (TMT CPNS)."""
    return f"{lahir}{tmt}{gender}{urut:03d}"


def ni_pppk(lahir: str, tahun: str, gender: int, urut: int = 1) -> str:
    """NI PPPK: ``lahir`` YYYYMMDD, ``tahun`` of first appointment, then ``21`` (domain.md §10)."""
    return f"{lahir}{tahun}21{gender}{urut:03d}"


@dataclass(frozen=True)
class UnitDef:
    key: str
    nama: str
    induk: str | None = None
    mandiri: bool = False


@dataclass(frozen=True)
class PegawaiDef:
    key: str
    nip: str
    nama: str
    status: str
    jabatan: str
    jenis: str
    unit: str
    atasan: str | None
    pangkat: str
    jenjang: str = ""
    tugas_belajar: bool = False


@dataclass(frozen=True)
class InstansiDef:
    kode: str
    nama: str
    jenis: str
    tempat: str
    siklus: str
    units: list[UnitDef]
    pegawai: list[PegawaiDef]
    grants: list[tuple[str, str]] = field(default_factory=list)  # (pegawai key, role)

    def by_key(self, key: str) -> PegawaiDef:
        return next(p for p in self.pegawai if p.key == key)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    instansi: str | None  # kode; None for the platform admin
    pegawai: str | None  # pegawai key; None for the platform admin
    keterangan: str


def _pg(
    key: str,
    nip_: str,
    nama: str,
    status: str,
    jabatan: str,
    jenis: str,
    unit: str,
    atasan: str | None,
    pangkat: str,
    jenjang: str = "",
    tugas_belajar: bool = False,
) -> PegawaiDef:
    return PegawaiDef(key, nip_, nama, status, jabatan, jenis, unit, atasan, pangkat, jenjang, tugas_belajar)


# Pangkat / golongan ruang (PNS) and golongan PPPK, in the import format "Pangkat / Golongan".
# fmt: off
IIa, IIb, IIc, IId = "Pengatur Muda / II/a", "Pengatur Muda Tingkat I / II/b", "Pengatur / II/c", "Pengatur Tingkat I / II/d"
IIIa, IIIb, IIIc, IIId = "Penata Muda / III/a", "Penata Muda Tingkat I / III/b", "Penata / III/c", "Penata Tingkat I / III/d"
IVa, IVb, IVc, IVd, IVe = (
    "Pembina / IV/a", "Pembina Tingkat I / IV/b", "Pembina Utama Muda / IV/c", "Pembina Utama Madya / IV/d",
    "Pembina Utama / IV/e",
)
PPPK_VII, PPPK_IX, PPPK_X = "Golongan VII", "Golongan IX", "Golongan X"
# fmt: on

# Superiors come before their subordinates.
# fmt: off
SUKAMAJU_PEGAWAI = [
    # --- Sekretariat Daerah
    _pg("sekda", nip("19680312", "199303", L), "Drs. H. Asep Saepudin, M.Si.", PNS,
        "Sekretaris Daerah", J.JPT_PRATAMA, "setda", None, IVd),
    _pg("kabag_org", nip("19750921", "200003", P), "Hj. Neneng Kurniasih, S.Sos., M.M.", PNS,
        "Kepala Bagian Organisasi", J.ADMINISTRATOR, "setda.org", "sekda", IVb),
    _pg("kasubbag_kel", nip("19820604", "200812", L), "Rudi Hartono, S.IP.", PNS,
        "Kepala Subbagian Kelembagaan dan Analisis Jabatan", J.PENGAWAS, "setda.org.kel", "kabag_org", IIId),
    _pg("ak_muda_org", nip("19870219", "201101", P), "Dian Pratiwi, S.A.P., M.A.P.", PNS,
        "Analis Kebijakan Ahli Muda", J.FUNGSIONAL, "setda.org", "kabag_org", IIIc, JJ.AHLI_MUDA),
    _pg("pel_org1", nip("19900707", "201503", L), "Agus Setiawan, S.E.", PNS,
        "Penelaah Teknis Kebijakan", J.PELAKSANA, "setda.org.kel", "kasubbag_kel", IIIb),
    _pg("pel_org2", nip("19990111", "202506", P), "Fitri Handayani, S.Sos.", CPNS,
        "Penata Kelembagaan", J.PELAKSANA, "setda.org.kel", "kasubbag_kel", IIIa),
    _pg("kabag_umum", nip("19740430", "200112", L), "Ir. Bambang Supriyadi, M.T.", PNS,
        "Kepala Bagian Umum", J.ADMINISTRATOR, "setda.umum", "sekda", IVa),
    _pg("kasubbag_tu", nip("19830817", "201001", P), "Yuli Astuti, S.Sos.", PNS,
        "Kepala Subbagian Tata Usaha Pimpinan", J.PENGAWAS, "setda.umum.tu", "kabag_umum", IIIc),
    _pg("pel_tu1", nip("19880925", "201012", L), "Dedi Kurniawan", PNS,
        "Pengadministrasi Perkantoran", J.PELAKSANA, "setda.umum.tu", "kasubbag_tu", IIc),
    _pg("pel_tu2", nip("19910214", "201404", L), "Ujang Sopandi", PNS,
        "Operator Layanan Operasional", J.PELAKSANA, "setda.umum.tu", "kasubbag_tu", IIb),
    _pg("prakom_setda", ni_pppk("19930305", "2023", P), "Siti Nurhaliza, S.Kom.", PPPK,
        "Pranata Komputer Ahli Pertama", J.FUNGSIONAL, "setda.umum", "kabag_umum", PPPK_IX, JJ.AHLI_PERTAMA),
    # --- Dinas Pendidikan
    _pg("kadisdik", nip("19700506", "199503", P), "Dr. Hj. Euis Komariah, M.Pd.", PNS,
        "Kepala Dinas Pendidikan", J.JPT_PRATAMA, "disdik", "sekda", IVc),
    _pg("sekdis_disdik", nip("19730118", "199812", L), "H. Dadang Suherman, S.Pd., M.M.", PNS,
        "Sekretaris Dinas Pendidikan", J.ADMINISTRATOR, "disdik.sekr", "kadisdik", IVb),
    _pg("kasubbag_disdik", nip("19810322", "200604", P), "Rina Marlina, S.E.", PNS,
        "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, "disdik.sekr.umum", "sekdis_disdik", IIId),
    _pg("pel_disdik1", nip("19920810", "201903", L), "Asep Hidayat, S.Kom.", PNS,
        "Pengolah Data dan Informasi", J.PELAKSANA, "disdik.sekr.umum", "kasubbag_disdik", IIIb),
    _pg("pel_disdik2", nip("19850603", "200901", P), "Lina Herlina", PNS,
        "Pengadministrasi Perkantoran", J.PELAKSANA, "disdik.sekr.umum", "kasubbag_disdik", IId),
    _pg("pel_disdik3", nip("20000118", "202506", L), "Muhammad Rizki Ramadhan, S.Kom.", CPNS,
        "Penata Layanan Operasional", J.PELAKSANA, "disdik.sekr.umum", "kasubbag_disdik", IIIa),
    _pg("kabid_sd", nip("19711009", "199702", L), "Drs. Cecep Supriatna, M.Pd.", PNS,
        "Kepala Bidang Pembinaan Sekolah Dasar", J.ADMINISTRATOR, "disdik.sd", "kadisdik", IVa),
    _pg("kasi_kur", nip("19800714", "200501", P), "Ratna Sari Dewi, S.Pd., M.Pd.", PNS,
        "Kepala Seksi Kurikulum dan Penilaian", J.PENGAWAS, "disdik.sd.kur", "kabid_sd", IIId),
    _pg("pel_kur1", nip("19890321", "201406", L), "Budi Santoso, S.Pd.", PNS,
        "Penelaah Teknis Kebijakan", J.PELAKSANA, "disdik.sd.kur", "kasi_kur", IIIb),
    _pg("pel_kur2", nip("19940528", "202003", P), "Nur Aisyah, S.Pd.", PNS,
        "Pengolah Data dan Informasi", J.PELAKSANA, "disdik.sd.kur", "kasi_kur", IIIa),
    _pg("ptp_pertama", nip("19910902", "201903", L), "Hendra Gunawan, M.Pd.", PNS,
        "Pengembang Teknologi Pembelajaran Ahli Pertama", J.FUNGSIONAL, "disdik.sd", "kabid_sd", IIIb,
        JJ.AHLI_PERTAMA),
    _pg("kasi_pd", nip("19840416", "200903", L), "Iwan Setiawan, S.Pd.", PNS,
        "Kepala Seksi Peserta Didik dan Pembangunan Karakter", J.PENGAWAS, "disdik.sd.pd", "kabid_sd", IIIc),
    _pg("pel_pd1", nip("19950707", "202101", P), "Wulan Sari, S.Psi.", PNS,
        "Penata Layanan Operasional", J.PELAKSANA, "disdik.sd.pd", "kasi_pd", IIIa),
    _pg("prakom_disdik", ni_pppk("19920113", "2022", L), "Yusuf Maulana, A.Md.Kom.", PPPK,
        "Pranata Komputer Terampil", J.FUNGSIONAL, "disdik.sd.pd", "kasi_pd", PPPK_VII, JJ.TERAMPIL),
    _pg("kabid_gtk", nip("19760222", "200003", P), "Hj. Tati Rohayati, S.Pd., M.Si.", PNS,
        "Kepala Bidang Guru dan Tenaga Kependidikan", J.ADMINISTRATOR, "disdik.gtk", "kadisdik", IVa),
    _pg("kasi_ptk", nip("19790630", "200404", L), "Ade Sulaeman, S.Pd.", PNS,
        "Kepala Seksi Pendidik dan Tenaga Kependidikan", J.PENGAWAS, "disdik.gtk.ptk", "kabid_gtk", IIId),
    _pg("pel_gtk1", nip("19900315", "201503", P), "Eka Nurhayati, S.E.", PNS,
        "Penata Layanan Operasional", J.PELAKSANA, "disdik.gtk.ptk", "kasi_ptk", IIIb),
    _pg("asdm_disdik", nip("19960420", "202203", L), "Taufik Hidayat, S.Sos.", PNS,
        "Analis Sumber Daya Manusia Aparatur Ahli Pertama", J.FUNGSIONAL, "disdik.gtk", "kabid_gtk", IIIa,
        JJ.AHLI_PERTAMA),
    # --- Dinas Kesehatan
    _pg("kadinkes", nip("19710903", "199803", P), "dr. Hj. Ratna Komalasari, M.Kes.", PNS,
        "Kepala Dinas Kesehatan", J.JPT_PRATAMA, "dinkes", "sekda", IVc),
    _pg("sekdis_dinkes", nip("19760809", "200103", L), "Heri Supriadi, S.K.M., M.Kes.", PNS,
        "Sekretaris Dinas Kesehatan", J.ADMINISTRATOR, "dinkes.sekr", "kadinkes", IVa),
    _pg("kasubbag_dinkes", nip("19830512", "200901", P), "Ani Suryani, S.E.", PNS,
        "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, "dinkes.sekr.umum", "sekdis_dinkes", IIIc),
    _pg("pel_dinkes1", nip("19870101", "201001", L), "Deden Mulyana", PNS,
        "Pengadministrasi Perkantoran", J.PELAKSANA, "dinkes.sekr.umum", "kasubbag_dinkes", IIc),
    _pg("pel_dinkes2", nip("19890808", "201203", P), "Sri Wahyuni, A.Md.", PNS,
        "Pengelola Layanan Operasional", J.PELAKSANA, "dinkes.sekr.umum", "kasubbag_dinkes", IId),
    _pg("kabid_yankes", nip("19780325", "200503", P), "drg. Maya Anggraeni, M.M.Kes.", PNS,
        "Kepala Bidang Pelayanan Kesehatan", J.ADMINISTRATOR, "dinkes.yankes", "kadinkes", IVa),
    _pg("kasi_primer", nip("19820114", "200703", L), "Ns. Agus Salim, S.Kep., M.Kep.", PNS,
        "Kepala Seksi Pelayanan Kesehatan Primer", J.PENGAWAS, "dinkes.yankes.primer", "kabid_yankes", IIId),
    _pg("pel_primer1", nip("19910627", "201703", P), "Rini Anggraini, S.K.M.", PNS,
        "Penelaah Teknis Kebijakan", J.PELAKSANA, "dinkes.yankes.primer", "kasi_primer", IIIb),
    _pg("adkes_madya", nip("19770918", "200503", L), "dr. Yudi Prasetyo, M.K.M.", PNS,
        "Administrator Kesehatan Ahli Madya", J.FUNGSIONAL, "dinkes.yankes", "kabid_yankes", IVa, JJ.AHLI_MADYA),
    _pg("kabid_p2p", nip("19740211", "199903", L), "Dr. Endang Sutisna, S.K.M., M.Epid.", PNS,
        "Kepala Bidang Pencegahan dan Pengendalian Penyakit", J.ADMINISTRATOR, "dinkes.p2p", "kadinkes", IVb),
    _pg("kasi_surv", nip("19850704", "201003", P), "Yanti Susanti, S.K.M.", PNS,
        "Kepala Seksi Surveilans dan Imunisasi", J.PENGAWAS, "dinkes.p2p.surv", "kabid_p2p", IIIc),
    _pg("epid_muda", nip("19840929", "200903", L), "Rahmat Hidayat, S.K.M., M.Epid.", PNS,
        "Epidemiolog Kesehatan Ahli Muda", J.FUNGSIONAL, "dinkes.p2p", "kabid_p2p", IIId, JJ.AHLI_MUDA),
    _pg("pel_surv1", nip("19960804", "202103", L), "Ikhsan Nugraha, S.K.M.", PNS,
        "Pengolah Data dan Informasi", J.PELAKSANA, "dinkes.p2p.surv", "kasi_surv", IIIa,
        tugas_belajar=True),  # tugas belajar S2 Epidemiologi
    _pg("pel_surv2", nip("19930118", "201903", P), "Ayu Wandira, S.K.M.", PNS,
        "Penelaah Teknis Kebijakan", J.PELAKSANA, "dinkes.p2p.surv", "kasi_surv", IIIb),
    # UPTD Puskesmas and its Puskesmas Pembantu
    _pg("kapus", nip("19850123", "201103", L), "dr. Andi Firmansyah", PNS,
        "Kepala UPTD Puskesmas Sukamaju", J.PENGAWAS, "dinkes.pkm", "kadinkes", IIId),
    _pg("dokter_muda", nip("19880416", "201403", P), "dr. Siti Rahmawati", PNS,
        "Dokter Ahli Muda", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIIc, JJ.AHLI_MUDA),
    _pg("dokter_pertama", ni_pppk("19940212", "2024", L), "dr. Fajar Nugroho", PPPK,
        "Dokter Ahli Pertama", J.FUNGSIONAL, "dinkes.pkm", "kapus", PPPK_X, JJ.AHLI_PERTAMA),
    _pg("apoteker", nip("19920707", "201903", P), "apt. Intan Permatasari, S.Farm.", PNS,
        "Apoteker Ahli Pertama", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIIb, JJ.AHLI_PERTAMA),
    _pg("perawat_penyelia", nip("19790507", "200203", P), "Tini Suhartini, A.Md.Kep.", PNS,
        "Perawat Penyelia", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIIc, JJ.PENYELIA),
    _pg("perawat_mahir", nip("19860818", "201003", L), "Ujang Rahmat, A.Md.Kep.", PNS,
        "Perawat Mahir", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIIb, JJ.MAHIR),
    _pg("perawat_terampil", ni_pppk("19950923", "2023", P), "Nia Kurniati, A.Md.Kep.", PPPK,
        "Perawat Terampil", J.FUNGSIONAL, "dinkes.pkm", "kapus", PPPK_VII, JJ.TERAMPIL),
    _pg("bidan_mahir", nip("19870311", "201103", P), "Euis Sumiati, A.Md.Keb.", PNS,
        "Bidan Mahir", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIIa, JJ.MAHIR),
    _pg("atlm", nip("19900614", "201503", L), "Rizal Fauzi, A.Md.A.K.", PNS,
        "Pranata Laboratorium Kesehatan Terampil", J.FUNGSIONAL, "dinkes.pkm", "kapus", IId, JJ.TERAMPIL),
    _pg("sanitarian", nip("19780102", "200103", L), "Agus Priyatna, S.S.T.", PNS,
        "Tenaga Sanitasi Lingkungan Penyelia", J.FUNGSIONAL, "dinkes.pkm", "kapus", IIId, JJ.PENYELIA),
    _pg("pel_pkm", nip("19930401", "201703", L), "Jajang Nurjaman", PNS,
        "Pengadministrasi Perkantoran", J.PELAKSANA, "dinkes.pkm", "kapus", IIb),
    _pg("bidan_pustu", nip("19960202", "201903", P), "Dewi Lestari, A.Md.Keb.", PNS,
        "Bidan Terampil", J.FUNGSIONAL, "dinkes.pkm.pustu", "kapus", IIc, JJ.TERAMPIL),
    _pg("perawat_pustu", nip("19940909", "201803", L), "Asep Saepuloh, A.Md.Kep.", PNS,
        "Perawat Terampil", J.FUNGSIONAL, "dinkes.pkm.pustu", "kapus", IIc, JJ.TERAMPIL),
    # --- Badan Kepegawaian dan Pengembangan SDM
    _pg("kaban", nip("19690715", "199403", L), "Drs. H. Wawan Setiawan, M.Si.", PNS,
        "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", J.JPT_PRATAMA, "bkpsdm", "sekda", IVc),
    _pg("sekban", nip("19750118", "200003", P), "Hj. Popon Rosdiana, S.Sos., M.Si.", PNS,
        "Sekretaris Badan", J.ADMINISTRATOR, "bkpsdm.sekr", "kaban", IVa),
    _pg("kasubbag_bkpsdm", nip("19860521", "201103", L), "Irfan Maulana, S.IP.", PNS,
        "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, "bkpsdm.sekr.umum", "sekban", IIIc),
    _pg("pel_bkpsdm1", nip("19920917", "201403", P), "Neng Sri Mulyani", PNS,
        "Pengadministrasi Perkantoran", J.PELAKSANA, "bkpsdm.sekr.umum", "kasubbag_bkpsdm", IIc),
    _pg("pel_bkpsdm2", nip("19890430", "201503", L), "Firman Syahputra, S.H.", PNS,
        "Penelaah Teknis Kebijakan", J.PELAKSANA, "bkpsdm.sekr.umum", "kasubbag_bkpsdm", IIIb),
    _pg("kabid_pkk", nip("19810209", "200309", L), "Dr. Iman Firmansyah, S.STP., M.Si.", PNS,
        "Kepala Bidang Pengembangan Kompetensi dan Penilaian Kinerja", J.ADMINISTRATOR, "bkpsdm.pkk", "kaban",
        IVa),
    _pg("asdm_madya", nip("19770304", "200203", P), "Lilis Suryani, S.Psi., M.Psi.", PNS,
        "Analis Sumber Daya Manusia Aparatur Ahli Madya", J.FUNGSIONAL, "bkpsdm.pkk", "kabid_pkk", IVa,
        JJ.AHLI_MADYA),
    _pg("asdm_muda", nip("19860112", "201003", L), "Ahmad Fauzi, S.H.", PNS,
        "Analis Sumber Daya Manusia Aparatur Ahli Muda", J.FUNGSIONAL, "bkpsdm.pkk", "kabid_pkk", IIIc,
        JJ.AHLI_MUDA),
    _pg("psdm_penyelia", nip("19750728", "199903", L), "Tatang Sutarman", PNS,
        "Pranata Sumber Daya Manusia Aparatur Penyelia", J.FUNGSIONAL, "bkpsdm.pkk", "kabid_pkk", IIId,
        JJ.PENYELIA),
    _pg("psdm_mahir", nip("19880613", "201103", P), "Yeni Marliani, A.Md.", PNS,
        "Pranata Sumber Daya Manusia Aparatur Mahir", J.FUNGSIONAL, "bkpsdm.pkk", "kabid_pkk", IIIa, JJ.MAHIR),
    _pg("asesor", ni_pppk("19970815", "2023", P), "Mira Oktaviani, S.Psi.", PPPK,
        "Asesor Sumber Daya Manusia Aparatur Ahli Pertama", J.FUNGSIONAL, "bkpsdm.pkk", "kabid_pkk", PPPK_IX,
        JJ.AHLI_PERTAMA),
    _pg("pel_pkk", nip("20010305", "202506", L), "Galih Pratama, S.Psi.", CPNS,
        "Penata Layanan Operasional", J.PELAKSANA, "bkpsdm.pkk", "kabid_pkk", IIIa),
]
# fmt: on

# ---------------------------------------------------------------- generated staff (~300 pegawai in DEMO)
# Two more perangkat daerah led by named officials, then staff generated deterministically under every
# team head, so the demo looks like a kabupaten of ~300 pegawai. Names, NIPs and pangkat are derived from
# the position in the list: the same on every machine and every run (idempotent seeding by NIP).

# fmt: off
EXTRA_UNITS = [
    UnitDef("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    UnitDef("dpupr.sekr", "Sekretariat", "dpupr"),
    UnitDef("dpupr.sekr.umum", "Subbagian Umum dan Kepegawaian", "dpupr.sekr"),
    UnitDef("dpupr.bm", "Bidang Bina Marga", "dpupr"),
    UnitDef("dpupr.bm.jalan", "Seksi Pembangunan Jalan dan Jembatan", "dpupr.bm"),
    UnitDef("dpupr.ck", "Bidang Cipta Karya", "dpupr"),
    UnitDef("dpupr.ck.air", "Seksi Air Minum dan Sanitasi", "dpupr.ck"),
    UnitDef("kec", "Kecamatan Sukamaju"),
    UnitDef("kec.pem", "Seksi Pemerintahan", "kec"),
    UnitDef("kec.pel", "Seksi Pelayanan Umum", "kec"),
]

EXTRA_PIMPINAN = [
    _pg("kadpupr", nip("19720814", "199803", L), "Ir. H. Dedi Mulyadi, M.T.", PNS,
        "Kepala Dinas Pekerjaan Umum dan Penataan Ruang", J.JPT_PRATAMA, "dpupr", "sekda", IVc),
    _pg("sekdis_dpupr", nip("19770505", "200203", P), "Nina Karlina, S.T., M.M.", PNS,
        "Sekretaris Dinas Pekerjaan Umum dan Penataan Ruang", J.ADMINISTRATOR, "dpupr.sekr", "kadpupr", IVa),
    _pg("kasubbag_dpupr", nip("19840302", "201001", L), "Rian Hermawan, S.E.", PNS,
        "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, "dpupr.sekr.umum", "sekdis_dpupr", IIIc),
    _pg("kabid_bm", nip("19760611", "200103", L), "Yayat Ruhiyat, S.T., M.T.", PNS,
        "Kepala Bidang Bina Marga", J.ADMINISTRATOR, "dpupr.bm", "kadpupr", IVa),
    _pg("kasi_jalan", nip("19820925", "200803", L), "Anton Sutrisna, S.T.", PNS,
        "Kepala Seksi Pembangunan Jalan dan Jembatan", J.PENGAWAS, "dpupr.bm.jalan", "kabid_bm", IIId),
    _pg("kabid_ck", nip("19790117", "200403", P), "Ir. Sri Mulyati, M.Eng.", PNS,
        "Kepala Bidang Cipta Karya", J.ADMINISTRATOR, "dpupr.ck", "kadpupr", IVa),
    _pg("kasi_air", nip("19860708", "201103", P), "Desi Ratnasari, S.T.", PNS,
        "Kepala Seksi Air Minum dan Sanitasi", J.PENGAWAS, "dpupr.ck.air", "kabid_ck", IIIc),
    _pg("camat", nip("19780420", "200312", L), "Drs. Engkos Kosasih, M.Si.", PNS,
        "Camat Sukamaju", J.ADMINISTRATOR, "kec", "sekda", IVa),
    _pg("kasi_pem", nip("19850216", "201003", L), "Dadang Kurnia, S.IP.", PNS,
        "Kepala Seksi Pemerintahan", J.PENGAWAS, "kec.pem", "camat", IIIc),
    _pg("kasi_pel", nip("19880909", "201203", P), "Lia Amelia, S.Sos.", PNS,
        "Kepala Seksi Pelayanan Umum", J.PENGAWAS, "kec.pel", "camat", IIIb),
]

# (jabatan, jenis, jenjang, PNS pangkat choices); PPPK get a golongan from their jenjang.
Menu = list[tuple[str, str, str, list[str]]]
_KANTOR: Menu = [
    ("Pengadministrasi Perkantoran", J.PELAKSANA, "", [IIa, IIb, IIc]),
    ("Pengolah Data dan Informasi", J.PELAKSANA, "", [IIc, IId, IIIa]),
    ("Penata Layanan Operasional", J.PELAKSANA, "", [IIIa, IIIb]),
    ("Penelaah Teknis Kebijakan", J.PELAKSANA, "", [IIIa, IIIb, IIIc]),
    ("Arsiparis Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIb, IIc, IId]),
    ("Pranata Komputer Ahli Pertama", J.FUNGSIONAL, JJ.AHLI_PERTAMA, [IIIa, IIIb]),
]
_PUSKESMAS: Menu = [
    ("Perawat Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIc, IId]),
    ("Perawat Ahli Pertama", J.FUNGSIONAL, JJ.AHLI_PERTAMA, [IIIa, IIIb]),
    ("Bidan Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIc, IId]),
    ("Bidan Mahir", J.FUNGSIONAL, JJ.MAHIR, [IIIa, IIIb]),
    ("Nutrisionis Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIb, IIc]),
    ("Pranata Laboratorium Kesehatan Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIc, IId]),
    ("Pengadministrasi Perkantoran", J.PELAKSANA, "", [IIa, IIb]),
]
_TEKNIK: Menu = [
    ("Teknik Jalan dan Jembatan Ahli Pertama", J.FUNGSIONAL, JJ.AHLI_PERTAMA, [IIIa, IIIb]),
    ("Teknik Tata Bangunan dan Perumahan Terampil", J.FUNGSIONAL, JJ.TERAMPIL, [IIb, IIc, IId]),
    ("Pengawas Lapangan Pekerjaan Konstruksi", J.PELAKSANA, "", [IIc, IId, IIIa]),
    ("Pengolah Data dan Informasi", J.PELAKSANA, "", [IIc, IIIa]),
]
_KECAMATAN: Menu = [
    ("Penata Kelola Pemerintahan", J.PELAKSANA, "", [IIIa, IIIb]),
    ("Pengelola Layanan Kependudukan", J.PELAKSANA, "", [IIb, IIc, IId]),
    ("Pengadministrasi Perkantoran", J.PELAKSANA, "", [IIa, IIb]),
]
# team head key -> (number of generated staff, jabatan menu)
GENERATED_TEAMS: list[tuple[str, int, Menu]] = [
    ("kasubbag_kel", 8, _KANTOR), ("kasubbag_tu", 12, _KANTOR), ("kasubbag_disdik", 12, _KANTOR),
    ("kasi_kur", 8, _KANTOR), ("kasi_pd", 12, _KANTOR), ("kasi_ptk", 12, _KANTOR),
    ("kasubbag_dinkes", 10, _KANTOR), ("kasi_primer", 10, _KANTOR), ("kasi_surv", 10, _KANTOR),
    ("kapus", 48, _PUSKESMAS), ("kasubbag_bkpsdm", 10, _KANTOR), ("kasubbag_dpupr", 10, _KANTOR),
    ("kasi_jalan", 18, _TEKNIK), ("kasi_air", 14, _TEKNIK), ("kasi_pem", 14, _KECAMATAN),
    ("kasi_pel", 14, _KECAMATAN),
]
_NAMA_L = ["Ahmad", "Budi", "Cecep", "Dadan", "Eko", "Fajar", "Gilang", "Hendra", "Irwan", "Jajang", "Kurnia",
           "Lukman", "Maman", "Nanang", "Opik", "Pepen", "Rizky", "Sandi", "Tono", "Usep", "Wahyu", "Yayan",
           "Zaenal", "Bayu"]
_NAMA_P = ["Ani", "Cucu", "Dina", "Elis", "Fitri", "Gina", "Hani", "Ida", "Lilis", "Mega", "Nurul", "Oom",
           "Putri", "Rina", "Sari", "Tuti", "Umi", "Vina", "Wati", "Yanti", "Euis", "Neneng", "Ratih", "Siska"]
_MARGA_L = ["Hidayat", "Permana", "Nugraha", "Kurniawan", "Saputra", "Gunawan", "Setiawan", "Firmansyah",
            "Maulana", "Ramdani", "Sulaeman", "Suryana", "Wibowo"]
_MARGA_P = ["Lestari", "Rahayu", "Wulandari", "Anggraini", "Purnamasari", "Handayani", "Kusumawati",
            "Nurjanah", "Susanti", "Marlina", "Fitriani", "Yuliani", "Oktaviani"]
_GOL_PPPK = {JJ.AHLI_PERTAMA: PPPK_IX, JJ.MAHIR: PPPK_VII, JJ.TERAMPIL: PPPK_VII, "": "Golongan V"}
# fmt: on


def _generated_staff(heads: dict[str, PegawaiDef]) -> list[PegawaiDef]:
    rows: list[PegawaiDef] = []
    i = 0
    for head_key, count, menu in GENERATED_TEAMS:
        head = heads[head_key]
        for j in range(count):
            i += 1
            gender = L if i % 2 else P
            first = (_NAMA_L if gender == L else _NAMA_P)[(i // 2) % 24]
            last = (_MARGA_L if gender == L else _MARGA_P)[(i // 2 + i // 48) % 13]
            jabatan, jenis, jenjang, pangkat = menu[j % len(menu)]
            lahir_year = 1972 + (i * 7) % 28
            lahir = f"{lahir_year}{1 + i % 12:02d}{1 + (i * 3) % 28:02d}"
            if i % 9 == 4 and jenjang in _GOL_PPPK:
                status, gol = PPPK, _GOL_PPPK[jenjang]
                nip_ = ni_pppk(lahir, str(2021 + i % 4), gender, 100 + i)
            elif i % 23 == 11 and jenis == J.PELAKSANA:  # CPNS of the 2025 intake, born 1996 or later
                status, gol = CPNS, pangkat[0]
                nip_ = nip(f"{max(lahir_year, 1996)}{lahir[4:]}", "202506", gender, 100 + i)
            else:
                status, gol = PNS, pangkat[i % len(pangkat)]
                nip_ = nip(lahir, f"{max(lahir_year + 23, 1998 + i % 24)}03", gender, 100 + i)
            rows.append(
                _pg(
                    f"gen{i:03d}",
                    nip_,
                    f"{first} {last}",
                    status,
                    jabatan,
                    jenis,
                    head.unit,
                    head.key,
                    gol,
                    jenjang,
                )
            )
    return rows


def _sukamaju_pegawai() -> list[PegawaiDef]:
    named = SUKAMAJU_PEGAWAI + EXTRA_PIMPINAN
    return named + _generated_staff({p.key: p for p in named})


SUKAMAJU = InstansiDef(
    kode="DEMO",
    nama="Pemerintah Kabupaten Sukamaju",
    jenis=JenisInstansi.DAERAH,
    tempat="Sukamaju",
    siklus=Siklus.TRIWULANAN,
    units=[
        UnitDef("setda", "Sekretariat Daerah"),
        UnitDef("setda.org", "Bagian Organisasi", "setda"),
        UnitDef("setda.org.kel", "Subbagian Kelembagaan dan Analisis Jabatan", "setda.org"),
        UnitDef("setda.umum", "Bagian Umum", "setda"),
        UnitDef("setda.umum.tu", "Subbagian Tata Usaha Pimpinan", "setda.umum"),
        UnitDef("disdik", "Dinas Pendidikan"),
        UnitDef("disdik.sekr", "Sekretariat", "disdik"),
        UnitDef("disdik.sekr.umum", "Subbagian Umum dan Kepegawaian", "disdik.sekr"),
        UnitDef("disdik.sd", "Bidang Pembinaan Sekolah Dasar", "disdik"),
        UnitDef("disdik.sd.kur", "Seksi Kurikulum dan Penilaian", "disdik.sd"),
        UnitDef("disdik.sd.pd", "Seksi Peserta Didik dan Pembangunan Karakter", "disdik.sd"),
        UnitDef("disdik.gtk", "Bidang Guru dan Tenaga Kependidikan", "disdik"),
        UnitDef("disdik.gtk.ptk", "Seksi Pendidik dan Tenaga Kependidikan", "disdik.gtk"),
        UnitDef("dinkes", "Dinas Kesehatan"),
        UnitDef("dinkes.sekr", "Sekretariat", "dinkes"),
        UnitDef("dinkes.sekr.umum", "Subbagian Umum dan Kepegawaian", "dinkes.sekr"),
        UnitDef("dinkes.yankes", "Bidang Pelayanan Kesehatan", "dinkes"),
        UnitDef("dinkes.yankes.primer", "Seksi Pelayanan Kesehatan Primer", "dinkes.yankes"),
        UnitDef("dinkes.p2p", "Bidang Pencegahan dan Pengendalian Penyakit", "dinkes"),
        UnitDef("dinkes.p2p.surv", "Seksi Surveilans dan Imunisasi", "dinkes.p2p"),
        UnitDef("dinkes.pkm", "UPTD Puskesmas Sukamaju", "dinkes"),
        UnitDef("dinkes.pkm.pustu", "Puskesmas Pembantu Cibodas", "dinkes.pkm"),
        UnitDef("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
        UnitDef("bkpsdm.sekr", "Sekretariat", "bkpsdm"),
        UnitDef("bkpsdm.sekr.umum", "Subbagian Umum dan Kepegawaian", "bkpsdm.sekr"),
        UnitDef("bkpsdm.pkk", "Bidang Pengembangan Kompetensi dan Penilaian Kinerja", "bkpsdm"),
        *EXTRA_UNITS,
    ],
    pegawai=_sukamaju_pegawai(),
    grants=[("asdm_muda", Role.ADMIN_INSTANSI), ("psdm_mahir", Role.HR_VIEWER)],
)

# fmt: off
BADAN_CONTOH_PEGAWAI = [
    _pg("kepala", nip("19660403", "199203", L), "Prof. Dr. Haryanto Wibisono, M.Si.", PNS,
        "Kepala Badan", J.JPT_UTAMA, "pimpinan", None, IVe),
    _pg("deputi", nip("19700822", "199603", P), "Dr. Retno Wulandari, S.H., M.H.", PNS,
        "Deputi Bidang Pembinaan Manajemen Kepegawaian", J.JPT_MADYA, "deputi", "kepala", IVd),
    _pg("direktur", nip("19740930", "199903", L), "Bambang Wijanarko, S.Sos., M.A.P.", PNS,
        "Direktur Penilaian Kinerja Aparatur", J.JPT_PRATAMA, "dit", "deputi", IVc),
    _pg("asdm_madya", nip("19780614", "200203", P), "Kartika Sari Dewanti, S.Psi., M.Si.", PNS,
        "Analis Sumber Daya Manusia Aparatur Ahli Madya", J.FUNGSIONAL, "dit", "direktur", IVb, JJ.AHLI_MADYA),
    _pg("asdm_pertama", nip("19970521", "202203", L), "Rizky Aditya Putra, S.Psi.", PNS,
        "Analis Sumber Daya Manusia Aparatur Ahli Pertama", J.FUNGSIONAL, "dit", "direktur", IIIa,
        JJ.AHLI_PERTAMA),
    _pg("pengolah_data", ni_pppk("19980110", "2024", P), "Ayu Lestari, A.Md.", PPPK,
        "Pengolah Data dan Informasi", J.PELAKSANA, "dit", "direktur", PPPK_VII),
]
# fmt: on

BADAN_CONTOH = InstansiDef(
    kode="DEMO2",
    nama="Badan Kepegawaian Contoh",
    jenis=JenisInstansi.PUSAT,
    tempat="Jakarta",
    siklus=Siklus.BULANAN,
    units=[
        UnitDef("pimpinan", "Badan Kepegawaian Contoh"),
        UnitDef("deputi", "Deputi Bidang Pembinaan Manajemen Kepegawaian", "pimpinan"),
        UnitDef("dit", "Direktorat Penilaian Kinerja Aparatur", "deputi"),
    ],
    pegawai=BADAN_CONTOH_PEGAWAI,
    grants=[("asdm_madya", Role.ADMIN_INSTANSI)],
)

INSTANSI: list[InstansiDef] = [SUKAMAJU, BADAN_CONTOH]


@dataclass(frozen=True)
class NonAsnDef:
    """A Pejabat Penilai non-ASN of the demo (issue #16): a login without a pegawai row."""

    instansi: str
    username: str
    nama: str
    jabatan: str
    menilai: list[str]  # pegawai keys
    #: the one feedback item it gives each pegawai it rates (seeded with the activity, idempotent)
    umpan_balik: str = ""


# The Bupati rates the Sekda (domain.md §2.1: a JPT pratama of a perangkat daerah → Kepala Daerah).
NON_ASN: list[NonAsnDef] = [
    NonAsnDef(
        "DEMO",
        "bupati.sukamaju",
        "H. Dedi Kurniawan, S.E., M.M.",
        "Bupati Sukamaju",
        ["sekda"],
        umpan_balik=(
            "Koordinasi perangkat daerah untuk percepatan penurunan stunting sudah baik. Mohon laporan "
            "capaian per kecamatan disampaikan setiap akhir bulan agar dapat dibahas di rapat pimpinan."
        ),
    ),
]

# One login per role (demo_logins prints these; every other pegawai has the same password too).
ACCOUNTS: list[DemoAccount] = [
    DemoAccount(Role.PEGAWAI, "DEMO", "pel_kur1", "pelaksana; SKP disetujui, mengisi realisasi"),
    DemoAccount(Role.PEJABAT_PENILAI, "DEMO", "kasi_kur", "kepala seksi, atasan langsung akun pegawai"),
    DemoAccount(Role.ADMIN_INSTANSI, "DEMO", "asdm_muda", "admin instansi (BKPSDM)"),
    DemoAccount(Role.HR_VIEWER, "DEMO", "psdm_mahir", "staf SDM: lihat dan ekspor"),
    DemoAccount(Role.PLATFORM_ADMIN, None, None, "lintas instansi; setiap akses dicatat"),
    DemoAccount(Role.ADMIN_INSTANSI, "DEMO2", "asdm_madya", "instansi kedua: tidak melihat data DEMO"),
]


@dataclass(frozen=True)
class TimDef:
    """A demo tim kerja (issue #16): a JF ketua and anggota from two units, each with one result
    cascaded from the ketua's first utama result (``anggota``: (pegawai key, result text))."""

    instansi: str
    nama: str
    ketua: str
    anggota: list[tuple[str, str]]


TIM: list[TimDef] = [
    TimDef(
        "DEMO",
        "Tim Implementasi Kurikulum Merdeka",
        "ptp_pertama",
        [
            ("pel_kur1", "Terlaksananya pendampingan asesmen kurikulum merdeka di sekolah sasaran"),
            ("prakom_disdik", "Tersedianya aplikasi pelaporan asesmen kurikulum merdeka"),
        ],
    )
]


def instansi_def(kode: str) -> InstansiDef:
    return next(d for d in INSTANSI if d.kode == kode)


def walkthrough(tahun: int) -> list[str]:
    """Five lines printed under the login table by ``demo_logins``: who to log in as, what to try."""
    sukamaju, contoh = instansi_def("DEMO"), instansi_def("DEMO2")
    penilai, pegawai = sukamaju.by_key("kasi_kur"), sukamaju.by_key("pel_kur1")
    admin, admin2 = sukamaju.by_key("asdm_muda"), contoh.by_key("asdm_madya")
    return [
        f"1. Pejabat penilai: masuk dengan NIP {penilai.nip} ({penilai.nama}). Menu Persetujuan SKP berisi SKP "
        "bawahan yang menunggu: setujui satu, kembalikan yang lain dengan catatan.",
        f"2. Masih sebagai pejabat penilai: menu Evaluasi. Triwulan I-III {tahun} sudah dinilai; beri umpan balik, "
        f"lalu nilai triwulan IV {tahun}.",
        f"3. Pegawai: masuk dengan NIP {pegawai.nip} ({pegawai.nama}). SKP {tahun} disetujui: isi realisasi "
        "triwulan IV dengan bukti, balas umpan balik, unduh PDF bertanda tangan dan cek kodenya di /verifikasi/.",
        f"4. Admin instansi: masuk dengan NIP {admin.nip} ({admin.nama}). Evaluasi tahunan {tahun - 1} sudah "
        f"final (lihat laporan dan distribusi predikat); jalankan batch {tahun} sebagai uji coba.",
        f"5. Isolasi: masuk dengan NIP {admin2.nip} ({contoh.kode}): tidak ada data Sukamaju; admin platform "
        f"(NIP {PLATFORM_ADMIN_NIP}) memilih instansi, dan setiap aksesnya dicatat di audit.",
    ]


def sorotan_keys(d: InstansiDef) -> set[str]:
    """The demo accounts' own team (the pejabat penilai account and everyone it rates): they also get
    evidence files, replied feedback threads and a colleague's note, so the walkthrough has them."""
    penilai = {a.pegawai for a in ACCOUNTS if a.instansi == d.kode and a.role == Role.PEJABAT_PENILAI}
    return {p.key for p in d.pegawai if p.key in penilai or p.atasan in penilai}


def account_nip(account: DemoAccount) -> str:
    if account.pegawai is None or account.instansi is None:
        return PLATFORM_ADMIN_NIP
    return instansi_def(account.instansi).by_key(account.pegawai).nip
