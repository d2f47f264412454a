"""The foundation (``portal/``) imports no app built on it and names none of their tables,
permissions or modules: those apps register what the foundation needs. Only the site's
top (``portal/urls.py``, the settings) puts them together."""

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
UPPER = ("knowledge", "notices", "training", "decisions", "feedback", "contracts", "home")
TOP = {"urls.py", "wsgi.py"}


def _foundation_modules():
    for path in sorted(PORTAL.rglob("*.py")):
        parts = path.relative_to(PORTAL).parts
        if parts[0] in ("settings", "locale") or "migrations" in parts or parts[-1] in TOP:
            continue
        yield path


def _names_upper(text: str) -> bool:
    return any(text == app or text.startswith((f"{app}.", f"{app}_")) for app in UPPER)


def test_the_foundation_neither_imports_nor_names_the_apps_built_on_it():
    found = []
    for path in _foundation_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and _names_upper(node.module):
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.name}:{node.lineno} imports {alias.name}"
                    for alias in node.names
                    if _names_upper(alias.name)
                ]
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and " " not in node.value
                and _names_upper(node.value)
            ):
                found.append(f"{path.name}:{node.lineno} names {node.value!r}")
    assert found == []


def test_upper_apps_register_their_append_only_tables():
    from portal.audit import guards

    assert set(guards.guarded_tables()) == {
        "audit_auditrecord",
        "audit_chainentry",
        "decisions_decision",
        "notices_acknowledgement",
        "training_signoff",
    }
