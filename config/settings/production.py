"""Production (docker-compose). Refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

# WhiteNoise serves the collected static files (collectstatic runs in the Dockerfile).
MIDDLEWARE = [
    MIDDLEWARE[0],  # noqa: F405 - SecurityMiddleware stays first
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]

STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,  # noqa: F405 - base: DJANGO_MEDIA_STORAGE
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Persistent database connections (base.py): 60 s unless DJANGO_CONN_MAX_AGE says otherwise.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)  # noqa: F405
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS only (behind the TLS-terminating proxy, which sets X-Forwarded-Proto). The
# container healthchecks call http://127.0.0.1:8000/readyz/ (web) and /livez/ (through the
# proxy) and must not be redirected; nor is /healthz/, for monitors inside the network.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^livez/$", r"^readyz/$"]
# Browsers remember to use HTTPS only (default one year). Preload only takes effect when
# the site's registrable domain is submitted to the browsers' list; set
# DJANGO_SECURE_HSTS_PRELOAD=false to leave the token out.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Server errors are mailed to these addresses (comma-separated), with the traceback;
# users see only a reference (templates/500.html).
ADMINS = [(address, address) for address in env.list("DJANGO_ADMINS", default=[])]
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)  # noqa: F405

# Sessions read through the shared cache (Redis), written to the database: the load test's
# profile put a database read of the session on every request.
SESSION_ENGINE = env(  # noqa: F405
    "DJANGO_SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db"
)
