"""Settings come from the environment; production refuses to run insecurely."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "prod-secret-" + "x7Qp2Lm9Zr4Tb8Vn1Kc6Hs3Jd5Wf0Ya" * 2
SHOW = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "broker": settings.CELERY_BROKER_URL, "email": settings.EMAIL_BACKEND,
    "email_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
    "search": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
}))
"""


def run(args, tmp_path, settings="portal.settings.dev", **env):
    # Only what each test sets: not the CI's services, nor the browser tests' async switch.
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "ELASTICSEARCH_URL"}
    inherited |= {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean |= {"DJANGO_SETTINGS_MODULE": settings, "PORTAL_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def show(tmp_path, **env):
    result = run(["-c", SHOW], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


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


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_production_refuses_to_start_without_a_secret(tmp_path, secret):
    env = {} if secret is None else {"SECRET_KEY": secret}
    result = run(["manage.py", "check"], tmp_path, settings="portal.settings.production", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_embedded_defaults(tmp_path):
    values = show(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "portal.sqlite3")
    assert values["broker"] == "filesystem://"
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["email_path"] == str(tmp_path / "mail")
    assert values["search"] == "wagtail.search.backends.database"


def test_services_from_the_environment(tmp_path):
    values = show(
        tmp_path,
        DATABASE_URL="postgres://portal:pw@db:5432/portal",
        CELERY_BROKER_URL="redis://redis:6379/0",
        EMAIL_HOST="mail",
        ELASTICSEARCH_URL="http://elasticsearch:9200",
    )
    assert (values["engine"], values["name"], values["host"]) == (
        "django.db.backends.postgresql",
        "portal",
        "db",
    )
    assert values["broker"] == "redis://redis:6379/0"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["search"].startswith("wagtail.search.backends.elasticsearch")


def test_a_malformed_setting_is_named(tmp_path):
    result = run(["manage.py", "check"], tmp_path, LOGIN_FAILURE_LIMIT="lots")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT must be a whole number" in result.stderr
