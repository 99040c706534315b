"""## What it does
Reports a file the linter could not analyse although it may be valid Python: it is larger than the
analysis limit (4 MB of source; the limit keeps a run's time and memory bounded), it nests deeper than
CPython's own parser allows (over 200 levels of brackets, 100 of indentation, or an expression so long
that building its tree exhausts the stack), or libcst could not build its tree or metadata for it.

## Why is this bad?
Nothing in the file is checked, so its async bugs go unreported. Such files are almost always
generated (huge literals, machine-written expressions); CPython refuses to import many of them too.

## Example
```python
TOTAL = 1 + 1 + 1 + ...  # tens of thousands of terms on one line
```

## Use instead
Generate the data as a file that is loaded (JSON, a pickle) or split the expression; or exclude the
generated file with `exclude = ["generated/"]` in `[tool.fastapi-asynclint]`.

## Fix safety
No fix.
"""

from fastapi_asynclint.rule import Invalid, LintRule, Valid


class AnalysisLimit(LintRule):
    CODE = "FAL902"
    MESSAGE = "File is too deeply nested to analyse"
    ENGINE_REPORTED = True

    VALID = [
        Valid("TOTAL = " + "(" * 150 + "1" + ")" * 150 + "\n", note="near miss: deep, but within CPython's limits"),
    ]
    INVALID = [
        Invalid("TOTAL = " + "(" * 300 + "1" + ")" * 300 + "  # FAL902\n"),
        Invalid("TOTAL = " + " + ".join(["1"] * 20000) + "  # FAL902\n", message="too deeply nested"),
    ]


RULE = AnalysisLimit
