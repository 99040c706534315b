"""What a coroutine's locals are known to hold when it passes them on: a local bound once, to what a
call returns, is some object (never None), which decides a helper's `if x is None:` branch."""

from __future__ import annotations

from typing import Dict, Optional, Set

import libcst as cst
import libcst.matchers as m

from fastapi_asynclint.index.guards import BYTES_CALLS, MAYBE_NONE_CALLS, SOMETHING


def call_results(function: cst.FunctionDef) -> Dict[str, str]:
    """The coroutine's locals bound once, to what a call returns (`config = AssistantConfig.load()`): passed
    on, they are some object, never None (a call that may give None, `.get()` or `.first()`, aside)."""
    finder = _Bindings()
    function.body.visit(finder)
    params = function.params
    parameters = {param.name.value for param in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            parameters.add(star.name.value)
    found = {}
    for name, value in finder.single.items():
        if finder.count[name] == 1 and name not in finder.declared and name not in parameters:
            known = call_result(value)
            if known is not None:
                found[name] = known
    return found


class _Bindings(cst.CSTVisitor):
    """How often each name is bound in a function body (nested scopes aside), and the value of each
    `name = value` statement."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Dict[str, int] = {}
        self.single: Dict[str, cst.BaseExpression] = {}
        self.declared: Set[str] = set()  # global or nonlocal: bound elsewhere too

    def _bind(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.count[target.value] = self.count.get(target.value, 0) + 1
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target)
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.single[node.targets[0].target.value] = node.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:  # with ... as x, except ... as x, import ... as x
        self._bind(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.declared.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.declared.update(item.name.value for item in node.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name)
        self.declared.update(_nonlocals(node))
        return False  # its bindings are its own, but a `nonlocal` there rebinds ours

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name)
        self.declared.update(_nonlocals(node))
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            self._bind(cst.Name(str(node.evaluated_name).split(".")[0]))


def _nonlocals(node: cst.CSTNode) -> Set[str]:
    return {item.name.value for found in m.findall(node, m.Nonlocal()) for item in found.names}  # type: ignore[attr-defined]


def call_result(value: cst.BaseExpression) -> Optional[str]:
    """The type a call's result is known to have: bytes, some object, or None when it may be None."""
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    return "bytes" if name in BYTES_CALLS else None if name in MAYBE_NONE_CALLS else SOMETHING
