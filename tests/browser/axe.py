"""axe-core's accessibility checks, injected by Playwright into the page under test.

axe-core is the npm package pinned in ``package-lock.json``; ``make browser`` installs it
into ``node_modules/`` (``scripts/ensure_axe.sh``). Without it the checks skip, saying why.

The portal's Content-Security-Policy (``script-src 'self'``) refuses the inline script
``page.add_script_tag`` writes, so axe's source goes in through ``page.evaluate``, which
the policy does not govern; the page itself runs under the policy as people see it.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "artifacts" / "accessibility.json"

#: WCAG 2.0 and 2.1, levels A and AA: these fail the test when serious or critical.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: axe's advice beyond WCAG (heading order, landmarks): reported, never failing.
ADVICE = ["best-practice"]
FAILING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (needs npm); run `make browser`")
    return AXE.read_text()


#: Runs axe on the whole document; keeps what a failure message needs, for each element.
RUN = """tags => axe
    .run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
    .then(results => results.violations.map(v => ({
        id: v.id, impact: v.impact, tags: v.tags, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(node => ({
            target: node.target.join(" "),
            why: node.failureSummary.split("\\n").slice(1).join(" ").trim(),
        })),
    })))"""


def violations(page) -> list[dict]:
    """What axe finds wrong on the page as it is now shown."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN, WCAG + ADVICE)


class AccessibilityReport:
    """Every page checked in a test: counts by impact for ``artifacts/accessibility.json``,
    and the failures, listed at the end so that one run shows them all."""

    def __init__(self):
        self.pages: dict[str, dict] = {}
        self.failures: list[str] = []

    def check(self, page, name: str) -> list[dict]:
        found = violations(page)
        wcag = [v for v in found if set(v["tags"]) & set(WCAG)]
        self.pages[name] = {
            "url": page.url,
            "wcag": _counts(wcag),
            "best_practice": _counts([v for v in found if v not in wcag]),
            "rules": {v["id"]: f"{v['impact']}, {len(v['nodes'])} elements" for v in found},
        }
        for v in wcag:
            if v["impact"] in FAILING:
                self.failures.append(
                    f"{name}: {v['id']} ({v['impact']}) {v['help']} — {v['helpUrl']}\n"
                    + "".join(f"    {node['target']}: {node['why']}\n" for node in v["nodes"])
                )
        return found

    def write(self, path: Path = REPORT) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.pages, ensure_ascii=False, indent=2) + "\n")
        return path

    def assert_accessible(self):
        assert not self.failures, "serious or critical WCAG violations:\n" + "".join(self.failures)


def _counts(found: list[dict]) -> dict[str, int]:
    counted = Counter(v["impact"] for v in found)
    return {impact: counted[impact] for impact in IMPACTS}
