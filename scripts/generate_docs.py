"""Regenerate docs/rules/FALnnn.md and the README's rule table from the rules' docstrings and examples.

    python scripts/generate_docs.py          # write
    python scripts/generate_docs.py --check  # exit 1 if anything is stale (tests/test_docs.py does this)

The Fix column and each page's fix statement say what the rules' findings really carry: every rule's
examples are linted through the engine once per run (rule_docs.fix_offers, a few seconds).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule_docs import fix_offers, readme_with_table, rule_page

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "docs" / "rules"


def expected_files() -> Dict[Path, str]:
    offers = fix_offers()
    files = {RULES_DIR / f"{code}.md": rule_page(code, offers[code]) for code in all_rules()}
    readme = ROOT / "README.md"
    files[readme] = readme_with_table(readme.read_text(encoding="utf-8"), offers)
    return files


def main(argv: List[str]) -> int:
    check = "--check" in argv
    expected = expected_files()
    stale = [path for path, text in expected.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    orphans = [path for path in RULES_DIR.glob("FAL*.md") if path not in expected]
    if not check:
        for path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(expected[path], encoding="utf-8")
        for path in orphans:
            path.unlink()
    for path in stale + orphans:
        print(f"{'stale' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and (stale or orphans) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
