"""Demo knowledge for 누리마켓, a fictional Korean e-commerce client: a vision page, 20
answer policies for the situations agents meet most, and 30 product and service articles.

The content is a JSON Lines file (``demo_data/knowledge.jsonl``) loaded through
``import_knowledge``, exactly as a knowledge manager would load theirs; safe to re-run.
"""

from pathlib import Path

from .importing import ImportReport, import_knowledge

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "knowledge.jsonl"


def load_demo_knowledge() -> ImportReport:
    report = import_knowledge(DEMO_FILE.read_text(encoding="utf-8"))
    if not report.ok:
        raise RuntimeError(f"demo knowledge is invalid: {report.errors[:3]}")
    return report
