"""Regenerate docs/rules/FALnnn.md and the README's rule table from the rules' docstrings and examples.

    python scripts/generate_docs.py          # write
    python scripts/generate_docs.py --check  # exit 1 if anything is stale (tests/test_docs.py does this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule_docs import readme_with_table, rule_page

ROOT = Path(__file__).resolve().parent.parent


def expected_files() -> dict:
    files = {ROOT / "docs" / "rules" / f"{code}.md": rule_page(code) for code in all_rules()}
    readme = ROOT / "README.md"
    files[readme] = readme_with_table(readme.read_text())
    return files


def main(argv) -> int:
    check = "--check" in argv
    stale = []
    for path, text in expected_files().items():
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    known = {path.name for path in expected_files()}
    for orphan in (ROOT / "docs" / "rules").glob("FAL*.md"):
        if orphan.name not in known:
            stale.append(orphan)
            if not check:
                orphan.unlink()
    for path in stale:
        print(f"{'stale' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
