"""Fixes applied in rounds: one fix that would break the file does not hold back the others."""

from __future__ import annotations

from typing import List

from fastapi_asynclint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from fastapi_asynclint.fixes import MAX_ROUNDS, fix_text


def _diagnostics(text: str) -> List[Diagnostic]:
    """A finding with a fix for every line holding `old()` (-> `new()`), and one whose fix breaks the file."""
    found = []
    for row, line in enumerate(text.splitlines(), start=1):
        column = line.find("old()")
        if column >= 0:
            start, end = Location(row, column + 1), Location(row, column + 6)
            fix = Fix(Applicability.SAFE, "use new", (Edit("new()", start, end),))
            found.append(Diagnostic("FAL999", "old", "<file>", start, end, fix))
        column = line.find("fragile")
        if column >= 0:
            start, end = Location(row, column + 1), Location(row, column + 8)
            fix = Fix(Applicability.SAFE, "break it", (Edit("(((", start, end),))
            found.append(Diagnostic("FAL998", "fragile", "<file>", start, end, fix))
    return found


def test_a_fix_that_breaks_the_file_does_not_hold_back_the_others() -> None:
    calls = MAX_ROUNDS * 3
    text = "fragile = 1\n" + "".join(f"x{n} = old()\n" for n in range(calls))
    rounds = []

    def lint(source: str) -> List[Diagnostic]:
        rounds.append(source)
        return _diagnostics(source)

    result = fix_text(text, lint, unsafe_fixes=False)
    assert result.text == "fragile = 1\n" + "".join(f"x{n} = new()\n" for n in range(calls))
    assert result.applied["FAL999"] == calls
    assert result.rejected == 1
    assert len(rounds) <= 3  # the first lint, the round that applies them all, and one to confirm
    assert [d.code for d in result.diagnostics] == ["FAL998"]
