"""What rules that look for calls of particular library functions share: a prefilter and focus over the
index summary, resolution of each libcst call to a canonical name, and reading literal arguments."""

from __future__ import annotations

import math
from typing import Callable, ClassVar, FrozenSet, Iterator, Optional, Set, Tuple

import libcst as cst

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.summary import MODULE_SCOPE, Function
from fastapi_asynclint.rule import FileContext, LintRule, RuleInput

UNKNOWN = object()


def resolved_names(context: FileContext, node: cst.Call) -> Set[str]:
    """The canonical names a call's function may be (`asyncio.Queue`, `httpx.AsyncClient`, ...)."""
    index = context.index
    return {canonical_name(index.resolve(target).name) for target in context.semantics.targets(node.func)}


def summary_calls(rule_input: RuleInput, names: FrozenSet[str]) -> Iterator[Tuple[Function, str]]:
    """(function, name) for every call in the file's summary that resolves to one of `names`."""
    index = rule_input.index
    for function in rule_input.summary.functions:
        for call in function.calls:
            if call.target is None:
                continue
            name = canonical_name(index.resolve(call.target).name)
            if name in names:
                yield function, name


def literal(node: Optional[cst.BaseExpression]):
    """A literal argument's value (numbers, None, True/False, strings, `float("inf")`, `math.inf`), else UNKNOWN."""
    if node is None:
        return UNKNOWN
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.Float):
        return node.evaluated_value
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return {"None": None, "True": True, "False": False}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = literal(node.expression)
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        if (node.value.value, node.attr.value) == ("math", "inf"):
            return math.inf
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "float" and node.args:
        value = literal(node.args[0].value)
        if isinstance(value, str) and value.strip().lower() in ("inf", "infinity", "+inf"):
            return math.inf
    return UNKNOWN


def argument(call: cst.Call, keyword: str, position: Optional[int] = None) -> Optional[cst.BaseExpression]:
    """The expression passed for a parameter, by keyword or (when given) by position; None if absent."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position is not None:
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if len(positional) > position:
            return positional[position].value
    return None


def has_star_arguments(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


class CallRule(LintRule):
    """A rule about calls of some library names: only files that make such a call are analysed, and only
    the functions that make one (plus module-level code) are read."""

    NAMES: ClassVar[FrozenSet[str]] = frozenset()

    @classmethod
    def scope_filter(cls, rule_input: RuleInput) -> Callable[[Function], bool]:
        return lambda function: True

    @classmethod
    def _functions(cls, rule_input: RuleInput) -> FrozenSet[str]:
        key = (cls.CODE, id(rule_input.summary))
        memo = rule_input.index.rule_memo
        entry = memo.get(key)
        if entry is None or entry[0] is not rule_input.summary:
            wanted = cls.scope_filter(rule_input)
            found = frozenset(f.qualname for f, _ in summary_calls(rule_input, cls.NAMES) if wanted(f))
            entry = memo[key] = (rule_input.summary, found)
        return entry[1]

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        return bool(cls._functions(rule_input))

    @classmethod
    def focus(cls, rule_input: RuleInput) -> Optional[FrozenSet[str]]:
        return frozenset(name for name in cls._functions(rule_input) if name != MODULE_SCOPE)

    def visit_Call(self, node: cst.Call) -> None:
        names = resolved_names(self.context, node) & self.NAMES
        for name in sorted(names):
            self.check_call(node, name)

    def check_call(self, node: cst.Call, name: str) -> None:
        raise NotImplementedError


def enclosing_def(context: FileContext, node: cst.CSTNode) -> Optional[Tuple[cst.FunctionDef, str]]:
    """The def whose body runs `node`, and its index key (`module.qualname`)."""
    function = context.semantics.enclosing_function(node)
    if not isinstance(function, cst.FunctionDef):
        return None
    return function, context.semantics.qualify(context.semantics.function_qualname(function))


def request_scoped_kind(context: FileContext, key: str) -> Optional[str]:
    """"route", "dependency" or "middleware" when FastAPI runs this function for every request it serves
    (a cached dependency computes its value once, so it is not)."""
    model = context.index.fastapi
    if key in model.cached:
        return None
    return model.kind(key)
