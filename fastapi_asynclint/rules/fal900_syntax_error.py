"""## What it does
Reports a file that is not valid Python: neither the running interpreter's parser nor libcst's (which reads
newer syntax too, up to Python 3.14) can parse it. The other files are still checked.

## Why is this bad?
A file that does not parse cannot be analysed, so async bugs in it (and in the routes that call into it)
go unreported. It usually also means the application cannot import it.

## Example
```python
def handler(:
    pass
```

## Use instead
```python
def handler():
    pass
```

## Fix safety
No fix. This finding is always reported unless `FAL900` is explicitly ignored; `# noqa` cannot apply to a
file that does not parse.
"""

from fastapi_asynclint.rule import Invalid, LintRule, Valid


class SyntaxErrorFinding(LintRule):
    CODE = "FAL900"
    MESSAGE = "SyntaxError"
    ENGINE_REPORTED = True

    VALID = [
        Valid("async def handler():\n    pass\n"),
        Valid("type Alias = int\n\ndef f[T](x: T) -> T:\n    return x\n", note="near miss: Python 3.12 syntax"),
        Valid('name = "x"\nmessage = t"hello {name}"\n', note="near miss: Python 3.14 template strings"),
    ]
    INVALID = [
        Invalid("def handler(:  # FAL900\n    pass\n"),
        Invalid("async def handler():\n    return [  # FAL900\n\n", message="was never closed"),
    ]


RULE = SyntaxErrorFinding
