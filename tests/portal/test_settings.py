"""Settings come from the environment; production refuses to run insecurely.

Settings are read once, at import, so each case runs in its own process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "prod-secret-" + "x7Qp2Lm9Zr4Tb8Vn1Kc6Hs3Jd5Wf0Ya" * 2
# Nothing else from the outer environment: not the CI's services, nor a test's switches.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
SHOW = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
search = settings.WAGTAILSEARCH_BACKENDS["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "user": db.get("USER", ""),
    "password": db.get("PASSWORD", ""), "host": db.get("HOST", ""), "port": db.get("PORT", ""),
    "broker": settings.CELERY_BROKER_URL, "email": settings.EMAIL_BACKEND,
    "email_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
    "email_host": settings.EMAIL_HOST, "email_port": settings.EMAIL_PORT,
    "search": search["BACKEND"], "search_urls": search.get("URLS", []),
    "proxies": settings.TRUSTED_PROXY_COUNT, "failure_limit": settings.AXES_FAILURE_LIMIT,
    "cool_off": settings.AXES_COOLOFF_TIME.total_seconds(),
}))
"""


def run(args, tmp_path, settings="portal.settings.dev", **env):
    clean = {name: os.environ[name] for name in KEPT if name in os.environ}
    clean |= {"DJANGO_SETTINGS_MODULE": settings, "PORTAL_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_passes_the_deploy_check_without_warnings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        settings="portal.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("secret", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_production_refuses_to_start_without_a_secret(tmp_path, secret):
    env = {} if secret is None else {"SECRET_KEY": secret}
    result = run(["manage.py", "check"], tmp_path, settings="portal.settings.production", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


DEFAULTS = {
    "engine": "django.db.backends.sqlite3",
    "name": "{var}/portal.sqlite3",
    "broker": "filesystem://",
    "email": "django.core.mail.backends.filebased.EmailBackend",
    "email_path": "{var}/mail",
    "search": "wagtail.search.backends.database",
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
            {"ELASTICSEARCH_URL": "http://elasticsearch:9200"},
            {"search": "wagtail.search.backends.elasticsearch8"}
            | {"search_urls": ["http://elasticsearch:9200"]},
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
def test_configuration_from_the_environment(tmp_path, env, expected):
    result = run(["-c", SHOW], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {
        key: value.format(var=tmp_path) if isinstance(value, str) else value
        for key, value in expected.items()
    }
    assert {key: values[key] for key in expected} == expected


def test_a_malformed_setting_is_named(tmp_path):
    result = run(["manage.py", "check"], tmp_path, LOGIN_FAILURE_LIMIT="lots")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT must be a whole number" in result.stderr


def test_production_sends_the_content_security_policy_and_throttles_sign_in(tmp_path):
    show = """
import django, json
from django.conf import settings
django.setup()
print(json.dumps({
    "middleware": settings.MIDDLEWARE, "backends": settings.AUTHENTICATION_BACKENDS,
    "csp": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "frames": settings.X_FRAME_OPTIONS,
}))
"""
    result = run(
        ["-c", show],
        tmp_path,
        settings="portal.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert "portal.http.ContentSecurityPolicyMiddleware" in values["middleware"]
    assert values["middleware"][-1] == "axes.middleware.AxesMiddleware"
    assert values["backends"][0] == "portal.accounts.backends.SignInThrottle"
    assert values["csp"]["script-src"] == ["'self'"]
    assert values["csp"]["frame-ancestors"] == ["'none'"]
    assert values["frames"] == "DENY"
