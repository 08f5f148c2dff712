import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="kinerja-media-")
CELERY_TASK_ALWAYS_EAGER = False
CACHES["default"]["KEY_PREFIX"] = env("DJANGO_CACHE_PREFIX", default="kinerja-test")  # noqa: F405
ALLOWED_HOSTS = ["*"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "10000/min"}  # noqa: F405
