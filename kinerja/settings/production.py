from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
for _alias in DATABASES.values():  # noqa: F405
    _alias["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # A persistent connection killed by a PostgreSQL restart is noticed before the request uses it.
    _alias["CONN_HEALTH_CHECKS"] = True
SESSION_COOKIE_NAME = (
    "__Host-sessionid"  # Secure, host-only, path=/ (the CSRF cookie keeps its name: kinerja.js reads it)
)
# HSTS preload is a one-way door (the domain goes into browsers' built-in lists): opt in with
# DJANGO_SECURE_HSTS_PRELOAD=true once the domain is ready; until then the deploy check is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

KINERJA_PUBLIC_BASE_URL = env("KINERJA_PUBLIC_BASE_URL")
KINERJA_BASE_URL = KINERJA_PUBLIC_BASE_URL
KINERJA_DEMO_CA = env.bool("KINERJA_DEMO_CA", default=False)
