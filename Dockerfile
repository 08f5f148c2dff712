# syntax=docker/dockerfile:1
# Production image: gunicorn web, Celery worker and beat all run from this image (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=kinerja.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/media \
    PORT=8000

# WeasyPrint needs Pango/HarfBuzz; DejaVu for PDF text; gettext for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=app:app . .
# Compile translations at build time (settings.local: importable without production secrets).
RUN if find . -name '*.po' -not -path './.venv/*' | grep -q .; then \
      DJANGO_SETTINGS_MODULE=kinerja.settings.local python manage.py compilemessages --ignore .venv --ignore .data; \
    fi \
 && mkdir -p /app/staticfiles /app/media \
 && chown -R app:app /app

USER app
EXPOSE 8000
# Healthchecks are defined per service in docker-compose.yml (web: scripts/healthcheck.py).
# docker-compose.yml overrides this for the web service to migrate + collectstatic first.
CMD ["sh", "-c", "exec gunicorn kinerja.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --forwarded-allow-ips='*'"]
