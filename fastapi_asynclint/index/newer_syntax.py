"""Syntax newer than the running interpreter, rewritten so that its `ast` can read the file for the index.

The index is built with the stdlib `ast` of the interpreter that runs the linter; the rules read files with
libcst, which knows syntax up to Python 3.14. A file that uses newer syntax than the interpreter would
otherwise be linted but missing from the index, so that a route calling into it would lose its findings.
libcst rewrites the few constructs that differ into older spellings the index reads the same way, on the
same rows: `except A, B:` (3.14) gains its parentheses, type parameters (3.12) are dropped, `type X = Y`
(3.12) becomes `X = Y`, and template strings (3.14) become f-strings.
"""

from __future__ import annotations

from typing import Optional


def older_spelling(text: str) -> Optional[str]:
    """`text` rewritten as above, or None when libcst cannot read it either (or nothing needed rewriting)."""
    import libcst as cst

    class Rewrite(cst.CSTTransformer):
        changed = False

        def leave_ExceptHandler(self, original, updated):
            return self._parenthesised(updated)

        def leave_ExceptStarHandler(self, original, updated):
            return self._parenthesised(updated)

        def _parenthesised(self, handler):
            if isinstance(handler.type, cst.Tuple) and not handler.type.lpar:
                self.changed = True
                return handler.with_changes(type=handler.type.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
            return handler

        def leave_FunctionDef(self, original, updated):
            return self._untyped(updated)

        def leave_ClassDef(self, original, updated):
            return self._untyped(updated)

        def _untyped(self, definition):
            if definition.type_parameters is None:
                return definition
            self.changed = True
            return definition.with_changes(type_parameters=None)

        def leave_TypeAlias(self, original, updated):
            self.changed = True
            return cst.Assign(targets=[cst.AssignTarget(target=updated.name)], value=updated.value)

        def leave_TemplatedString(self, original, updated):
            self.changed = True
            parts = []
            for part in updated.parts:
                if isinstance(part, cst.TemplatedStringText):
                    parts.append(cst.FormattedStringText(value=part.value))
                else:
                    parts.append(cst.FormattedStringExpression(expression=part.expression))
            return cst.FormattedString(parts=parts, start=updated.start.replace("t", "f").replace("T", "F"), end=updated.end)

    try:
        module = cst.parse_module(text)
        rewrite = Rewrite()
        rewritten = module.visit(rewrite)
    except Exception:  # noqa: BLE001 - libcst cannot read it either: the file's FAL900 stands
        return None
    return rewritten.code if rewrite.changed else None
