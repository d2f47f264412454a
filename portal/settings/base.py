"""Settings shared by every environment.

Everything that differs between a first run on a laptop and production comes from
environment variables; when they are unset the embedded defaults apply: SQLite under
``var/``, a Celery broker on the filesystem, Wagtail's database search backend and
email written to files under ``var/mail/``.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_float, env_int, env_list, env_str, with_sender_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
# The embedded defaults (SQLite, mail files, the filesystem broker) live here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.accounts",
    "portal.organisation",
    "portal.media",
    "home",
    "portal.audit",
    "portal.integrations",
    "knowledge",
    "notices",
    "training",
    "decisions",
    "feedback",
    "contracts",
    "handover",
    "searchindex",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.accounts.apps.WagtailUsersConfig",  # wagtail.users, with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.http.ContentSecurityPolicyMiddleware",
    "portal.http.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.sessions.IdleTimeoutMiddleware",
    "portal.organisation.scoping.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.chrome",
            ],
        },
    },
]


def database_from_env(default_path: Path) -> dict:
    """``DATABASE_URL`` when set, else a SQLite file tuned for web, worker and beat at once."""
    url = env_str("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_path,
        "OPTIONS": {
            # Web, worker and beat write to the same file: wait for the lock instead of
            # failing, and take the write lock up front so transactions cannot deadlock.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": database_from_env(VAR_DIR / "portal.sqlite3")}
# PostgreSQL: the role web, worker and beat connect as (DATABASE_URL names it there). Set
# where migrate runs, as the owner, so every migrate grants it again: SELECT and INSERT
# only on the ledger, ordinary DML elsewhere (portal/audit/app_role.py, grant_app_role).
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE")
DATABASE_APP_PASSWORD = env_str("DATABASE_APP_PASSWORD")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.accounts.backends.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Shared PCs on a contact-centre floor: a session ends after 30 minutes without a request
# (``portal.accounts.sessions``: saved at most once a minute, stored that much longer).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_REFRESH_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins to one
# account from one address, that account is refused from that address until
# LOGIN_FAILURE_WINDOW_SECONDS have passed since the last failure. Counting per account
# alone would let anyone lock the real person out; per address alone would let a
# floor's shared address lock out every agent on it.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 100)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 60 * 60)
# Failures to one account from all addresses together before it is refused everywhere.
LOGIN_ACCOUNT_FAILURE_CEILING = env_int("LOGIN_ACCOUNT_FAILURE_CEILING", 1000)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.http.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"
# Successful sign-ins are not kept: nothing reads them, and they are personal data.
AXES_DISABLE_ACCESS_LOG = True
# No banner on every manage.py command; lockouts are still logged.
AXES_VERBOSE = False
# Proxies in front of the portal that append to X-Forwarded-For (see portal.http.client_ip):
# 0 trusts none of it. The TLS proxy in front of docker-compose's `web` counts as 1.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Internationalisation: Korean first, English a full second language.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "portal_language"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ko", "한국어"), ("en", "English")]

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Roster files of tens of thousands of rows are uploaded through the admin.
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Email: files under var/mail/ unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# The sender agents see in their inbox: a name, not a bare address. An address given
# without a name gets PORTAL_MAIL_SENDER_NAME (by default the portal's name).
DEFAULT_FROM_EMAIL = with_sender_name(
    env_str("DEFAULT_FROM_EMAIL", "portal@localhost"),
    env_str("PORTAL_MAIL_SENDER_NAME", env_str("PORTAL_SITE_NAME", "상담 지식 포털")),
)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Celery: Redis or RabbitMQ in production (README: "Choosing a broker"); a filesystem
# transport that needs no server otherwise.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Larger than any countdown or ETA a task is given, so Redis never redelivers early.
    # RabbitMQ has no such window (it redelivers when a worker's connection closes); the
    # off-boarding still reads this as how long a queued export may wait.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 60 * 60),
}
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    # A publish returns once RabbitMQ has taken the message (persistent, in a durable
    # queue), and a message it refuses raises instead of vanishing: what a worker queues
    # (a chunk of a fan-out, a retry) is never lost silently.
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"confirm_publish": True}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_celery_queue),
        "data_folder_out": str(_celery_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged once it has run, and handed back if its worker dies: delivery
# tasks are idempotent, so running one twice is safe and losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task whose broker connection drops runs to its end (RabbitMQ hands its message to
# another worker meanwhile, which finds the work claimed or done): cancelling it could
# stop it between an email sent and the email marked sent, which is then sent again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The attestation ledger (README: "Audit trail"). Records are keyed with AUDIT_KEY, which
# lives outside the database: whoever holds only the database cannot forge a record.
# Production refuses to start without it; first runs and tests use a fixed one.
AUDIT_KEY = env_str("AUDIT_KEY", "dev-only-audit-key-not-for-production-use-0123456789")
#: A record is chained by the sealer within this many seconds (verify_audit checks it).
AUDIT_MERGE_DELAY_SECONDS = env_int("AUDIT_MERGE_DELAY_SECONDS", 10)
#: Beat writes a checkpoint this often; verify_audit fails when records sealed more than
#: twice this long ago are in no checkpoint (checkpoints removed, or none written).
AUDIT_CHECKPOINT_EVERY_SECONDS = env_int("AUDIT_CHECKPOINT_EVERY_SECONDS", 60 * 60)
#: Checkpoints (chain length and head, keyed) are written here, outside the database.
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit")))
#: And also sent to these addresses and this URL (JSON POST), when set.
AUDIT_CHECKPOINT_EMAILS = env_list("AUDIT_CHECKPOINT_EMAILS")
AUDIT_CHECKPOINT_WEBHOOK = env_str("AUDIT_CHECKPOINT_WEBHOOK")

#: Records hand-over archives (``handover``): a private folder, never under MEDIA_ROOT;
#: the worker writes them and the web process serves them to client managers only.
HANDOVER_EXPORT_DIR = Path(env_str("HANDOVER_EXPORT_DIR", str(VAR_DIR / "handover")))
#: The release named in each hand-over archive's manifest (else the git commit, if any).
PORTAL_VERSION = env_str("PORTAL_VERSION")
#: An off-boarded vendor's records are kept this many days after its people's accounts
#: end; then beat erases their personal data (``handover.offboarding``). The default of
#: each off-boarding, which a client manager may change for one vendor.
OFFBOARDING_RETENTION_DAYS = env_int("OFFBOARDING_RETENTION_DAYS", 365)

#: Hour (local time) of the daily email telling owners which pages are due for review.
KNOWLEDGE_REVIEW_REMINDER_HOUR = env_int("KNOWLEDGE_REVIEW_REMINDER_HOUR", 9)
#: Hour (local time) of the daily digest of yesterday's decisions to policy owners.
DECISION_DIGEST_HOUR = env_int("DECISION_DIGEST_HOUR", 8)
CELERY_BEAT_SCHEDULE = {
    "record-worker-heartbeat": {
        "task": "home.record_worker_heartbeat",
        "schedule": 60.0,
    },
    "publish-scheduled-pages": {
        "task": "knowledge.publish_scheduled",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "accounts.clear_expired_sessions",
        "schedule": 60.0 * 60,
    },
    "forget-expired-sign-in-failures": {
        "task": "accounts.forget_expired_sign_in_failures",
        "schedule": 60.0 * 60,
    },
    "relay-notice-dispatches": {
        "task": "notices.relay_dispatches",
        "schedule": float(env_int("NOTICE_RELAY_EVERY_SECONDS", 30)),
    },
    "deliver-notices-to-newcomers": {
        "task": "notices.reach_newcomers",
        "schedule": float(env_int("NOTICE_NEWCOMERS_EVERY_SECONDS", 60 * 60)),
    },
    "send-notice-reminders": {
        "task": "notices.send_due_reminders",
        "schedule": float(env_int("NOTICE_REMINDER_EVERY_SECONDS", 15 * 60)),
    },
    "send-escalation-digests": {
        "task": "notices.send_escalation_digests",
        "schedule": crontab(hour=env_int("NOTICE_DIGEST_HOUR", 9), minute=0),
    },
    "send-training-nudges": {
        "task": "training.send_training_nudges",
        "schedule": crontab(hour=env_int("TRAINING_NUDGE_HOUR", 9), minute=5),
    },
    "send-cohort-alerts": {
        "task": "training.send_cohort_alerts",
        "schedule": crontab(hour=env_int("TRAINING_NUDGE_HOUR", 9), minute=10),
    },
    "record-readiness-snapshots": {
        "task": "training.record_readiness_snapshots",
        "schedule": float(env_int("TRAINING_SNAPSHOT_EVERY_SECONDS", 60 * 60)),
    },
    "seal-audit-records": {
        "task": "audit.seal",
        "schedule": float(env_int("AUDIT_SEAL_EVERY_SECONDS", 2)),
        # A seal that could not start in time is overtaken by the next one.
        "options": {"expires": float(env_int("AUDIT_SEAL_EVERY_SECONDS", 2))},
    },
    "write-audit-checkpoint": {
        "task": "audit.checkpoint",
        "schedule": float(AUDIT_CHECKPOINT_EVERY_SECONDS),
    },
    "send-review-reminders": {
        "task": "knowledge.send_review_reminders",
        "schedule": crontab(hour=KNOWLEDGE_REVIEW_REMINDER_HOUR, minute=15),
    },
    "send-decision-digests": {
        "task": "decisions.send_digests",
        "schedule": crontab(hour=DECISION_DIGEST_HOUR, minute=20),
    },
    # Reported actuals arrive in the first days of a month: looked at every morning.
    "send-missed-kpi-alerts": {
        "task": "contracts.send_missed_kpi_alerts",
        "schedule": crontab(hour=env_int("KPI_ALERT_HOUR", 9), minute=25),
    },
    # Accounts end on the chosen day, personal data goes when the retention runs out:
    # hourly, so a day's work is done within an hour of the day starting.
    "offboard-vendors": {
        "task": "handover.offboard_vendors",
        "schedule": 60.0 * 60,
    },
}

# Training and go-live readiness.
#: Remind agents with required training missing this many days before go-live.
TRAINING_NUDGE_DAYS = [
    int(d) for d in env_str("TRAINING_NUDGE_DAYS", "7,3,1").split(",") if d.strip().isdigit()
]
#: A cohort short of 100% this many days before go-live is reported at risk (once).
TRAINING_AT_RISK_DAYS = env_int("TRAINING_AT_RISK_DAYS", 3)

#: Routes /benchmark/write-floor for benchmarks/ack_load.py; never on in production.
BENCHMARK_WRITE_FLOOR = env_bool("BENCHMARK_WRITE_FLOOR", False)

# Change notices. All intervals in the environment so operations can tune them.
#: Remind unacknowledged agents this long before the due date (and again at it).
NOTICE_REMIND_BEFORE_HOURS = env_int("NOTICE_REMIND_BEFORE_HOURS", 24)
#: The at-due reminder goes out within this long after the due date, never later.
NOTICE_AT_DUE_WINDOW_HOURS = env_int("NOTICE_AT_DUE_WINDOW_HOURS", 24)
#: A dispatch still pending this long after its publish is re-queued by the relay.
NOTICE_RELAY_GRACE_SECONDS = env_int("NOTICE_RELAY_GRACE_SECONDS", 20)
#: A fan-out with unsent emails this long after it started is run again.
NOTICE_DISPATCH_STALE_SECONDS = env_int("NOTICE_DISPATCH_STALE_SECONDS", 15 * 60)
#: An email claimed this long ago by a worker that never marked it sent is sent again.
NOTICE_EMAIL_CLAIM_STALE_SECONDS = env_int("NOTICE_EMAIL_CLAIM_STALE_SECONDS", 5 * 60)
#: Emails marked sent per UPDATE: also the most a worker killed mid-chunk can send twice.
NOTICE_EMAIL_MARK_BATCH = env_int("NOTICE_EMAIL_MARK_BATCH", 50)
NOTICE_WEBHOOK_TIMEOUT = env_int("NOTICE_WEBHOOK_TIMEOUT", 10)
#: A page says "최근 변경 / Recently changed" for this many days after a change took effect.
CHANGE_RECENT_DAYS = env_int("CHANGE_RECENT_DAYS", 14)
#: The domain of the stable Message-IDs that make a repeated email recognisable.
PORTAL_MAIL_DOMAIN = env_str("PORTAL_MAIL_DOMAIN", "portal.local")

# Search: Wagtail's database backend unless an Elasticsearch cluster is configured.
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
# Text is analysed in Python (knowledge.korean) before it reaches the index, so the
# database only matches tokens: the "simple" configuration, no second stemming.
# The agents' search ranks with BM25F over the portal's own index (searchindex), the same
# on every database. K1: how fast repeated words stop adding (higher: counts matter more);
# B: how much a long page is discounted (0: not at all, 1: fully); FIELD_WEIGHTS: a word
# in the title counts this many times a word in the body; PHRASE_WEIGHT: what two
# neighbouring words matched in order add, against one word; GRAM_WEIGHT: what two
# syllables of a word add (they only re-rank pages that match on words). Tuned on KorQuAD 1.0
# (benchmarks/search_quality.py). After changing K1, B or FIELD_WEIGHTS, run
# `manage.py rebuild_search_index --impacts-only` (README: "Search ranking").
SEARCH_RANKING = {
    "K1": env_float("SEARCH_K1", 0.9),
    "B": env_float("SEARCH_B", 0.75),
    "FIELD_WEIGHTS": {"title": 3.0, "summary": 1.5, "body": 1.0, "scripts": 1.2},
    "PHRASE_WEIGHT": env_float("SEARCH_PHRASE_WEIGHT", 0.4),
    "GRAM_WEIGHT": env_float("SEARCH_GRAM_WEIGHT", 0.5),
}
#: Web and worker processes load Kiwi's model as they start (``searchindex.korean.preload``).
PRELOAD_SEARCH_ANALYSIS = True

# With ELASTICSEARCH_URL set, the agents' search runs on Elasticsearch with nori
# (knowledge.elastic): searches read the alias ELASTICSEARCH_INDEX, and a search not
# answered within ELASTICSEARCH_TIMEOUT seconds is ranked by the portal's own index.
ELASTICSEARCH_INDEX = env_str("ELASTICSEARCH_INDEX", "portal")
ELASTICSEARCH_TIMEOUT = env_float("ELASTICSEARCH_TIMEOUT", 2.0)
# After a search it could not answer, Elasticsearch is left alone this many seconds: a
# hung server costs one search the timeout, not every search.
ELASTICSEARCH_RETRY_AFTER = env_int("ELASTICSEARCH_RETRY_AFTER", 30)
if ELASTICSEARCH_URL:
    # The catch-up for whatever a lost sync task or a broker that was down left behind:
    # every document rewritten from the database, at night.
    CELERY_BEAT_SCHEDULE["rebuild-search-index"] = {
        "task": "knowledge.rebuild_search_index",
        "schedule": crontab(hour=env_int("ELASTICSEARCH_REINDEX_HOUR", 3), minute=30),
    }
# The admin's search stays on the database whatever the agents' search runs on: editors
# search drafts and snippets, which the agents' index never holds, and a second index
# family (Wagtail's, without nori) would be one more thing to keep in step.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}

# Content-Security-Policy (django-csp), in every environment so the tests run under it.
# Scripts come from our own files only: the portal's templates have no inline script or
# event handler, and must keep it so. Inline styles are allowed: the progress bars set
# their width in a style attribute, and Wagtail's admin sets styles from its scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # Pages embed videos (the "Video" block) from these players, and nothing else.
        "frame-src": [
            SELF,
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
        ],
        # As X_FRAME_OPTIONS = "DENY"; Wagtail's previews alone may be framed by the admin
        # itself (portal.http.ContentSecurityPolicyMiddleware).
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
#: Directives that replace the above under the Wagtail admin's URL: its templates start
#: panels and widgets (inline panels, date pickers, choosers) with inline scripts.
CONTENT_SECURITY_POLICY_ADMIN = {"script-src": [SELF, UNSAFE_INLINE]}

# Wagtail
WAGTAIL_SITE_NAME = env_str("PORTAL_SITE_NAME", "상담 지식 포털")
WAGTAILADMIN_BASE_URL = env_str("PORTAL_BASE_URL", "http://localhost:8000")
WAGTAILIMAGES_IMAGE_MODEL = "media.PortalImage"
WAGTAILADMIN_USER_LOGIN_FORM = "portal.accounts.forms.AdminLoginForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "hwp", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Always through Wagtail's view and its hook (portal.media.access), never a direct URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_PASSWORD_RESET_ENABLED = True
# Avatars from an outside service would leak who uses the admin, and fail offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Likewise the superuser's dashboard asking releases.wagtail.org for new versions, which
# the Content-Security-Policy (connect-src 'self') refuses anyway.
WAGTAIL_ENABLE_UPDATE_CHECK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # Wagtail logs every page edit at INFO; imports would drown in it.
        "wagtail": {"level": "WARNING"},
    },
}
