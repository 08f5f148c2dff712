"""Permission matrix over the whole URL conf: every URL x every role -> the expected status class.

The URL conf is walked (tests/test_tenant_isolation.py's walker and object resolution are reused, so
``<int:pk>`` gets an object of instansi A: the draft SKP of A's pegawai, one of its RHK, ...). One
test per URL name; each cell is one request (pages: GET; API: GET and the main write method,
with an empty or minimal body), inside a savepoint that is rolled back, so cells never see each
other's writes.

Roles (all about instansi A's objects):

* ``anon``: no login.  ``pegawai``: the owner of the SKP.  ``penilai``: their Pejabat Penilai.
* ``atasan``: the penilai's own atasan (kepala).  ``admin``: admin_instansi.  ``hr``: hr_viewer.
* ``outsider``: a user of instansi B (pegawai and admin_instansi there).
* ``platform``: platform admin acting in A (session key for pages, ``X-Instansi`` for the API).

Status classes: ``ok`` 2xx or a redirect that is not to the login page; ``login`` 401 or a
redirect to the login page; ``404``; ``403``; ``405``; ``bad`` 400/409/413/415/422 (the request
reached the view and was refused on its content or state: the role passed the permission check).
A 5xx never matches anything.

A URL without an entry in ``EXPECT`` fails with its observed row, to be checked and pasted (a new
endpoint must state who may use it). Run with ``KINERJA_MATRIX_DUMP=/tmp/matrix.txt`` to write
every observed row to that file.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from rest_framework.test import APIClient

from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY
from tests.conftest import Org, api_client_for, build_org
from tests.test_tenant_isolation import URL_BODY, AObjects, Route, Values, _walk

ROLES = ("anon", "pegawai", "penilai", "atasan", "admin", "hr", "outsider", "platform")

SKIPPED_PREFIXES = {
    settings.ADMIN_URL: "Django admin (staff only, own permission system)",
    settings.STATIC_URL.lstrip("/"): "static files",
    "i18n/": "language switch",
    "api/schema/": "OpenAPI schema",
    "api/docs/": "API docs",
}
SKIPPED_NAMES = {
    "dokumen-verifikasi": "public by design, capability code; tests/dokumen/test_verifikasi.py",
}

# ---------------------------------------------------------------------------------------------- expectations
#
# name -> {method: "anon pegawai penilai atasan admin hr outsider platform"}
#
# Reviewed row by row: anonymous never reaches data (login / 401; public: healthz, login, verifikasi);
# the outsider gets 404 on every object of A and only their own instansi's pages; roles inside A
# see what the domain gives them (the penilai's atasan sees the unit and decides keberatan, not the
# SKP drafts two levels down; HR reads but does not write). Deliberate oddities:
# * platform-instansi answers 404 (not a login redirect) to everyone but a platform admin;
# * POST-only pages answer GET with 405 after the login check;
# * "bad" on a write means the role passed the permission check and the empty body (or the draft
#   state of the SKP) was refused: 400/409.
EXPECT: dict[str, dict[str, str]] = {
    # tim kerja (#16), the health page (#20), SIASN (#18): observed and reviewed at merge
    "tim-list": {"get": "login ok ok ok ok ok ok ok"},  # tim-kerja/
    "tim-detail": {"get": "login ok ok 404 ok ok 404 ok"},  # tim-kerja/<int:pk>/
    "tim-ubah": {"get": "login 405 405 405 405 405 405 405"},  # tim-kerja/<int:pk>/ubah/
    "tim-anggota-tambah": {"get": "login 405 405 405 405 405 405 405"},  # tim-kerja/<int:pk>/anggota/
    "tim-anggota-keluar": {
        "get": "login 404 404 404 ok 404 404 ok"
    },  # tim-kerja/<int:pk>/anggota/<int:anggota_pk>/keluarkan/
    "status": {"get": "login 404 404 404 ok 404 ok ok"},  # status/
    "evaluasi:siasn": {"get": "login 404 404 404 ok 404 ok ok"},  # evaluasi/siasn/
    "evaluasi:siasn-tarik": {"get": "login 404 404 404 ok 404 ok ok"},  # evaluasi/siasn/tarik/
    # without ?tahun= the export is a 404 for everyone
    "evaluasi:siasn-audit": {"get": "login 404 404 404 404 404 404 404"},  # evaluasi/siasn/audit/
    "api-tim-list": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # api/v1/tim-kerja/
    "api-tim-detail": {
        "get": "login ok ok 404 ok ok 404 ok",
        "patch": "login 404 404 404 ok 404 404 ok",
    },  # api/v1/tim-kerja/<int:pk>/
    "api-tim-anggota": {"post": "login bad bad 404 bad bad 404 bad"},  # api/v1/tim-kerja/<int:pk>/anggota/
    "api-tim-anggota-keluar": {
        "delete": "login 404 404 404 404 404 404 404"
    },  # api/v1/tim-kerja/<int:pk>/anggota/<str:nip>/
    "dashboard": {"get": "login ok ok ok ok ok ok ok"},  # /
    "healthz": {"get": "ok ok ok ok ok ok ok ok"},  # /healthz/
    "login": {"get": "ok ok ok ok ok ok ok ok"},  # /masuk/
    "logout": {"get": "405 405 405 405 405 405 405 405"},  # /keluar/
    "password_change": {"get": "login ok ok ok ok ok ok ok"},  # /akun/kata-sandi/
    "password_change_done": {"get": "login ok ok ok ok ok ok ok"},  # /akun/kata-sandi/selesai/
    "platform-instansi": {"get": "404 404 404 404 404 404 404 ok"},  # /platform/instansi/
    "org-tree": {"get": "login 404 404 404 ok ok ok ok"},  # /organisasi/
    "unit-detail": {"get": "login 404 404 404 ok ok 404 ok"},  # /organisasi/unit/<int:pk>/
    "pegawai-list": {"get": "login 404 404 404 ok ok ok ok"},  # /pegawai/
    "pegawai-detail": {"get": "login ok ok 404 ok ok 404 ok"},  # /pegawai/<int:pk>/
    # POST-only (GET: 405 once the role passed); who may POST: tests/security/test_tokens.py
    "pegawai-keluarkan": {"get": "login 404 404 404 405 404 405 405"},  # /pegawai/<int:pk>/keluarkan/
    "akun-keluar-semua": {"get": "login 405 405 405 405 405 405 405"},  # /akun/keluar-semua/
    "impor": {"get": "login 404 404 404 ok 404 ok ok"},  # /impor/
    "audit": {"get": "login 404 404 404 ok 404 ok ok"},  # /audit/
    "audit-csv": {"get": "login 404 404 404 ok 404 ok ok"},  # /audit/csv/
    "job-progress": {"get": "login 404 404 404 ok ok 404 ok"},  # /jobs/<int:pk>/kemajuan/
    "job-download": {"get": "login 404 404 404 404 404 404 404"},  # /jobs/<int:pk>/unduh/
    "skp:saya": {"get": "login ok ok ok ok ok ok ok"},  # /skp/
    "skp:inbox": {"get": "login ok ok ok ok ok ok ok"},  # /skp/persetujuan/
    "skp:inbox-setujui": {"get": "login 405 405 405 405 405 405 405"},  # /skp/persetujuan/setujui/
    "skp:inbox-jumlah": {
        "get": "login ok ok ok ok ok ok ok"
    },  # /skp/persetujuan/jumlah/ (own count, 0 for most)
    "skp:pohon": {"get": "login ok ok ok ok ok ok ok"},  # /skp/pohon/
    # Perjanjian Kinerja: everyone of the instansi reads; the admin or the unit's leader writes (the
    # URL's unit is the bidang, headed by "penilai"; "atasan" heads the top unit); import: admin or any leader.
    "perjanjian:daftar": {"get": "login ok ok ok ok ok ok ok"},  # /perjanjian-kinerja/
    "perjanjian:impor": {"get": "login 404 ok ok ok 404 ok ok"},  # /perjanjian-kinerja/impor/
    "perjanjian:versi": {"get": "login ok ok ok ok ok 404 ok"},  # /perjanjian-kinerja/versi/<int:pk>/
    "perjanjian:unit": {
        "get": "login ok ok ok ok ok 404 ok"
    },  # /perjanjian-kinerja/unit/<int:unit_pk>/<int:tahun>/
    "perjanjian:ubah": {"get": "login 404 ok 404 ok 404 404 ok"},  # .../unit/<int:unit_pk>/<int:tahun>/ubah/
    "skp:detail": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/<int:pk>/
    "skp:pendekatan": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/pendekatan/
    "skp:salin": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/salin/
    "skp:lampiran": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/<int:pk>/lampiran/
    "skp:ekspektasi": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/ekspektasi/
    "skp:ajukan": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/ajukan/
    "skp:setujui": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/setujui/
    "skp:kembalikan": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/kembalikan/
    "skp:revisi": {"get": "login 405 405 405 405 405 405 405"},  # /skp/<int:pk>/revisi/
    "skp:rhk-tambah": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/<int:pk>/rhk/tambah/
    "skp:rhk-baris": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/rhk/<int:pk>/
    "skp:rhk-ubah": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/rhk/<int:pk>/ubah/
    "skp:rhk-hapus": {"get": "login 405 405 405 405 405 405 405"},  # /skp/rhk/<int:pk>/hapus/
    "skp:matriks": {"get": "login ok ok 404 ok ok 404 ok"},  # /skp/<int:pk>/matriks/
    "skp:matriks-usul": {
        "get": "login 404 404 404 404 404 404 404"
    },  # /skp/<int:pk>/matriks/usul/<int:bawahan_pk>/<int:kolom_pk>/
    "dialog:beranda": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/
    "dialog:realisasi": {"get": "login ok ok 404 ok ok 404 ok"},  # /dialog/skp/<int:pk>/realisasi/
    "dialog:realisasi-simpan": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/skp/<int:pk>/realisasi/<int:indikator_pk>/
    "dialog:rencana-aksi-tambah": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/skp/<int:pk>/rencana-aksi/
    "dialog:rencana-aksi-ubah": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/rencana-aksi/<int:pk>/ubah/
    "dialog:rencana-aksi-hapus": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/rencana-aksi/<int:pk>/hapus/
    "dialog:bukti-unduh": {"get": "login 404 404 404 404 404 404 404"},  # /dialog/bukti/<int:pk>/unduh/
    "dialog:bukti-hapus": {"get": "login 405 405 405 405 405 405 405"},  # /dialog/bukti/<int:pk>/hapus/
    "dialog:umpan-balik-skp": {"get": "login ok ok 404 ok ok 404 ok"},  # /dialog/skp/<int:pk>/umpan-balik/
    "dialog:umpan-balik-baca-semua": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/skp/<int:pk>/umpan-balik/baca-semua/
    "dialog:permintaan-buat": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/skp/<int:pk>/minta-umpan-balik/
    "dialog:umpan-balik-balas": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/umpan-balik/<int:pk>/balas/
    "dialog:umpan-balik-dibaca": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/umpan-balik/<int:pk>/dibaca/
    "dialog:permintaan-batal": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/permintaan/<int:pk>/batal/
    "dialog:catatan": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/catatan/
    "dialog:catatan-baru": {"get": "login ok ok ok ok ok ok 404"},  # /dialog/catatan/baru/
    "dialog:catatan-detail": {"get": "login ok ok 404 ok 404 404 ok"},  # /dialog/catatan/<int:pk>/
    "dialog:tindak-lanjut-tambah": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/catatan/<int:pk>/tindak-lanjut/
    "dialog:tindak-lanjut-status": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/tindak-lanjut/<int:pk>/status/
    "dialog:bimbingan-b18": {"get": "login 405 405 405 405 405 405 405"},  # /dialog/catatan/<int:pk>/b18/
    # across instansi: leaders only (Pejabat Penilai or jabatan struktural), else 403 with the reason
    "dialog:penugasan-lintas-baru": {
        "get": "login 403 ok ok 403 403 ok 404"
    },  # /dialog/penugasan-lintas/baru/
    # the record's pegawai (A's pegawai in the generic row), their Pejabat Penilai, admins (read-only)
    "dialog:penugasan-lintas-detail": {
        "get": "login ok ok 404 ok 404 404 ok"
    },  # /dialog/penugasan-lintas/<int:pk>/
    # the assigner's own record (pemberi = A's pegawai in the generic row) and admins (read-only)
    "dialog:penugasan-keluar-detail": {
        "get": "login ok 404 404 ok 404 404 ok"
    },  # /dialog/penugasan-keluar/<int:pk>/
    "dialog:bimbingan-b19": {"get": "login 405 405 405 405 405 405 405"},  # /dialog/catatan/<int:pk>/b19/
    "dialog:penugasan": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/penugasan/
    "dialog:penugasan-baru": {"get": "login ok ok ok ok ok ok 404"},  # /dialog/penugasan/baru/
    "dialog:penugasan-detail": {"get": "login ok ok ok ok ok 404 ok"},  # /dialog/penugasan/<int:pk>/
    "dialog:penugasan-terima": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/penugasan/<int:pk>/terima/
    "dialog:penugasan-tolak": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/penugasan/<int:pk>/tolak/
    "dialog:penugasan-batal": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/penugasan/<int:pk>/batal/
    "dialog:penugasan-relawan": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/penugasan/<int:pk>/relawan/
    "dialog:notifikasi": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/notifikasi/
    "dialog:notifikasi-jumlah": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/notifikasi/jumlah/
    "dialog:notifikasi-buka": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/notifikasi/<int:pk>/buka/
    "dialog:notifikasi-baca-semua": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/notifikasi/baca-semua/
    "dialog:preferensi": {"get": "login ok ok ok ok ok ok ok"},  # /dialog/notifikasi/preferensi/
    "dialog:linimasa": {"get": "login ok ok 404 ok 404 404 ok"},  # /dialog/linimasa/<int:pk>/
    "dialog:tim": {"get": "login 404 ok ok 404 404 ok 404"},  # /dialog/tim/
    # log harian: own page for every pegawai (a login without a pegawai row has none); verification for
    # whoever appraises someone; the XLSX of one's own unit for leaders, any unit for admin/HR
    "dialog:log-harian": {"get": "login ok ok ok ok ok ok 404"},  # /dialog/log-harian/
    "dialog:log-harian-verifikasi": {
        "get": "login 404 ok ok 404 404 ok 404"
    },  # /dialog/log-harian/verifikasi/
    "dialog:log-harian-ekspor": {"get": "login 404 ok ok ok ok ok 404"},  # /dialog/log-harian/ekspor/
    # the instansi's settings: admin_instansi only (the outsider is admin of B and sees B's settings)
    "dialog:log-harian-pengaturan": {
        "get": "login 404 404 404 ok 404 ok ok"
    },  # /dialog/log-harian/pengaturan/
    "dialog:log-harian-ubah": {
        "get": "login ok 404 404 404 404 404 404"
    },  # /dialog/log-harian/<int:pk>/ubah/
    "dialog:log-harian-hapus": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /dialog/log-harian/<int:pk>/hapus/
    # the probe entry has no file: 404 for everyone (who may read it: tests/dialog/test_log_harian_*)
    "dialog:log-harian-berkas": {
        "get": "login 404 404 404 404 404 404 404"
    },  # /dialog/log-harian/<int:pk>/berkas/
    "evaluasi:daftar": {"get": "login ok ok ok ok ok ok ok"},  # /evaluasi/
    "evaluasi:detail": {"get": "login ok ok ok ok ok 404 ok"},  # /evaluasi/<int:pk>/
    # unrated here: a message and a redirect to the evaluation for everyone who may see it
    "evaluasi:dokumen": {"get": "login ok ok ok ok ok 404 ok"},  # /evaluasi/<int:pk>/dokumen/
    "evaluasi:keberatan-ajukan": {
        "get": "login 405 405 405 405 405 405 405"
    },  # /evaluasi/<int:pk>/keberatan/
    # GET without ?berkas: a redirect to the evaluation for whoever may see it (POST: admin only, tested in
    # tests/evaluasi/test_aturan3_langkah.py)
    "evaluasi:tindak-lanjut-langkah": {
        "get": "login ok ok ok ok ok 404 ok"
    },  # /evaluasi/<int:pk>/tindak-lanjut/
    "evaluasi:keberatan-daftar": {"get": "login ok ok ok ok ok ok ok"},  # /evaluasi/keberatan/
    "evaluasi:keberatan-putus": {"get": "login 404 404 ok 404 404 404 404"},  # /evaluasi/keberatan/<int:pk>/
    "evaluasi:unit": {"get": "login 404 404 ok ok ok 404 ok"},  # /evaluasi/unit/<int:pk>/
    "evaluasi:unit-dokumen": {"get": "login 404 404 ok ok ok 404 ok"},  # /evaluasi/unit/<int:pk>/dokumen/
    "evaluasi:laporan": {"get": "login 404 404 404 ok ok ok ok"},  # /evaluasi/laporan/
    "evaluasi:laporan-unit": {"get": "login 404 404 404 ok ok 404 ok"},  # /evaluasi/laporan/unit/<int:pk>/
    "evaluasi:tahunan": {"get": "login 404 404 404 ok 404 ok ok"},  # /evaluasi/tahunan/
    "evaluasi:tahunan-hasil": {"get": "login 404 404 404 ok ok 404 ok"},  # /evaluasi/tahunan/<int:pk>/
    # the "Nilai" link: whoever may see the SKP (a draft here: redirect back to it); the kepala is not its penilai
    "evaluasi:nilai-skp": {"get": "login ok ok 404 ok ok 404 ok"},  # /evaluasi/skp/<int:pk>/nilai/
    "evaluasi:non-asn-daftar": {"get": "login 404 404 404 ok 404 ok ok"},  # /evaluasi/pejabat-non-asn/
    "evaluasi:non-asn-baru": {"get": "login 404 404 404 ok 404 ok ok"},  # /evaluasi/pejabat-non-asn/baru/
    "evaluasi:non-asn-ubah": {
        "get": "login 404 404 404 ok 404 404 ok"
    },  # /evaluasi/pejabat-non-asn/<int:pk>/
    "api-auth-token": {"post": "bad bad bad bad bad bad bad bad"},  # /api/v1/auth/token/
    "api-me": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/me/
    "api-periode-list": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/periode/
    "api-pegawai-list": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/pegawai/
    "api-pegawai-detail": {"get": "login ok ok 404 ok ok 404 ok"},  # /api/v1/pegawai/<int:pk>/
    "api-unit-kerja-list": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/unit-kerja/
    "api-job-detail": {"get": "login 404 404 404 ok ok 404 ok"},  # /api/v1/jobs/<int:pk>/
    "api-skp-list": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # /api/v1/skp/
    "api-skp-inbox": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/skp/inbox/
    "api-skp-bulk-approve": {"post": "login bad bad bad bad bad bad bad"},  # /api/v1/skp/setujui-massal/
    "api-skp-detail": {
        "get": "login ok ok 404 ok ok 404 ok",
        "patch": "login ok 403 404 403 403 404 403",
    },  # /api/v1/skp/<int:pk>/
    "api-skp-rhk-create": {"post": "login bad bad 404 bad bad 404 bad"},  # /api/v1/skp/<int:pk>/rhk/
    "api-skp-rhk-pimpinan": {"get": "login ok ok 404 ok ok 404 ok"},  # /api/v1/skp/<int:pk>/rhk-pimpinan/
    "api-skp-ajukan": {"post": "login bad 403 404 403 403 404 403"},  # /api/v1/skp/<int:pk>/ajukan/
    "api-skp-setujui": {"post": "login 404 bad 404 404 404 404 404"},  # /api/v1/skp/<int:pk>/setujui/
    "api-skp-kembalikan": {"post": "login 404 bad 404 404 404 404 404"},  # /api/v1/skp/<int:pk>/kembalikan/
    "api-skp-revisi": {"post": "login bad 403 404 403 403 404 403"},  # /api/v1/skp/<int:pk>/revisi/
    "api-skp-salin": {"post": "login bad bad 404 bad bad 404 bad"},  # /api/v1/skp/<int:pk>/salin/
    "api-skp-ekspektasi": {"put": "login bad bad 404 bad bad 404 bad"},  # /api/v1/skp/<int:pk>/ekspektasi/
    "api-skp-riwayat": {"get": "login ok ok 404 ok ok 404 ok"},  # /api/v1/skp/<int:pk>/riwayat/
    "api-skp-matriks": {"get": "login ok ok 404 ok ok 404 ok"},  # /api/v1/skp/<int:pk>/matriks/
    "api-skp-dokumen": {"get": "login bad bad 404 bad bad 404 bad"},  # /api/v1/skp/<int:pk>/dokumen/
    "api-rhk-detail": {"patch": "login ok 403 404 403 403 404 403"},  # /api/v1/rhk/<int:pk>/
    # the empty body is refused (400) before who may write is checked: tests/perjanjian/test_api_pk.py
    "api-pk-list": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # /api/v1/perjanjian-kinerja/
    "api-pk-impor": {"post": "login bad bad bad bad bad bad bad"},  # /api/v1/perjanjian-kinerja/impor/
    "api-pk-detail": {"get": "login ok ok ok ok ok 404 ok"},  # /api/v1/perjanjian-kinerja/<int:pk>/
    "api-umpan-balik": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # /api/v1/umpan-balik/
    "api-umpan-balik-jumlah": {"get": "login 404 bad bad 404 404 bad 404"},  # /api/v1/umpan-balik/jumlah/
    "api-umpan-balik-detail": {"get": "login ok ok 404 ok ok 404 ok"},  # /api/v1/umpan-balik/<int:pk>/
    "api-umpan-balik-balasan": {
        "post": "login bad bad 404 bad bad 404 bad"
    },  # /api/v1/umpan-balik/<int:pk>/balasan/
    "api-umpan-balik-dibaca": {
        "post": "login ok ok 404 ok ok 404 ok"
    },  # /api/v1/umpan-balik/<int:pk>/dibaca/
    "api-permintaan-umpan-balik": {
        "post": "login bad bad bad bad bad bad bad"
    },  # /api/v1/permintaan-umpan-balik/
    "api-notifikasi": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/notifikasi/
    "api-notifikasi-dibaca": {
        "post": "login ok 404 404 404 404 404 404"
    },  # /api/v1/notifikasi/<int:pk>/dibaca/
    "api-linimasa": {"get": "login ok ok 404 ok 404 404 ok"},  # /api/v1/pegawai/<int:pk>/linimasa/
    "api-feed-tim": {"get": "login 404 ok ok 404 404 ok 404"},  # /api/v1/feed-tim/
    "api-log-harian": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # /api/v1/log-harian/
    "api-log-harian-verifikasi": {
        "post": "login 404 bad bad 404 404 bad 404"
    },  # /api/v1/log-harian/verifikasi/
    # a login without a pegawai row must name the pegawai: 400
    "api-log-harian-rekap": {"get": "login ok ok ok ok ok ok bad"},  # /api/v1/log-harian/rekap/
    # the instansi's own settings (one row per instansi, no id): everyone reads their instansi's; only an
    # admin writes (the outsider is admin of B and writes B's); the empty body is 400 for them
    "api-log-harian-pengaturan": {
        "get": "login ok ok ok ok ok ok ok",
        "put": "login 404 404 404 bad 404 bad bad",
    },  # /api/v1/log-harian/pengaturan/
    "api-log-harian-detail": {
        "get": "login ok 404 404 404 404 404 404",
        # the probe entry's RHK is of a draft SKP: the owner passes and is refused on the content (400)
        "patch": "login bad 404 404 404 404 404 404",
    },  # /api/v1/log-harian/<int:pk>/
    "api-evaluasi-list": {"get": "login ok ok ok ok ok ok ok"},  # /api/v1/evaluasi/
    "api-evaluasi-detail": {
        "get": "login ok ok ok ok ok 404 ok",
        "patch": "login 404 bad 404 404 404 404 404",
    },  # /api/v1/evaluasi/<int:pk>/
    # unrated here: 409 ("bad") with the reason for everyone who may see it
    "api-evaluasi-dokumen": {
        "get": "login bad bad bad bad bad 404 bad"
    },  # /api/v1/evaluasi/<int:pk>/dokumen/
    "api-evaluasi-keberatan": {
        "post": "login bad bad bad bad bad 404 bad"
    },  # /api/v1/evaluasi/<int:pk>/keberatan/
    "api-keberatan-putus": {"post": "login 404 404 bad 404 404 404 404"},  # /api/v1/keberatan/<int:pk>/putus/
    "api-kinerja-organisasi": {
        "get": "login 404 404 ok ok ok 404 ok",
        "put": "login 404 404 ok ok 404 404 ok",
    },  # /api/v1/kinerja-organisasi/<int:pk>/
    "api-tahunan": {"post": "login 404 404 404 bad 404 bad bad"},  # /api/v1/tahunan/
    # SIASN twins (contract §6): admin_instansi / platform only; the outsider is B's admin, acting in B
    # (B has no SIASN settings and no runs: 400 on a start, an empty list); empty bodies are a 400
    "api-siasn-jobs": {
        "get": "login 404 404 404 ok 404 ok ok",
        "post": "login 404 404 404 bad 404 bad bad",
    },  # /api/v1/siasn/jobs/
    "api-siasn-job-hasil": {"get": "login 404 404 404 ok 404 404 ok"},  # /api/v1/siasn/jobs/<int:pk>/hasil/
    "api-siasn-tarik": {"post": "login 404 404 404 bad 404 bad bad"},  # /api/v1/siasn/tarik/
    "api-siasn-audit": {"get": "login 404 404 404 bad 404 bad bad"},  # /api/v1/siasn/audit/ (no ?tahun)
    "dokumen-verifikasi-index": {"get": "ok ok ok ok ok ok ok ok"},  # /verifikasi/
    "dokumen-ekspor": {"get": "login 404 404 404 ok ok ok ok"},  # /dokumen/ekspor/
    "dokumen-ekspor-unduh": {"get": "login 404 404 404 ok ok ok ok"},  # /dokumen/ekspor/<slug:key>/
    "dokumen-job-mulai": {"get": "login 405 405 405 405 405 405 405"},  # /dokumen/jobs/<slug:key>/mulai/
    "dokumen-job": {"get": "login 404 404 404 ok ok 404 ok"},  # /dokumen/jobs/<int:pk>/
    # API twins of the pages (issue #19, branch twins): owner writes, leader reads, outsider 404
    "api-auth-keluar-semua": {"post": "login ok ok ok ok ok ok ok"},  # api/v1/auth/keluar-semua/
    "api-pegawai-keluarkan": {
        "post": "login 404 404 404 ok 404 404 ok"
    },  # api/v1/pegawai/<int:pk>/keluarkan/
    "api-job-berkas": {"get": "login 404 404 404 404 404 404 404"},  # api/v1/jobs/<int:pk>/berkas/
    "api-impor": {"post": "login 404 404 404 bad 404 bad bad"},  # api/v1/impor/
    "api-ekspor": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # api/v1/ekspor/
    "api-skp-matriks-usul": {
        "post": "login bad 404 404 404 404 404 404"
    },  # api/v1/skp/<int:pk>/matriks/usul/
    "api-umpan-balik-baca-semua": {
        "post": "login ok ok 404 ok ok 404 ok"
    },  # api/v1/skp/<int:pk>/umpan-balik/baca-semua/
    "api-permintaan-batal": {
        "post": "login ok 404 404 404 404 404 404"
    },  # api/v1/permintaan-umpan-balik/<int:pk>/batal/
    "api-notifikasi-baca-semua": {"post": "login ok ok ok ok ok ok ok"},  # api/v1/notifikasi/baca-semua/
    "api-notifikasi-preferensi": {
        "get": "login ok ok ok ok ok ok ok",
        "put": "login bad bad bad bad bad bad bad",
    },  # api/v1/notifikasi/preferensi/
    "api-rencana-aksi": {
        "get": "login ok ok 404 ok ok 404 ok",
        "post": "login bad bad 404 bad bad 404 bad",
    },  # api/v1/skp/<int:pk>/rencana-aksi/
    "api-rencana-aksi-detail": {
        "get": "login ok ok 404 ok ok 404 ok",
        "patch": "login bad 403 404 403 403 404 403",
    },  # api/v1/rencana-aksi/<int:pk>/
    "api-realisasi": {
        "get": "login ok ok 404 ok ok 404 ok",
        "put": "login bad bad 404 bad bad 404 bad",
    },  # api/v1/skp/<int:pk>/realisasi/
    "api-realisasi-bukti": {"post": "login bad 403 404 403 403 404 403"},  # api/v1/realisasi/<int:pk>/bukti/
    "api-bukti-detail": {
        "get": "login 404 404 404 404 404 404 404",
        "delete": "login bad 403 404 403 403 404 403",
    },  # api/v1/bukti/<int:pk>/
    "api-catatan": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # api/v1/catatan/
    "api-catatan-detail": {"get": "login ok ok 404 ok 404 404 ok"},  # api/v1/catatan/<int:pk>/
    "api-catatan-tindak-lanjut": {
        "post": "login bad bad 404 bad 404 404 bad"
    },  # api/v1/catatan/<int:pk>/tindak-lanjut/
    "api-tindak-lanjut-status": {
        "post": "login bad bad 404 bad 404 404 bad"
    },  # api/v1/tindak-lanjut/<int:pk>/status/
    "api-catatan-b18": {
        "get": "login ok ok 404 ok 404 404 ok",
        "post": "login bad bad 404 bad 404 404 bad",
    },  # api/v1/catatan/<int:pk>/b18/
    "api-catatan-b19": {
        "get": "login ok ok 404 ok 404 404 ok",
        "post": "login bad bad 404 bad 404 404 bad",
    },  # api/v1/catatan/<int:pk>/b19/
    "api-penugasan": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login bad bad bad bad bad bad bad",
    },  # api/v1/penugasan/
    "api-penugasan-detail": {"get": "login ok ok ok ok ok 404 ok"},  # api/v1/penugasan/<int:pk>/
    "api-penugasan-terima": {
        "post": "login 404 404 404 404 404 404 404"
    },  # api/v1/penugasan/<int:pk>/terima/
    "api-penugasan-tolak": {"post": "login bad bad bad bad bad 404 bad"},  # api/v1/penugasan/<int:pk>/tolak/
    "api-penugasan-batal": {"post": "login ok 404 404 404 404 404 404"},  # api/v1/penugasan/<int:pk>/batal/
    "api-penugasan-relawan": {"post": "login bad ok bad ok ok 404 404"},  # api/v1/penugasan/<int:pk>/relawan/
    "api-penugasan-lintas": {"get": "login ok ok ok ok ok ok ok"},  # api/v1/penugasan-lintas/
    "api-penugasan-lintas-detail": {
        "get": "login ok ok 404 ok 404 404 ok"
    },  # api/v1/penugasan-lintas/<int:pk>/
    "api-penugasan-lintas-putuskan": {
        "post": "login 404 bad 404 404 404 404 404"
    },  # api/v1/penugasan-lintas/<int:pk>/putuskan/
    "api-penugasan-keluar": {
        "get": "login ok ok ok ok ok ok ok",
        "post": "login 403 bad bad 403 403 bad 403",  # leaders only, checked before the body
    },  # api/v1/penugasan-keluar/
    "api-penugasan-keluar-detail": {
        "get": "login ok 404 404 ok 404 404 ok"
    },  # api/v1/penugasan-keluar/<int:pk>/
    "api-penugasan-keluar-batal": {
        "post": "login bad 404 404 404 404 404 404"
    },  # api/v1/penugasan-keluar/<int:pk>/batal/
    "api-penugasan-keluar-umpan-balik": {
        "post": "login bad 404 404 404 404 404 404"
    },  # api/v1/penugasan-keluar/<int:pk>/umpan-balik/
    "api-evaluasi-tindak-lanjut": {
        "post": "login 404 404 404 bad 404 404 bad"
    },  # api/v1/evaluasi/<int:pk>/tindak-lanjut/
}

# Cells whose current behaviour is wrong and belongs to another team: reported, not encoded as right.
# name -> (method, role, observed-class it currently gives, why it is wrong)
KNOWN_WRONG: dict[str, list[tuple[str, str, str, str]]] = {}

# ---------------------------------------------------------------------------------------------- world


def _keberatan(world: "World") -> Any:
    """An objection decided by the atasan of the Pejabat Penilai (the generic row has no pemutus,
    which hands it to the admins)."""
    from django.apps import apps

    return world.objs._insert(apps.get_model("evaluasi.Keberatan"), pemutus=world.org.kepala)


# Objects whose generic version (tests/test_tenant_isolation.py) would not exercise the roles.
MATRIX_OBJECTS = {"evaluasi.Keberatan": _keberatan}


@dataclass
class World:
    org: Org
    outsider: Any
    platform: Any
    objs: AObjects
    web: dict[str, Client]
    api: dict[str, APIClient]


def _build_world() -> World:
    from kinerja.models import PeranInstansi, User

    org_a, org_b = build_org("A"), build_org("B")
    PeranInstansi._base_manager.create(instansi=org_b.instansi, user=org_b.atasan.user, role="admin_instansi")
    platform = User.objects.create_user(
        nip="platform-matrix", password="x-Rahasia-123", is_platform_admin=True
    )
    users = {
        "pegawai": org_a.pegawai.user,
        "penilai": org_a.atasan.user,
        "atasan": org_a.kepala.user,
        "admin": org_a.admin.user,
        "hr": org_a.hr.user,
        "outsider": org_b.atasan.user,
        "platform": platform,
    }
    web: dict[str, Client] = {"anon": Client()}
    api: dict[str, APIClient] = {"anon": APIClient()}
    for role, user in users.items():
        c = Client()
        c.force_login(user)
        if role == "platform":
            session = c.session
            session[PLATFORM_INSTANSI_SESSION_KEY] = org_a.instansi.kode
            session.save()
        web[role] = c
        api[role] = api_client_for(user)
    api["platform"].credentials(
        HTTP_AUTHORIZATION=api["platform"]._credentials["HTTP_AUTHORIZATION"],
        HTTP_X_INSTANSI=org_a.instansi.kode,
    )
    world = World(org_a, org_b.atasan, platform, AObjects(org_a), web, api)
    for label, build in MATRIX_OBJECTS.items():
        world.objs._cache[label] = build(world)
    # Every object any URL needs, made now: objects made inside a test's savepoint would vanish
    # with it while staying in the AObjects cache.
    for route in ROUTES:
        _url(route, world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module inside a transaction that is rolled back at the end; each test
    runs in a savepoint inside it (pytest-django's ``db``)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# ---------------------------------------------------------------------------------------------- routes


def _skip_reason(r: Route) -> str | None:
    for prefix, reason in SKIPPED_PREFIXES.items():
        if prefix and r.route.startswith(prefix):
            return reason
    return SKIPPED_NAMES.get(r.name)


ROUTES = [r for r in _walk(get_resolver().url_patterns) if _skip_reason(r) is None]


def _methods(r: Route) -> list[str]:
    if not r.is_api:
        return ["get"]
    implemented = [
        m for m in ("get", "post", "put", "patch", "delete") if r.view_class and hasattr(r.view_class, m)
    ]
    reads = [m for m in implemented if m == "get"]
    writes = [m for m in implemented if m != "get"][:1]
    return reads + writes or ["get"]


def _url(route: Route, world: World) -> str:
    kwargs: dict[str, Any] = {}
    for kwarg in route.kwargs:
        target = route.target(kwarg)
        if target is None:
            pytest.fail(
                f"{route.name}: cannot tell which object goes into {kwarg!r}; see tests/test_tenant_isolation.py"
            )
        kwargs[kwarg] = target.get()[0] if isinstance(target, Values) else world.objs.get(target).pk
    return route.url(**kwargs)


# ---------------------------------------------------------------------------------------------- one cell


def classify(resp: Any) -> str:
    code = resp.status_code
    if code >= 500:
        return f"5xx({code})"
    location = resp.get("Location", "") if hasattr(resp, "get") else ""
    login = str(settings.LOGIN_URL) if str(settings.LOGIN_URL).startswith("/") else "/masuk/"
    if code == 401 or (code in (301, 302, 303) and location.startswith(login)):
        return "login"
    if 200 <= code < 400:
        return "ok"
    if code in (403, 404, 405):
        return str(code)
    if code in (400, 409, 413, 415, 422):
        return "bad"
    return f"?{code}"


def _cell(world: World, route: Route, method: str, role: str, url: str) -> tuple[str, str]:
    client = world.api[role] if route.is_api else world.web[role]
    kwargs: dict[str, Any] = {}
    if method != "get":
        body = URL_BODY.get(route.name, {})
        kwargs = {"data": body, "format": "json"} if route.is_api else {"data": body}
    try:
        with transaction.atomic():
            resp = getattr(client, method)(url, **kwargs)
            if getattr(resp, "streaming", False):
                b"".join(resp.streaming_content)
            transaction.set_rollback(True)
    except Exception as exc:  # a crash is a 5xx; keep the reason for the report
        return "5xx", f"{type(exc).__name__}: {exc}"[:300]
    detail = ""
    if resp.status_code >= 500:
        detail = resp.content[:300].decode(errors="replace") if not resp.streaming else ""
    return classify(resp), detail


def _row(world: World, route: Route, method: str, url: str) -> tuple[list[str], dict[str, str]]:
    row, details = [], {}
    for role in ROLES:
        cls, detail = _cell(world, route, method, role, url)
        row.append(cls)
        if detail:
            details[role] = detail
    return row, details


def _fmt(cells: list[str]) -> str:
    return " ".join(cells)


# ---------------------------------------------------------------------------------------------- the tests


def test_walker_found_the_known_urls() -> None:
    names = {r.name for r in ROUTES}
    assert {"api-me", "api-skp-detail", "dashboard", "skp:detail", "login"} <= names
    assert not any(r.route.startswith(settings.ADMIN_URL) for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_permission_matrix(route: Route, world: World, db: Any) -> None:
    url = _url(route, world)
    observed = {}
    problems = []
    for method in _methods(route):
        row, details = _row(world, route, method, url)
        observed[method] = _fmt(row)
        crashes = {ROLES[i]: c for i, c in enumerate(row) if c.startswith("5xx")}
        if crashes:
            problems.append(f"{method.upper()} {url}: server errors {crashes} {details}")
    dump = os.environ.get("KINERJA_MATRIX_DUMP")
    if dump:
        with open(dump, "a", encoding="utf-8") as fh:
            fh.write(f"    {route.name!r}: {observed!r},  # {route.route}\n")
    expected = EXPECT.get(route.name)
    if expected is None:
        pytest.fail(
            f"URL {route.name!r} ({route.route}) has no entry in EXPECT (tests/security/test_permission_matrix.py). "
            f"Decide who may use it; the current behaviour is:\n    {route.name!r}: {observed!r},\n"
            f"(roles: {' '.join(ROLES)})"
        )
    known = {(m, r) for m, r, _cls, _why in KNOWN_WRONG.get(route.name, [])}
    for method, got in observed.items():
        want = expected.get(method)
        if want is None:
            problems.append(f"{method.upper()} {url}: no expectation for this method (observed {got!r})")
            continue
        for role, w, g in zip(ROLES, want.split(), got.split(), strict=True):
            if w != g and (method, role) not in known:
                problems.append(f"{method.upper()} {url} as {role}: expected {w}, got {g}")
    if problems:
        pytest.fail("\n".join(problems))
    if known:
        pytest.xfail(f"known wrong, reported: {KNOWN_WRONG[route.name]}")
