"""Accessibility scans with axe-core: inject node_modules/axe-core/axe.min.js into a Playwright
page, run the WCAG 2.0/2.1 A and AA rules, and format the violations for assertion messages."""

from collections.abc import Iterable
from typing import Any

from playwright.sync_api import Page

from kb.config import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# Only what a failure message needs leaves the browser: a raw axe result also carries every
# check's related nodes and is large.
_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html})),
  }));
}
"""


def axe_violations(
    page: Page, impacts: Iterable[str] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """The WCAG 2.x A/AA violations on the page as it is now whose impact is one of `impacts`.

    Each is a dict with `id`, `impact`, `help`, `helpUrl` and `nodes` (each `{"target", "html"}`).
    The page's context should bypass CSP (the `page` fixture does), since axe is injected as an
    inline script that a strict Content-Security-Policy would block.
    """
    # Injecting twice would re-run axe's setup; a page that navigated away has lost it anyway.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_JS)
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, list(WCAG_TAGS))
    wanted = set(impacts)
    return [v for v in violations if v["impact"] in wanted]


def format_violations(violations: list[dict[str, Any]], max_targets: int = 3) -> str:
    """One line per violated rule (id, impact, help, the first few target selectors), for
    `assert not violations, format_violations(violations)`."""
    if not violations:
        return "no axe violations"
    lines = [f"{len(violations)} axe violation(s):"]
    for v in violations:
        targets = [_selector(node["target"]) for node in v["nodes"][:max_targets]]
        more = len(v["nodes"]) - len(targets)
        where = ", ".join(targets) + (f" (+{more} more)" if more > 0 else "")
        lines.append(f"  {v['id']} [{v['impact']}] {v['help']}: {where}  ({v['helpUrl']})")
    return "\n".join(lines)


def _selector(target: list[Any]) -> str:
    """axe's target: one selector per frame, a list of selectors for an element in shadow DOM."""
    return " ".join(part if isinstance(part, str) else " >>> ".join(part) for part in target)
