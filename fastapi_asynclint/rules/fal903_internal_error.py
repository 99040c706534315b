"""## What it does
Reports a file whose check failed with an unexpected error inside the linter (a bug of the linter, not of
the file). The other files are still checked, the error is printed on stderr, and the run exits with
code 2 (as for any internal error), whatever `--exit-zero` says.

## Why is this bad?
Nothing in the file was checked, so its async bugs go unreported. JSON, SARIF and editor consumers see
the failure as a finding on the file instead of a run that looks clean.

## Example
Any file can hit a bug of the linter; the message names the error and where in the linter it happened:
```python
# app/routes.py:1:1: FAL903 Internal error while checking this file: KeyError: 'get' (at project.py:312)
```

## Use instead
Please report the message and, if you can, the file (or a smaller file that reproduces it). Meanwhile,
exclude the file with `exclude = ["path/to/file.py"]` in `[tool.fastapi-asynclint]`.

## Fix safety
No fix.
"""

from fastapi_asynclint.rule import LintRule, Valid


class InternalError(LintRule):
    CODE = "FAL903"
    MESSAGE = "Internal error while checking this file"
    ENGINE_REPORTED = True

    VALID = [Valid("async def handler():\n    return 1\n", note="near miss: a file the linter checks")]
    INVALID = []


RULE = InternalError
