# The portal's application image: web (gunicorn), Celery worker and beat share it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/var/lib/portal

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
# collectstatic needs a secret only to import the settings; this one never serves a request.
RUN SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput

RUN useradd --system --home /app portal \
    && mkdir -p /var/lib/portal/media \
    && chown -R portal /var/lib/portal
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
