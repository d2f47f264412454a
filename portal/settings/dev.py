"""First-run settings: ``make demo`` and local work. Never used in production."""

from .base import *  # noqa: F403
from .env import env_str

DEBUG = True
# Development only: production refuses to start without SECRET_KEY (see production.py).
SECRET_KEY = env_str("SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["*"]

# Serve static files straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
