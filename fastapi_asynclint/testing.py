"""Run rule examples and annotated fixtures through the whole engine (the generic rule test uses this).

Expected findings are trailing comments: `# FAL101` on the line of the finding, or `# FAL101:5` to pin
its 1-based column (flake8-async's eval-file convention).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from fastapi_asynclint.diagnostics import Diagnostic

ANNOTATION = re.compile(r"#\s*(FAL\d{3})(?::(\d+))?(?=\s|$|#)")
Expected = Tuple[str, str, int, Optional[int]]  # path, code, row, column


def expected_findings(sources: Mapping[str, str], codes: Optional[Iterable[str]] = None) -> Set[Expected]:
    wanted = set(codes) if codes is not None else None
    found: Set[Expected] = set()
    for path, text in sources.items():
        for row, line in enumerate(text.splitlines(), start=1):
            comment = line.find("#")
            if comment < 0:
                continue
            for match in ANNOTATION.finditer(line, comment):
                code, column = match.group(1), match.group(2)
                if wanted is None or code in wanted:
                    found.add((path, code, row, int(column) if column else None))
    return found


def actual_findings(diagnostics: Iterable[Diagnostic], root: Path, with_columns: Set[Tuple[str, str, int]]) -> Set[Expected]:
    found: Set[Expected] = set()
    for diagnostic in diagnostics:
        path = Path(os.path.abspath(diagnostic.filename)).relative_to(root.resolve()).as_posix()
        key = (path, diagnostic.code, diagnostic.location.row)
        found.add((*key, diagnostic.location.column if key in with_columns else None))
    return found


def noqa_variant(sources: Mapping[str, str]) -> Dict[str, str]:
    """Every `# FALnnn` annotation turned into `# noqa: FALnnn`: the findings must all disappear."""
    return {path: ANNOTATION.sub(lambda m: f"# noqa: {m.group(1)}", text) for path, text in sources.items()}


def write_project(root: Path, sources: Mapping[str, str], config: str = "") -> None:
    (root / "pyproject.toml").write_text(f"[tool.fastapi-asynclint]\n{config}")
    for relative, text in sources.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@dataclass
class ExampleRun:
    diagnostics: List[Diagnostic]
    texts: Dict[str, str]
    errors: List[str]


def run_project(
    root: Path,
    select: Sequence[str],
    fix: bool = False,
    unsafe_fixes: bool = False,
    force_analysis: bool = False,
) -> ExampleRun:
    from fastapi_asynclint.runner import CheckOptions, run_check, write_fixes
    from fastapi_asynclint.settings import CliOptions, build_settings

    settings = build_settings(root, CliOptions(select=tuple(select), no_cache=True))
    options = CheckOptions(fix=fix, unsafe_fixes=unsafe_fixes, force_analysis=force_analysis, jobs=1)
    result = run_check([str(root)], settings, options)
    if fix:
        write_fixes(result)
    texts = {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted(root.rglob("*.py"))
    }
    return ExampleRun(result.diagnostics, texts, result.errors)
