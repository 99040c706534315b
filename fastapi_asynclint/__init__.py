"""fastapi-asynclint: find and fix async-correctness bugs in FastAPI applications.

Kept import-free so that `fastapi-asynclint --version` and the warm cached path start fast.
"""

__version__ = "0.1.0"
