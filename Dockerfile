# Production image for web, worker and beat (see docker-compose.yml). Base images pinned
# to a release; Python packages installed exactly from uv.lock (hashes checked).
FROM node:20.19.5-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH
# WeasyPrint's system libraries (Pango, HarfBuzz), the document fonts and gettext.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 \
        fonts-liberation2 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first (a layer that changes only with the lock): uv as the lock pins it,
# then the runtime set and the s3 extra (DJANGO_MEDIA_STORAGE=s3), without the dev tools.
# The code itself is run from /app (PYTHONPATH), not installed as a package.
COPY pyproject.toml uv.lock ./
COPY deploy/uv_requirement.py deploy/
RUN python deploy/uv_requirement.py uv.lock > /tmp/uv-requirement.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/uv-requirement.txt \
    && uv sync --locked --no-install-project --no-cache --extra s3
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN DJANGO_SECRET_KEY=build-only python manage.py compilemessages --ignore=node_modules -v0 \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 1000 app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
