"""## What it does
Reports a `.py` file whose bytes are not text in the encoding it declares (UTF-8 unless a BOM or a
PEP 263 `# -*- coding: ... -*-` line says otherwise), or that contains NUL bytes. The other files are still
checked.

## Why is this bad?
The interpreter refuses to import such a file, and the linter cannot read it: whatever it contains goes
unchecked. It is often a binary file with a `.py` name, or a file saved in a legacy encoding without a
coding declaration.

## Example
A file saved as Latin-1 that contains `"café"` but declares no encoding.

## Use instead
Save the file as UTF-8, or declare its encoding on the first or second line:
```python
# -*- coding: latin-1 -*-
```

## Fix safety
No fix: the linter does not guess encodings.
"""

from fastapi_asynclint.rule import LintRule, Valid


class UndecodableFile(LintRule):
    CODE = "FAL901"
    MESSAGE = "File could not be decoded"
    ENGINE_REPORTED = True

    VALID = [
        Valid("# -*- coding: utf-8 -*-\nname = 'café'\n"),
        Valid("\ufeffname = 'x'\n", note="near miss: a UTF-8 byte-order mark is fine"),
    ]
    # Examples are text; the undecodable cases (bytes) are in tests/test_bad_input.py.
    INVALID = []


RULE = UndecodableFile
