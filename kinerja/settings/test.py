import os
import re
import tempfile
from pathlib import Path

# pytest-xdist (`make test` runs two workers): each worker gets its own Redis database, so a test that
# clears the cache, or counts keys, or queues tasks, never sees the other worker's. Set in the
# environment before the base settings read it, so subprocesses (manage.py, a Celery worker) that a
# test starts with this environment use the same database.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and os.environ.get("REDIS_URL", "").startswith("redis://"):
    _db = 1 + int(_xdist_worker[2:] or 0)
    os.environ["REDIS_URL"] = re.sub(r"(/\d*)?$", f"/{_db}", os.environ["REDIS_URL"].split("?")[0], count=1)

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kinerja-media-"))
CELERY_TASK_ALWAYS_EAGER = False
CACHES["default"]["KEY_PREFIX"] = env("DJANGO_CACHE_PREFIX", default="kinerja-test")  # noqa: F405
ALLOWED_HOSTS = ["*"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "10000/min"}  # noqa: F405

# One test database per pytest process, so parallel runs (several developers' or agents' shells on
# one machine) never drop each other's database. pytest-django destroys it at the end of the run.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env("KINERJA_TEST_DB_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}"),  # noqa: F405
}
# The year-end hand-off renders every annual document: only the tests about it switch it on, and bulk
# tasks go to a queue of this process only (never to a developer's running worker).
EVALUASI_DOKUMEN_TAHUNAN_OTOMATIS = False
KINERJA_QUEUE_MASSAL = f"test-massal-{os.getpid()}"

# Test databases are thrown away: commits need not wait for the WAL flush (300 commits: 0.56 s → 0.13 s).
for _alias in DATABASES.values():  # noqa: F405
    _opts = _alias.setdefault("OPTIONS", {})
    _opts["options"] = f"{_opts.get('options', '')} -c synchronous_commit=off".strip()
