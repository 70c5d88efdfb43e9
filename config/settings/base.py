"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "core",
    "blocs",
    "rules",
    "documents",
    "scoring",
    "pledges",
    "awards",
    "meetings",
    "reports",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a logged-in user unless marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Authenticated pages and private downloads: Cache-Control: private, no-store.
    "core.middleware.PrivateCacheMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Refuses request bodies over the view's limit (UPLOAD_LIMITS) before they are read;
    # its __call__ runs before any process_view, i.e. before the CSRF check reads POST.
    "core.uploads.UploadLimitMiddleware",
    # Idle logged-in sessions end (SESSION_COOKIE_AGE after the last request).
    "core.auth.SessionIdleMiddleware",
    # Last, as django-axes requires: turns a locked-out attempt's page into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# The embedded default is a SQLite file; production sets DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A process keeps its database connection for DJANGO_CONN_MAX_AGE seconds instead of
# opening one per request (production: 60; 0 closes it after every request), and checks it
# before the first query of a request, so that a connection the server dropped (PostgreSQL
# restarted, backends terminated) is replaced instead of failing that request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
# Each language is named in itself, as a language switch should show it.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = "config.formats"  # dates read and shown dd/mm/yyyy (config/formats/)
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the npm registry at install time (`npm ci`), never copied into the repo.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Rendered documents are private: served only through permission-checked views.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Where media files (rendered documents, evidence) are kept: "file" (default), MEDIA_ROOT on
# this host's disk, shared by web and worker through a volume; "s3", an S3-compatible bucket
# through django-storages (the `s3` extra), so that web and worker nodes on several hosts
# share them (README, "Scaling out"). Files stay private: no public URL is handed out, every
# download goes through the permission-checked views.
MEDIA_STORAGE = env("DJANGO_MEDIA_STORAGE", default="file")
if MEDIA_STORAGE == "s3":
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DJANGO_MEDIA_S3_BUCKET"),
            "endpoint_url": env("DJANGO_MEDIA_S3_ENDPOINT_URL", default=None),
            "region_name": env("DJANGO_MEDIA_S3_REGION", default=None),
            "access_key": env("DJANGO_MEDIA_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("DJANGO_MEDIA_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("DJANGO_MEDIA_S3_PREFIX", default="media"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE == "file":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DJANGO_MEDIA_STORAGE must be 'file' or 's3', not {MEDIA_STORAGE!r}."
    )
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email("DJANGO_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="khoithidua@localhost")

# Celery: with REDIS_URL unset, tasks run in-process (eagerly) so a first run needs no broker.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A task taken by a worker that died without a trace (SIGKILL of the whole worker, its host
# lost) is handed to another worker this many seconds after it was taken (acks_late: it
# was never acknowledged). Longer than the longest task (CELERY_TASK_TIME_LIMIT), or a slow
# job would be run twice. A worker process killed inside a running worker (prefork pool)
# is requeued at once (CELERY_TASK_REJECT_ON_WORKER_LOST).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
}
# One cache for every process (gunicorn workers, Celery) when Redis is configured: Django's
# Redis backend on REDIS_CACHE_URL, by default REDIS_URL's server with database
# REDIS_CACHE_DB (1; Celery's broker keeps its queues in REDIS_URL's own database), under
# the key prefix "khoithidua". Without Redis, each process has its own memory cache. Used by
# the /verify/ rate limit, whose counts must be shared by all workers (it lets a check pass
# uncounted while the cache is unreachable). Short socket timeouts: an unreachable Redis
# makes a cache call fail quickly instead of hanging a request.
REDIS_CACHE_DB = env.int("REDIS_CACHE_DB", default=1)
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="") or (
    urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{REDIS_CACHE_DB}")) if REDIS_URL else ""
)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "khoithidua",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions stay in the database by default; "django.contrib.sessions.backends.cached_db"
# reads them through the shared cache (writes still go to the database).
SESSION_ENGINE = env("DJANGO_SESSION_ENGINE", default="django.contrib.sessions.backends.db")

# Liberation Serif 2.x (Debian: fonts-liberation2), metric-compatible with Times New Roman.
DOCUMENT_FONT_DIR = env("DOCUMENT_FONT_DIR", default="/usr/share/fonts/truetype/liberation2")
# A job pending or running longer than this is treated as lost and may be retried.
DOCUMENT_JOB_STALE_SECONDS = env.int("DOCUMENT_JOB_STALE_SECONDS", default=600)
DOCUMENTS_QUEUE = env("DOCUMENTS_QUEUE", default="celery")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "forbidden_one_line": {"()": "core.log_filters.ForbiddenOneLine"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "loggers": {
        # Django's default also gives "django" a console handler (DEBUG only), which printed
        # every record a second time beside the root's: keep only its mail to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A 403 is logged as one line, without the PermissionDenied traceback.
        "django.request": {"filters": ["forbidden_one_line"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- scoring settings ---
# Evidence files attached to scores (stored through Django's default storage, served only
# through permission-checked views).
SCORING_EVIDENCE_MAX_BYTES = env.int("SCORING_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
SCORING_EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "odt"]
SCORING_IMPORT_MAX_BYTES = 2 * 1024 * 1024
# A table import is refused before any row is parsed when its .xlsx would expand to more
# than this (sum of the zip members' sizes) or its first worksheet has more rows.
SCORING_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "SCORING_IMPORT_MAX_UNCOMPRESSED_BYTES", default=10 * 1024 * 1024
)
SCORING_IMPORT_MAX_ROWS = env.int("SCORING_IMPORT_MAX_ROWS", default=2000)
SCORING_COMMENT_MAX_LENGTH = 2000

# --- uploads settings ---
# core.uploads.UploadLimitMiddleware answers 413 before reading a request body whose
# Content-Length passes the limit of the view it is sent to: the file limit named below
# (URL name -> setting holding bytes) plus UPLOAD_FORM_OVERHEAD_BYTES for the form's other
# fields; any other URL: UPLOAD_DEFAULT_MAX_BYTES. LimitedUploadHandler stops a file that
# passes its limit while arriving (a missing or false Content-Length).
PLEDGE_VERIFY_MAX_BYTES = env.int("PLEDGE_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_LIMITS = {
    "pledges:verify": "PLEDGE_VERIFY_MAX_BYTES",
    "scoring:evidence_upload": "SCORING_EVIDENCE_MAX_BYTES",
    "scoring:table_import": "SCORING_IMPORT_MAX_BYTES",
    "awards:proposal_item_report": "SCORING_EVIDENCE_MAX_BYTES",
}
UPLOAD_DEFAULT_MAX_BYTES = env.int("UPLOAD_DEFAULT_MAX_BYTES", default=2_621_440)  # 2.5 MB
UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- pledges settings ---
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {}
# Reminders to leaders who have not signed an open pledge, sent by Celery beat at
# PLEDGE_REMINDER_HOUR:PLEDGE_REMINDER_MINUTE (Asia/Ho_Chi_Minh) while the deadline is at
# most PLEDGE_REMINDER_DAYS_BEFORE days away; at most one e-mail per person and day.
PLEDGE_REMINDER_DAYS_BEFORE = env.int("PLEDGE_REMINDER_DAYS_BEFORE", default=7)
PLEDGE_REMINDER_HOUR = env.int("PLEDGE_REMINDER_HOUR", default=8)
PLEDGE_REMINDER_MINUTE = env.int("PLEDGE_REMINDER_MINUTE", default=0)
CELERY_BEAT_SCHEDULE["pledge-reminders"] = {
    "task": "pledges.tasks.pledge_reminders_send_task",
    "schedule": crontab(hour=PLEDGE_REMINDER_HOUR, minute=PLEDGE_REMINDER_MINUTE),
}
# The day-before reminder of a meeting (meetings held tomorrow, local date), once per meeting.
CELERY_BEAT_SCHEDULE["meeting-reminders"] = {
    "task": "meetings.tasks.meeting_reminders_send_task",
    "schedule": crontab(hour=PLEDGE_REMINDER_HOUR, minute=PLEDGE_REMINDER_MINUTE),
}
# Absolute address of the site, for links in e-mails and the QR code of the signed PDF.
PLEDGE_PUBLIC_BASE_URL = env("PLEDGE_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# The organisation certificate (PKCS#12) that digitally signs (PAdES) the pledge PDF.
# Unset: the PDF is produced without a digital signature and the pages say so.
PLEDGE_SIGNING_PKCS12_PATH = env("PLEDGE_SIGNING_PKCS12_PATH", default="")
PLEDGE_SIGNING_PKCS12_PASSPHRASE = env("PLEDGE_SIGNING_PKCS12_PASSPHRASE", default="")
# Number of reverse proxies in front of the site that append to X-Forwarded-For. 0: the
# signature records REMOTE_ADDR; N > 0: the N-th address from the right of X-Forwarded-For
# (the one the outermost trusted proxy appended), REMOTE_ADDR if the header is unusable.
PLEDGE_TRUSTED_PROXY_COUNT = env.int("PLEDGE_TRUSTED_PROXY_COUNT", default=0)
# The public verification page answers at most PLEDGE_VERIFY_RATE_LIMIT checks (by code or
# by upload) per client address (IPv6: per /64) in each PLEDGE_VERIFY_RATE_WINDOW_SECONDS
# window, counted in the default cache; more are refused with 429 until the window ends.
PLEDGE_VERIFY_RATE_LIMIT = env.int("PLEDGE_VERIFY_RATE_LIMIT", default=20)
PLEDGE_VERIFY_RATE_WINDOW_SECONDS = env.int("PLEDGE_VERIFY_RATE_WINDOW_SECONDS", default=600)

# --- security headers settings ---
from csp import constants as csp  # noqa: E402

# Content-Security-Policy (django-csp 4): scripts and styles only from files of this site,
# never inline, so that injected markup cannot run. The grid's JSON data islands
# (<script type="application/json">) are data, not scripts, and need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        # Bootstrap's form controls draw their icons as data: SVG images.
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

# --- login throttling and sessions settings ---
import datetime as _dt  # noqa: E402

# django-axes counts failed password checks (the login page, the admin login, the pledge
# signing password, the old password of a password change: one counter, core/auth.py).
# After LOGIN_FAILURE_LIMIT failures for one account, or from one client address (each
# counted on its own), further attempts, a right password included, are refused for
# LOGIN_COOLOFF_MINUTES with a message saying when to try again. Admins unlock early by
# deleting the rows in admin "Axes > Access attempts" (or `manage.py axes_reset_username`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("LOGIN_THROTTLE_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts during a lock are refused without being counted, so the lock ends at the time the
# message announced instead of moving on with every refused try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the count: reset by address would let an attacker with an account
# of their own clear their address between guesses at others' passwords.
AXES_RESET_ON_SUCCESS = False
# The client address by the same trusted-proxy rule as the signatures
# (PLEDGE_TRUSTED_PROXY_COUNT), so that a forged X-Forwarded-For cannot dodge the lock;
# an IPv6 client is counted per /64.
AXES_CLIENT_IP_CALLABLE = "core.auth.throttle_address"
# The refused page is the form itself with the message next to the password, as a 429.
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# Logged-in sessions end DJANGO_SESSION_IDLE_SECONDS (default 8 hours) after the last
# request, to the minute: core.auth.SessionIdleMiddleware moves the end forward at most
# once a minute.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_SECONDS", default=8 * 3600)
