"""Base settings: everything env-driven (django-environ, DJANGO_ prefix)."""

import socket
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
ENV_FILE = BASE_DIR / ".env"
if ENV_FILE.exists():
    environ.Env.read_env(str(ENV_FILE))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: stored as digests, expiring (REST_KNOX below)
    "drf_spectacular",
    "guardian",
    "axes",
    "django_htmx",
    "kinerja",
    "perjanjian",
    "skp",
    "dialog",
    "evaluasi",
]

MIDDLEWARE = [
    "kinerja.middleware.NodeHeaderMiddleware",  # X-Kinerja-Node on every response (api-contract.md section 8)
    "django.middleware.security.SecurityMiddleware",
    "kinerja.request_guard.BodySizeLimitMiddleware",  # 413 before reading an oversized body
    "kinerja.request_guard.NulByteMiddleware",  # NUL in path/query/headers: 400, not a psycopg 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kinerja.security_headers.SecurityHeadersMiddleware",  # CSP (nonce) + Permissions-Policy
    "kinerja.resilience.ServiceUnavailableMiddleware",  # DB down / task queue down: 503, not 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.middleware.IndonesianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kinerja.middleware.PublicBaseUrlMiddleware",  # links in documents/e-mails: the address used
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kinerja.tenancy.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The web node's name in the X-Kinerja-Node header (`make cluster` names its gunicorn nodes web1, web2).
KINERJA_NODE_NAME = env("KINERJA_NODE_NAME", default="") or socket.gethostname()

ROOT_URLCONF = "kinerja.urls"
WSGI_APPLICATION = "kinerja.wsgi.application"
ASGI_APPLICATION = "kinerja.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinerja.context_processors.kinerja",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/kinerja"),
}
# A streaming read replica for explicitly marked reads (kinerja/replica.py: HR reports, exports, the
# batch's dry run, document rendering). Without REPLICA_DATABASE_URL the alias is the primary's settings
# and kinerja.replica uses the primary's connection itself (no second connection, read-your-writes).
KINERJA_REPLICA_CONFIGURED = bool(env("REPLICA_DATABASE_URL", default=""))
DATABASES["replica"] = (
    env.db("REPLICA_DATABASE_URL") if KINERJA_REPLICA_CONFIGURED else dict(DATABASES["default"])
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests never create or migrate a replica database
KINERJA_READ_REPLICAS = ("replica",)  # aliases that follow the primary's tenant state (kinerja.rls)
DATABASE_ROUTERS = ["kinerja.replica.ReplicaRouter"]
# Seconds a replica that failed to connect is skipped (reads go to the primary meanwhile).
KINERJA_REPLICA_RETRY_SECONDS = env.int("KINERJA_REPLICA_RETRY_SECONDS", default=30)
# PgBouncer in transaction mode between the app and PostgreSQL (docs/operations.md): no server-side
# cursors, and the row-level-security state set per transaction, never for the session.
KINERJA_RLS_TRANSACTION_LOCAL = env.bool("DJANGO_DB_TRANSACTION_POOLING", default=False)
for _alias in DATABASES.values():
    _alias["ENGINE"] = "kinerja.db"  # Django's PostgreSQL backend + the RLS transaction hooks
    _alias["ATOMIC_REQUESTS"] = False
    _alias["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
    _alias["DISABLE_SERVER_SIDE_CURSORS"] = KINERJA_RLS_TRANSACTION_LOCAL
    _alias.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL row-level security (kinerja/rls.py): requests and tenant tasks run as the role
# kinerja_app with their instansi set. Off = emergency switch (no SET ROLE; policies stay installed).
KINERJA_RLS = env.bool("DJANGO_KINERJA_RLS", default=True)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # RedisCache that treats an unreachable Redis as an empty cache (pages keep working).
        "BACKEND": "kinerja.resilience.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", default="kinerja"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

AUTH_USER_MODEL = "kinerja.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kinerja.identity.IdentityModelBackend",  # ModelBackend under the database wall (kinerja/identity.py)
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # The user model has no `username`: compare with the NIP, the name and the e-mail.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("nip", "nama", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: its password_changed() hook revokes every API token of the user (any path that sets one).
    {"NAME": "kinerja.password_validation.CabutTokenSaatKataSandiDiganti"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Reverse proxies in front of the app that append to X-Forwarded-For (0: ignore the header). Every
# rate limit and lockout keys on kinerja.client_ip.client_ip (docs/security.md, "Login dan pembatasan").
KINERJA_TRUSTED_PROXIES = env.int("KINERJA_TRUSTED_PROXIES", default=0)
# Login guard (kinerja/auth.py), both login paths: failures per client address (count, seconds); per
# NIP: free failures, then waits of base * 2^k seconds up to the cap; failures forgotten after MEMORY s.
KINERJA_LOGIN_IP_LIMIT = (env.int("KINERJA_LOGIN_IP_FAILURES", default=30), 600)
KINERJA_LOGIN_NIP_FREE = env.int("KINERJA_LOGIN_NIP_FREE", default=5)
KINERJA_LOGIN_NIP_DELAY = (60, env.int("KINERJA_LOGIN_NIP_DELAY_MAX", default=900))
KINERJA_LOGIN_NIP_MEMORY = 24 * 3600
KINERJA_LOGIN_GUARD_NAMESPACE = "v1"
# Proposals of penugasan to a pegawai of another instansi (dialog/services/penugasan_lintas.py), per
# user, page and API alike, failed NIP lookups included: at most PER_JAM an hour and PER_HARI a day
# (fixed windows in the cache, i.e. Redis; they fail open when Redis is down).
KINERJA_LINTAS_PER_JAM = env.int("KINERJA_LINTAS_PER_JAM", default=10)
KINERJA_LINTAS_PER_HARI = env.int("KINERJA_LINTAS_PER_HARI", default=30)

# django-axes: the database-backed backstop of the login guard (per NIP + address; works without Redis).
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("DJANGO_AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kinerja.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "kinerja.client_ip.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "kinerja.auth.lockout_response"
AXES_VERBOSE = False
AXES_HANDLER = "kinerja.identity.IdentityAxesHandler"  # its tables are visible only while authenticating

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / ".data" / "staticfiles")))
WHITENOISE_ROOT = BASE_DIR / "static" / "root"  # /favicon.ico for clients that ask the root for it
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media-not-public/"  # files are served only through access-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KINERJA_IMPORT_MAX_BYTES = env.int("DJANGO_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kinerja.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "kinerja.api.schema.KinerjaAutoSchema",
    "EXCEPTION_HANDLER": "kinerja.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "kinerja.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"login": env("DJANGO_LOGIN_THROTTLE", default="30/min")},
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; a token expires after
# KINERJA_TOKEN_TTL_DAYS without use (sliding: each use moves the expiry, written at most once a
# minute), and never lives longer than KINERJA_TOKEN_MAX_TTL_DAYS after login (0 = no cap).
# Header stays "Authorization: Token <token>" (api-contract.md section 3).
KINERJA_TOKEN_TTL_DAYS = env.float("KINERJA_TOKEN_TTL_DAYS", default=30)
KINERJA_TOKEN_MAX_TTL_DAYS = env.float("KINERJA_TOKEN_MAX_TTL_DAYS", default=0)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=KINERJA_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=KINERJA_TOKEN_MAX_TTL_DAYS)
    if KINERJA_TOKEN_MAX_TTL_DAYS
    else None,
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kinerja API",
    "DESCRIPTION": "Pengelolaan Kinerja Pegawai ASN (PermenPANRB 6/2022)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "evaluasi.scoring.Rating.choices",
        "JenisCatatanEnum": "dialog.models.JenisCatatan.choices",
        "JenisRhkEnum": "skp.models.JenisRhk.choices",
        "StatusPenugasanEnum": "dialog.models.StatusPenugasan.choices",
        "StatusLintasEnum": "dialog.models.StatusLintas.choices",
        "StatusTindakLanjutEnum": "dialog.models.StatusTindakLanjut.choices",
    },
}
# No 500 on malformed input (issue #15): deep/NUL JSON is a 400, OPTIONS never introspects serializers.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "kinerja.api.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
REST_FRAMEWORK["DEFAULT_METADATA_CLASS"] = "kinerja.api.metadata.KinerjaMetadata"
# The schema declares every status an operation can answer (checked by schemathesis in CI).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "kinerja.api.schema.tambah_respons_galat",
]
# Outer wall above every per-purpose upload limit (imports 20 MB + multipart overhead): 413 unread.
KINERJA_MAX_REQUEST_BYTES = env.int("DJANGO_MAX_REQUEST_BYTES", default=25 * 1024 * 1024)

# Celery: JSON only, global time limits, tasks take ids.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing while Redis is down fails within a second (default: ~20 s of retries inside the
# request), and TenantTask turns it into TaskQueueUnavailable (503 / enqueue_safely).
_FAST_FAIL = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _FAST_FAIL
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _FAST_FAIL}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind of work (kinerja/queues.py, docs/scaling.md): a year-end batch or a 1,000-PDF ZIP never
# delays a feedback e-mail. `make run` starts one worker consuming all of them, `make cluster` and
# docker-compose one worker per queue.
KINERJA_QUEUES = {
    "interactive": env("KINERJA_QUEUE_INTERACTIVE", default="interactive"),
    "documents": env("KINERJA_QUEUE_DOCUMENTS", default="documents"),
    "batch": env("KINERJA_QUEUE_BATCH", default="batch"),
    "periodic": env("KINERJA_QUEUE_PERIODIC", default="periodic"),
    "bulk_email": env("KINERJA_QUEUE_BULK_EMAIL", default="bulk_email"),
}
CELERY_TASK_DEFAULT_QUEUE = KINERJA_QUEUES["interactive"]
CELERY_TASK_ROUTES = ("kinerja.queues.route_task",)
# The batch's notification e-mails: tasks (of up to 500 e-mails) per minute per worker process, matched
# to the SMTP relay's quota. A single feedback e-mail is on the interactive queue and not limited.
KINERJA_BULK_EMAIL_RATE = env("KINERJA_BULK_EMAIL_RATE", default="12/m")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sinkron-delegasi-harian": {
        "task": "kinerja.tasks.delegasi_sync_all_task",
        "schedule": 60 * 60,
    },
    "sinkron-izin-penugasan": {
        "task": "dialog.tasks.penugasan_izin_sync_all_task",
        "schedule": 60 * 60,
    },
    "pengingat-akhir-periode": {
        "task": "dialog.tasks.pengingat_periode_all_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "antrean-tugas-tertunda": {  # jobs started while Redis was down start once it is back
        "task": "kinerja.tasks.job_antri_sweep_task",
        "schedule": 60,
    },
    "pekerjaan-tanpa-worker": {  # running jobs whose worker died are failed with a message
        "task": "kinerja.tasks.job_mati_sweep_task",
        "schedule": 60,
    },
    "pengingat-log-harian": {  # per-instansi setting, off by default (dialog.services.log_harian)
        "task": "dialog.tasks.log_harian_pengingat_all_task",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon-fri"),
    },
    "digest-harian": {
        "task": "dialog.tasks.digest_harian_all_task",
        "schedule": crontab(hour=17, minute=0),
    },
}

CELERY_BEAT_SCHEDULE["token-kedaluwarsa-hapus"] = {  # expired API tokens (rejected anyway): delete the rows
    "task": "kinerja.tasks.token_purge_expired_task",
    "schedule": crontab(hour=2, minute=30),
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="kinerja@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 10)  # one working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (kinerja/security_headers.py). Every asset is vendored under /static/.
KINERJA_CSP_REPORT_ONLY = env.bool("DJANGO_CSP_REPORT_ONLY", default=False)
KINERJA_CSP_EXEMPT = ["/api/docs/"]  # Swagger UI loads its assets from a CDN
KINERJA_CSP_SCRIPT_HASHES = [
    # templates/evaluasi/laporan_unit.html: onchange="this.form.submit()"
    "sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY=",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
ADMIN_URL = env("DJANGO_ADMIN_URL", default="django-admin/")

# Public address printed in QR codes and e-mail links.
# Empty: links in documents use the address each request came in on (kinerja.base_url); set it in production.
KINERJA_PUBLIC_BASE_URL = env("KINERJA_PUBLIC_BASE_URL", default="")
KINERJA_BASE_URL = KINERJA_PUBLIC_BASE_URL
# Demo signing CA per instansi, generated on first use; production must configure KINERJA_P12_<KODE>.
KINERJA_DEMO_CA = env.bool("KINERJA_DEMO_CA", default=True)
# After the year-end batch, render and sign every final annual evaluation document and the Penetapan
# Predikat of every unit (evaluasi.hooks.on_tahunan_finalised), in tasks of this many evaluations.
# Off: documents are rendered on first request only (GET evaluasi/<id>/dokumen/).
EVALUASI_DOKUMEN_TAHUNAN_OTOMATIS = env.bool("KINERJA_DOKUMEN_TAHUNAN_OTOMATIS", default=True)
EVALUASI_DOKUMEN_CHUNK = env.int("KINERJA_DOKUMEN_CHUNK", default=20)
# Bulk work (the annual documents of a whole instansi) goes to this Celery queue, a PDF someone waits
# for to the "documents" queue (KINERJA_QUEUES). The documents workers consume both; Redis serves the
# queues of a worker in turn, so a user's PDF waits for at most one bulk chunk per worker process
# (EVALUASI_DOKUMEN_CHUNK documents, ~10 s), not for the whole batch.
KINERJA_QUEUE_MASSAL = env("KINERJA_QUEUE_MASSAL", default="massal")
# A running job silent this long (no progress write) lost its worker: kinerja.tasks.job_mati_sweep_task.
KINERJA_JOB_HEARTBEAT_TIMEOUT = env.int("KINERJA_JOB_HEARTBEAT_TIMEOUT", default=10 * 60)
