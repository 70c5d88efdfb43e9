"""Developer machine: `make run`. Debug on, a fixed insecure key unless one is given."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-insecure-key-do-not-use-in-production")
