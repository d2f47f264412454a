"""Settings for the test suite: PostgreSQL when ``DATABASE_URL`` is set, SQLite otherwise."""

from .base import *  # noqa: F403
from .base import EMAIL_HOST, VAR_DIR, database_from_env
from .env import env_str

DEBUG = False
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": database_from_env(VAR_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the Celery worker and the live server in other processes or
    # threads must see the same database as the test.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not EMAIL_HOST:
    # A worker subprocess given EMAIL_HOST sends to the test's own SMTP server instead.
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Not the demo's queue: a test worker must not pick up the demo's messages.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "test-celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "test-celery" / "queue"),
        "processed_folder": str(VAR_DIR / "test-celery" / "processed"),
        "control_folder": str(VAR_DIR / "test-celery" / "control"),
        "store_processed": False,
    }
if CELERY_BROKER_URL.startswith("amqp://"):
    # AMQP heartbeats find a worker whose host vanished; a test's worker that is killed
    # has its connection closed by the kernel, which RabbitMQ sees at once. Without them
    # a worker stops in 2 s, not 11 (its event loop waits for the heartbeat's timer).
    CELERY_BROKER_HEARTBEAT = 0
WAGTAILADMIN_BASE_URL = "http://testserver"
# The web servers and workers that tests start need no search analysis before a first
# search, which loads the model anyway: they start without it (2 s, more when busy).
PRELOAD_SEARCH_ANALYSIS = False

# Serve static files straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
