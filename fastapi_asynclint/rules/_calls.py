"""What rules that look for calls of particular library functions share: a prefilter and focus over the
index summary, resolution of each libcst call to a canonical name, and reading literal arguments."""

from __future__ import annotations

import math
from typing import Callable, ClassVar, FrozenSet, Iterator, Optional, Set, Tuple

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.summary import MODULE_SCOPE, Function
from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import FileContext, LintRule, RuleInput

UNKNOWN = object()


def resolved_names(context: FileContext, node: cst.Call) -> Set[str]:
    """The canonical names a call's function may be (`asyncio.Queue`, `httpx.AsyncClient`, ...)."""
    index = context.index
    return {canonical_name(index.resolve(target).name) for target in context.semantics.targets(node.func)}


def definition_at(summary, row: int) -> Optional[str]:
    """The innermost def or class whose lines hold `row` (a call in a decorator or a default value is
    evaluated by the enclosing scope, but the engine must keep that def's text to see it)."""
    best: Optional[Tuple[int, str]] = None
    for item in (*summary.functions, *summary.classes):
        span = item.span
        if span is not None and span.start <= row <= span.end:
            size = span.end - span.start
            if best is None or size < best[0]:
                best = (size, item.qualname)
    return best[1] if best else None


def summary_call_rows(rule_input: RuleInput, names: FrozenSet[str]) -> Iterator[Tuple[Function, str, int]]:
    """(function, name, row) for every call in the file's summary that resolves to one of `names`."""
    index = rule_input.index
    for function in rule_input.summary.functions:
        for call in function.calls:
            for target in call.targets:
                name = canonical_name(index.resolve(target).name)
                if name in names:
                    yield function, name, call.row


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
            found = set()
            for function, _, row in summary_call_rows(rule_input, cls.NAMES):
                if wanted(function):
                    found.add(function.qualname)
                    if function.qualname == MODULE_SCOPE:
                        found.add(definition_at(rule_input.summary, row) or MODULE_SCOPE)
            entry = memo[key] = (rule_input.summary, frozenset(found))
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


_PATH_BUILDERS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "os.path.join", "os.path.dirname",
                            "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "builtins.str"})
_PATH_METHODS = frozenset({"joinpath", "resolve", "absolute", "with_suffix", "with_name", "expanduser"})
_MAX_CONSTANT_DEPTH = 12


def is_constant(context: FileContext, node: Optional[cst.BaseExpression], depth: int = 0) -> bool:
    """Whether an expression is the same on every call: literals, module-level constants, `__file__`, and
    paths built from them (`Path(__file__).parent / "config.json"`, `os.path.join(BASE, "x.yaml")`)."""
    if node is None or depth > _MAX_CONSTANT_DEPTH:
        return False
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer)):
        return True
    if isinstance(node, cst.FormattedString):
        return not any(isinstance(part, cst.FormattedStringExpression) for part in node.parts)
    if isinstance(node, cst.Name):
        if node.value == "__file__":
            return True
        value = _module_constant(context, node)
        return value is not None and is_constant(context, value, depth + 1)
    if isinstance(node, cst.Attribute):
        return node.attr.value in ("parent", "stem", "name") and is_constant(context, node.value, depth + 1)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Divide, cst.Add)):
        return is_constant(context, node.left, depth + 1) and is_constant(context, node.right, depth + 1)
    if isinstance(node, cst.Call):
        arguments = [arg.value for arg in node.args]
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _PATH_METHODS:
            return is_constant(context, node.func.value, depth + 1) and all(
                is_constant(context, value, depth + 1) for value in arguments
            )
        if resolved_names(context, node) & _PATH_BUILDERS:
            return all(is_constant(context, value, depth + 1) for value in arguments)
    return False


def _module_constant(context: FileContext, node: cst.Name) -> Optional[cst.BaseExpression]:
    """The value of a module-level name assigned exactly once (`CONFIG = BASE / "config.json"`)."""
    from libcst.metadata import Assignment, GlobalScope

    scope = context.semantics.scope(node)
    if scope is None:
        return None
    try:
        accesses = scope.accesses[node]
    except KeyError:
        return None
    referents = [r for access in accesses for r in access.referents]
    if len(referents) != 1 or not isinstance(referents[0], Assignment) or not isinstance(referents[0].scope, GlobalScope):
        return None
    assignments = referents[0].scope.assignments[node.value]
    if len(assignments) != 1:
        return None
    return _global_values(context).get(referents[0].node)


def _global_values(context: FileContext) -> dict:
    def build() -> dict:
        values = {}
        for statement in context.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        values[small.targets[0].target] = small.value
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                        values[small.target] = small.value
        return values

    return context.shared("module-constants", build)


def per_request_read_kind(context: FileContext, key: str) -> Optional[str]:
    """"GET route", "dependency" or "middleware" when this function runs for every read request."""
    model = context.index.fastapi
    if key in model.cached:
        return None
    if model.routes.get(key) in ("get", "head", "any"):
        return "GET route"
    if key in model.dependencies:
        return "dependency"
    if key in model.middleware:
        return "middleware"
    return None
