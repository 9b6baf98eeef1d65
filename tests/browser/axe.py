"""Run axe-core in a Playwright page and fail, readably, on any WCAG 2.1 A/AA violation.

``assert_accessible(page)`` raises :class:`AccessibilityViolations` (an ``AssertionError``) listing every rule
broken, its impact and help link, and each offending element's selector, HTML and what to fix.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

#: The conformance level the city commits to: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
_HTML_LIMIT = 300
_AXE = Axe()


class AccessibilityViolations(AssertionError):
    """axe-core found violations; ``violations`` holds axe's own records."""

    def __init__(self, message: str, violations: list[dict]):
        super().__init__(message)
        self.violations = violations


def axe_results(page, *, context: str | None = None) -> dict:
    """axe's raw result for the page (or the part of it matched by the CSS selector ``context``)."""
    options = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
    return _AXE.run(page, context=context, options=options).response


def _shorten(html: str) -> str:
    html = " ".join(html.split())
    return html if len(html) <= _HTML_LIMIT else html[: _HTML_LIMIT - 1] + "…"


def format_violations(violations: list[dict], *, where: str = "") -> str:
    """One block per rule: id, impact, help and link, then each node's target, HTML and axe's fix summary."""
    nodes = sum(len(v["nodes"]) for v in violations)
    lines = [
        f"{len(violations)} accessibility rule(s) violated on {nodes} element(s){' at ' + where if where else ''}:"
    ]
    for violation in violations:
        lines.append("")
        lines.append(f"[{violation.get('impact') or 'unknown'}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " >> ".join(" ".join(t) if isinstance(t, list) else str(t) for t in node["target"])
            lines.append(f"    - target: {target}")
            lines.append(f"      html:   {_shorten(node.get('html', ''))}")
            summary = (node.get("failureSummary") or "").strip()
            for summary_line in summary.splitlines():
                lines.append(f"      {summary_line.strip()}")
    return "\n".join(lines)


def assert_accessible(page, *, context: str | None = None) -> None:
    """Fail with a readable list of violations if axe finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_results(page, context=context)["violations"]
    if violations:
        raise AccessibilityViolations(format_violations(violations, where=page.url), violations)
