# The portal's application image: web (gunicorn), Celery worker and beat share it.
FROM python:3.11-slim

# State (media, beat schedule) lives under PORTAL_VAR_DIR, which may be a volume;
# collected static files are part of the image, so they sit outside it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/var/lib/portal \
    STATIC_ROOT=/app/static-collected \
    WEB_CONCURRENCY=3

WORKDIR /app
# The lock pins every transitive dependency with hashes; --no-deps keeps it the only source.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock

COPY . .
# collectstatic needs a secret only to import the settings; this one never serves a request.
RUN SECRET_KEY=build-only-not-a-secret AUDIT_KEY=build-only-not-a-key python manage.py collectstatic --noinput \
    && useradd --system --create-home portal \
    && mkdir -p /var/lib/portal/media /var/lib/portal/audit /var/lib/portal/handover \
    && chown -R portal /var/lib/portal
USER portal

EXPOSE 8000
# Workers come from WEB_CONCURRENCY (gunicorn reads it); heartbeat files in memory, not on
# the container's overlay filesystem, so a slow disk cannot make workers look dead.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
