#!/usr/bin/env python3
"""Fill report.html from a data JSON file, as the Rust report crate does.

    python3 build_page.py DATA.json OUT.html

The five markers of ../report.html are replaced in one pass (so that text inserted for one
marker is never searched for another, e.g. a description that happens to hold a marker):
  /*DLP_STYLE*/    report.css
  /*DLP_LIBRARY*/  vendor/d3-7.9.2/d3.min.js
  /*DLP_SCRIPT*/   report.js
  {{DLP_DATA}}     the JSON, with every `</` written `<\\/` (so it cannot close the <script>)
  {{DLP_TITLE}}    the study's name, HTML-escaped
Each marker must occur exactly once in the template.
"""

import html
import json
import re
import sys
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent
LIBRARY = ASSETS / "vendor" / "d3-7.9.2" / "d3.min.js"


def build(data_text: str) -> str:
    template = (ASSETS / "report.html").read_text()
    data = json.loads(data_text)
    fills = {
        "/*DLP_STYLE*/": (ASSETS / "report.css").read_text(),
        "/*DLP_LIBRARY*/": LIBRARY.read_text(),
        "/*DLP_SCRIPT*/": (ASSETS / "report.js").read_text(),
        "{{DLP_DATA}}": data_text.replace("</", "<\\/"),
        "{{DLP_TITLE}}": html.escape(f"{data.get('name', 'dlp')}: dlp report"),
    }
    for marker in fills:
        n = template.count(marker)
        if n != 1:
            sys.exit(f"template has {n} copies of {marker}, expected 1")
    pattern = re.compile("|".join(re.escape(m) for m in fills))
    return pattern.sub(lambda m: fills[m.group(0)], template)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = build(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(out)


if __name__ == "__main__":
    main()
