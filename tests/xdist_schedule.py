"""The order in which ``--dist loadfile`` hands test files to the xdist workers: slowest first.

A worker takes a whole file at a time. xdist's own queue is ordered by the number of tests per file,
so the files that hold few but long tests (the browser journeys, the axe walk) came last, and one
worker was still walking them long after the other had run out of work. Handing out the longest
files first, and the many short ones at the end where they fill the gaps, lets both workers finish
at about the same time.

``SLOW_FILES`` are the slowest files of a two-worker run (7 Dec 2026, on a busy box; seconds per
file, setup and teardown included, summed from ``scripts/test.py --durations=0``). Only their order
matters; a file not listed (a new one) keeps xdist's usual place, behind them. Remeasure when the
tail of a run grows.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest

#: test file → seconds on a two-worker run; handed out longest first
SLOW_FILES: dict[str, float] = {
    "tests/a11y/test_axe_pages.py": 183,
    "tests/security/test_fuzz_api.py": 123,
    "tests/kinerja/test_browser_demo.py": 47,
    "tests/skp/test_web_skp_queries.py": 46,
    "tests/dokumen/test_signing.py": 44,
    "tests/security/test_rls_commands.py": 42,
    "tests/security/test_permission_matrix.py": 42,
    "tests/security/test_backup_restore.py": 41,
    "tests/dialog/test_browser_dialog.py": 39,
    "tests/security/test_no_server_errors.py": 38,
    "tests/test_tenant_isolation.py": 37,
    "tests/kinerja/test_commands.py": 37,
    "tests/kinerja/test_browser_beranda.py": 35,
    "tests/security/test_faults.py": 34,
    "tests/kinerja/test_browser_login.py": 31,
    "tests/dokumen/test_ekspor.py": 29,
    "tests/dialog/test_isolasi.py": 27,
    "tests/dokumen/test_evaluasi_dokumen.py": 24,
    "tests/kinerja/test_browser_tim.py": 23,
    "tests/skp/test_browser_journey.py": 22,
    "tests/a11y/test_live_updates.py": 22,
    "tests/kinerja/test_demo_aktivitas.py": 22,
    "tests/evaluasi/test_versi_rating.py": 21,
    "tests/perjanjian/test_browser_pk.py": 20,
    "tests/evaluasi/test_browser_evaluasi.py": 19,
    "tests/nonasn/test_browser_non_asn.py": 19,
    "tests/dokumen/test_verifikasi.py": 18,
    "tests/siasn/test_celery_browser.py": 18,
    "tests/dokumen/test_render_skp.py": 17,
    "tests/dialog/test_browser_log_harian.py": 17,
    "tests/evaluasi/test_browser_versi.py": 14,
    "tests/dialog/test_api_umpan_balik.py": 14,
    "tests/dokumen/test_worker.py": 14,
    "tests/dokumen/test_browser_evaluasi_dokumen.py": 14,
    "tests/cluster/test_migration_safety.py": 14,
    "tests/security/test_login_guard.py": 13,
    "tests/skp/test_browser_integrity.py": 13,
    "tests/security/test_properties.py": 13,
    "tests/dialog/test_browser_lintas_b19.py": 13,
    "tests/dokumen/test_api_dokumen.py": 12,
    "tests/dokumen/test_aturan_diterima_pdf.py": 12,
    "tests/skp/test_api_skp.py": 12,
    "tests/evaluasi/test_tasks_celery.py": 12,
    "tests/dokumen/test_browser_dokumen.py": 11,
    "tests/security/test_browser_identity.py": 11,
    "tests/skp/test_web_skp_workflow.py": 11,
    "tests/evaluasi/test_browser_aturan3_langkah.py": 11,
    "tests/dokumen/test_aturan3_perspektif.py": 10,
    "tests/skp/test_integrity_concurrency.py": 10,
    "tests/security/test_browser_lockout.py": 10,
    "tests/siasn/test_kirim.py": 10,
    "tests/a11y/test_keyboard_skp.py": 10,
    "tests/a11y/test_english_batch_exports.py": 9,
    "tests/test_celery_worker.py": 9,
    "tests/kinerja/test_api_tim.py": 8,
    "tests/dialog/test_browser_pemantauan.py": 8,
    "tests/evaluasi/test_api_evaluasi.py": 8,
    "tests/dialog/test_views_dokumentasi.py": 8,
    "tests/a11y/test_status_fragment.py": 8,
    "tests/nonasn/test_pejabat_non_asn.py": 8,
}


class _SlowestFirst(OrderedDict):  # type: ignore[type-arg]
    """xdist's work queue (file → tests): taking the next unit takes the slowest listed file left."""

    def popitem(self, last: bool = True) -> Any:
        if not last:
            known = [scope for scope in self if scope in SLOW_FILES]
            if known:
                scope = max(known, key=SLOW_FILES.__getitem__)
                return scope, self.pop(scope)
        return super().popitem(last=last)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Controller: ``--dist loadfile`` with the slowest files first; any other mode as xdist does."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    scheduler = LoadFileScheduling(config, log)
    scheduler.workqueue = _SlowestFirst(scheduler.workqueue)
    return scheduler
