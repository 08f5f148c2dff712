import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

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
import os  # noqa: E402

DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env("KINERJA_TEST_DB_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}"),  # noqa: F405
}
# The year-end hand-off renders every annual document: only the tests about it switch it on, and bulk
# tasks go to a queue of this process only (never to a developer's running worker).
EVALUASI_DOKUMEN_TAHUNAN_OTOMATIS = False
KINERJA_QUEUE_MASSAL = f"test-massal-{os.getpid()}"
