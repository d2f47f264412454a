"""Settings come from the environment; production refuses to run insecurely.

Settings are read once, at import: each case imports the settings module afresh, in this
process, with only the environment it names (``load``). Django's deploy check alone runs
in a process of its own.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SECRET = "prod-secret-" + "x7Qp2Lm9Zr4Tb8Vn1Kc6Hs3Jd5Wf0Ya" * 2
AUDIT_KEY = "prod-audit-" + "Gh4Rt8Yu2Io6Pl0Kj3Mn7Bv1Cx5Za9Q" * 2
# Nothing else from the outer environment: not the CI's services, nor a test's switches.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


@pytest.fixture
def load(monkeypatch, tmp_path):
    """``load(module, **env)``: the settings module as a fresh import sees ``env``; the
    environment and the modules already imported are as they were after the test."""

    def load(module="portal.settings.dev", **env):
        for name in list(os.environ):
            if name not in KEPT:
                monkeypatch.delenv(name)
        for name, value in {"PORTAL_VAR_DIR": str(tmp_path), **env}.items():
            monkeypatch.setenv(name, value)
        for name in ("portal.settings.base", module):
            # Recorded first, so that the module (or its absence) is put back afterwards.
            monkeypatch.setitem(sys.modules, name, None)
            del sys.modules[name]
            package, _, attribute = name.rpartition(".")
            monkeypatch.setattr(sys.modules[package], attribute, None, raising=False)
        return importlib.import_module(module)

    return load


def shown(settings) -> dict:
    """The settings the environment chooses, by short name."""
    db = settings.DATABASES["default"]
    search = settings.WAGTAILSEARCH_BACKENDS["default"]
    return {
        "engine": db["ENGINE"], "name": str(db["NAME"]), "user": db.get("USER", ""),
        "password": db.get("PASSWORD", ""), "host": db.get("HOST", ""), "port": db.get("PORT", ""),
        "broker": settings.CELERY_BROKER_URL, "email": settings.EMAIL_BACKEND,
        "email_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
        "email_host": settings.EMAIL_HOST,
        "email_port": getattr(settings, "EMAIL_PORT", global_settings.EMAIL_PORT),
        "search": search["BACKEND"], "search_urls": search.get("URLS", []),
        "elasticsearch": settings.ELASTICSEARCH_URL,
        "elasticsearch_index": settings.ELASTICSEARCH_INDEX,
        "nightly_reindex": "rebuild-search-index" in settings.CELERY_BEAT_SCHEDULE,
        "proxies": settings.TRUSTED_PROXY_COUNT, "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off": settings.AXES_COOLOFF_TIME.total_seconds(),
    }  # fmt: skip


def test_production_passes_the_deploy_check_without_warnings(tmp_path):
    # A process of its own: the check runs on Django set up with the production
    # settings, and this process is set up with the test settings.
    clean = {name: os.environ[name] for name in KEPT if name in os.environ}
    clean |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PORTAL_VAR_DIR": str(tmp_path),
        "SECRET_KEY": SECRET,
        "AUDIT_KEY": AUDIT_KEY,
        "ALLOWED_HOSTS": "portal.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("secret", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_production_refuses_to_start_without_a_secret(load, secret):
    env = {} if secret is None else {"SECRET_KEY": secret}
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        load("portal.settings.production", **env)
    env = {"SECRET_KEY": SECRET} | ({} if secret is None else {"AUDIT_KEY": secret})
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY is not set"):
        load("portal.settings.production", **env)


def test_production_keeps_the_audit_key_apart_from_the_secret_key(load):
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY must differ from SECRET_KEY"):
        load("portal.settings.production", SECRET_KEY=SECRET, AUDIT_KEY=SECRET)


DEFAULTS = {
    "engine": "django.db.backends.sqlite3",
    "name": "{var}/portal.sqlite3",
    "broker": "filesystem://",
    "email": "django.core.mail.backends.filebased.EmailBackend",
    "email_path": "{var}/mail",
    "search": "wagtail.search.backends.database",
    "elasticsearch": "",
    "elasticsearch_index": "portal",
    "nightly_reindex": False,
    "proxies": 0,
    "failure_limit": 100,
    "cool_off": 3600,
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, DEFAULTS, id="embedded-defaults"),
        pytest.param(
            {"DATABASE_URL": "postgres://u:p@db:5432/portal"},
            {"engine": "django.db.backends.postgresql", "name": "portal", "user": "u"}
            | {"password": "p", "host": "db", "port": 5432},
            id="database",
        ),
        pytest.param(
            {"CELERY_BROKER_URL": "redis://redis:6379/0"},
            {"broker": "redis://redis:6379/0"},
            id="broker",
        ),
        pytest.param(
            {"EMAIL_HOST": "mailpit", "EMAIL_PORT": "1025"},
            {"email": "django.core.mail.backends.smtp.EmailBackend"}
            | {"email_host": "mailpit", "email_port": 1025},
            id="smtp",
        ),
        pytest.param(
            {"ELASTICSEARCH_URL": "http://elasticsearch:9200", "ELASTICSEARCH_INDEX": "kb"},
            # The agents' search on Elasticsearch; the admin's stays on the database.
            {"search": "wagtail.search.backends.database", "search_urls": []}
            | {"elasticsearch": "http://elasticsearch:9200", "elasticsearch_index": "kb"}
            # And its nightly catch-up.
            | {"nightly_reindex": True},
            id="elasticsearch",
        ),
        pytest.param({"TRUSTED_PROXY_COUNT": "1"}, {"proxies": 1}, id="behind-a-proxy"),
        pytest.param(
            {"LOGIN_FAILURE_LIMIT": "20", "LOGIN_FAILURE_WINDOW_SECONDS": "900"},
            {"failure_limit": 20, "cool_off": 900},
            id="sign-in-throttle",
        ),
    ],
)
def test_configuration_from_the_environment(load, tmp_path, env, expected):
    values = shown(load(**env))
    expected = {
        key: value.format(var=tmp_path) if isinstance(value, str) else value
        for key, value in expected.items()
    }
    assert {key: values[key] for key in expected} == expected


def test_a_malformed_setting_is_named(load):
    with pytest.raises(ImproperlyConfigured, match="LOGIN_FAILURE_LIMIT must be a whole number"):
        load(LOGIN_FAILURE_LIMIT="lots")


def test_production_sends_the_content_security_policy_and_throttles_sign_in(load):
    settings = load(
        "portal.settings.production",
        SECRET_KEY=SECRET,
        AUDIT_KEY=AUDIT_KEY,
        ALLOWED_HOSTS="portal.example.com",
    )
    csp = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "portal.http.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AUTHENTICATION_BACKENDS[0] == "portal.accounts.backends.SignInThrottle"
    assert list(csp["script-src"]) == ["'self'"]
    assert list(csp["frame-ancestors"]) == ["'none'"]
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_the_benchmark_write_floor_is_never_routed_in_production(load):
    settings = load(
        "portal.settings.production",
        SECRET_KEY=SECRET,
        AUDIT_KEY=AUDIT_KEY,
        BENCHMARK_WRITE_FLOOR="1",
    )
    assert settings.BENCHMARK_WRITE_FLOOR is False
    assert load(BENCHMARK_WRITE_FLOOR="1").BENCHMARK_WRITE_FLOOR is True


@pytest.mark.parametrize(
    ("url", "confirmed"),
    [("amqp://portal:pw@rabbitmq:5672//", True), ("redis://redis:6379/0", False)],
)
def test_a_publish_to_rabbitmq_waits_for_its_confirm(load, url, confirmed):
    settings = load(
        "portal.settings.production",
        SECRET_KEY=SECRET,
        AUDIT_KEY=AUDIT_KEY,
        CELERY_BROKER_URL=url,
    )
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options.get("confirm_publish", False) is confirmed
    # The off-boarding reads it on every broker (how long a queued export may wait).
    assert options["visibility_timeout"] == 6 * 60 * 60
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
