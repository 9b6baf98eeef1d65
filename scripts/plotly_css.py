#!/usr/bin/env python3
"""Write static/css/plotly.css: the style rules plotly.js would otherwise inject into each page as a <style> element,
which the Content-Security-Policy (``style-src 'self'``) refuses.

plotly.js skips its injection when the page already holds an element with the id ``plotly.js-style-global`` and the
class ``no-inline-styles`` (templates/components/plotly_styles.html: a <link> to this file), and skips MapLibre's
own injected stylesheet when an element carries that stylesheet's id (the same partial: we draw no maps). This script
reads both from the bundle in node_modules, so after upgrading plotly.js-basic-dist-min run it again:

    .venv/bin/python scripts/plotly_css.py

tests/core/test_csp.py fails when the file or the partial no longer matches the bundle.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
OUTPUT = ROOT / "static" / "css" / "plotly.css"

# The rules: an object literal {"X,X div":'direction:ltr;...', ..., Y:'...', "Y p":"margin:0;"} whose keys are turned
# into selectors (X: the plot, Y: the notifier) and each added with insertRule(rule, 0), so in reverse order.
_RULES = re.compile(r'\{"X,X div":.*?\};for\(', re.DOTALL)
_ENTRY = re.compile(r"""(?:"([^"]*)"|([A-Za-z_]\w*)):(?:'([^']*)'|"([^"]*)")""")
_MAPLIBRE_ID = re.compile(r'document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w=document\.createElement\("style"\)')


def plotly_rules(bundle: str) -> list[tuple[str, str]]:
    """(selector, declarations) in the order the browser would hold them after plotly.js injected them."""
    found = _RULES.search(bundle)
    if not found:
        raise SystemExit("plotly.js's style rules were not found in the bundle: has their form changed?")
    rules = []
    for match in _ENTRY.finditer(found.group(0)[1:-5]):
        key = match.group(1) if match.group(1) is not None else match.group(2)
        declarations = match.group(3) if match.group(3) is not None else match.group(4)
        selector = re.sub(r"^,", " ,", key).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append((selector, declarations))
    return list(reversed(rules))


def maplibre_style_id(bundle: str) -> str:
    found = _MAPLIBRE_ID.search(bundle)
    if not found:
        raise SystemExit("MapLibre's injected stylesheet's id was not found in the bundle: has its form changed?")
    return found.group(1)


def stylesheet(bundle: str) -> str:
    version = re.search(r'"version":\s*"([^"]+)"', (BUNDLE.parent / "package.json").read_text())
    lines = [
        f"/* plotly.js {version.group(1) if version else ''}'s own style rules, which it would inject as a <style>"
        " element (refused by",
        "   the Content-Security-Policy). Written by scripts/plotly_css.py from node_modules; do not edit. */",
    ]
    lines += [f"{selector} {{ {declarations} }}" for selector, declarations in plotly_rules(bundle)]
    return "\n".join(lines) + "\n"


def main() -> None:
    bundle = BUNDLE.read_text()
    OUTPUT.write_text(stylesheet(bundle))
    print(f"wrote {OUTPUT.relative_to(ROOT)}; MapLibre's stylesheet id is {maplibre_style_id(bundle)}")


if __name__ == "__main__":
    sys.exit(main())
