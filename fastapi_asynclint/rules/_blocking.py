"""What the blocking-call rules (FAL101-FAL109, FAL201, FAL202) share: one pass that finds every call a
coroutine makes that blocks, directly or through sync helpers, and the fixes such a call can take.

Each rule then reports the sites of its own catalogue category, so the analysis runs once per file
however many of these rules are enabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import ComprehensionScope, FunctionScope, GlobalScope, ImportAssignment

from fastapi_asynclint.catalog import CATEGORY_CODES, CATEGORY_LABELS, Blocking, Category
from fastapi_asynclint.diagnostics import Applicability, Edit, Fix, Hop, Location
from fastapi_asynclint.rule import FileContext, LintRule, RuleInput

ADVICE: Dict[Category, str] = {
    Category.SLEEP: "use `await asyncio.sleep(...)`",
    Category.HTTP: "use an async client such as `httpx.AsyncClient`, or run it in a worker thread",
    Category.FILE: "use `anyio.Path`/`aiofiles`, or run it in a worker thread",
    Category.PROCESS: "use `asyncio.create_subprocess_exec`, or run it in a worker thread",
    Category.SOCKET: "use asyncio streams or `loop.getaddrinfo`, or run it in a worker thread",
    Category.LOCK: "use the asyncio primitive (`asyncio.Lock`, `asyncio.Event`, `asyncio.Queue`), or run it in a worker thread",
    Category.INPUT: "do not read the console from a server; run it in a worker thread if you must",
    Category.HASHING: "run it in a worker thread (`await anyio.to_thread.run_sync(...)`)",
    Category.SDK: "use the SDK's async client, or run it in a worker thread",
    Category.DB: "use an async driver (asyncpg, psycopg AsyncConnection, aiomysql, aiosqlite, motor, redis.asyncio), or declare the function with `def`",
    Category.ORM: "use `AsyncSession`/`create_async_engine`, or declare the route or dependency with `def` so FastAPI runs it in its threadpool",
}


@dataclass(frozen=True)
class BlockingSite:
    node: cst.Call
    blocking: Blocking
    chain: Tuple[Hop, ...]
    function: cst.FunctionDef
    qualname: str
    function_key: str
    is_statement: bool

    @property
    def code(self) -> str:
        return CATEGORY_CODES[self.blocking.category]


def _positional_count(call: cst.Call) -> int:
    return sum(1 for arg in call.args if arg.keyword is None and arg.star != "**")


def _keyword_names(call: cst.Call) -> Tuple[str, ...]:
    return tuple(arg.keyword.value for arg in call.args if arg.keyword is not None)


class BlockingFinder(cst.BatchableCSTVisitor):
    """Runs in the rules' traversal and collects every blocking call the file's coroutines make."""

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.semantics = context.semantics
        self.awaited: Set[cst.CSTNode] = set()
        self.statements: Set[cst.CSTNode] = set()
        self.sites: List[BlockingSite] = []

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(node.expression)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.statements.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if node in self.awaited:
            return
        function = self.semantics.enclosing_function(node)
        if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
            return
        index = self.context.index
        positional, keywords = _positional_count(node), _keyword_names(node)
        for target in self.semantics.targets(node.func):
            found = index.classify(target, positional, keywords)
            if found is not None:
                qualname = self.semantics.function_qualname(function)
                key = self.semantics.qualify(qualname)
                self.sites.append(
                    BlockingSite(node, found[0], found[1], function, qualname, key, node in self.statements)
                )
                return


def blocking_sites(context: FileContext) -> List[BlockingSite]:
    return context.memo[BlockingFinder].sites


def short_name(context: FileContext, node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(context.module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def message_for(context: FileContext, site: BlockingSite) -> str:
    function = site.function.name.value
    label = "declared blocking (`extra-blocking-calls`)" if site.blocking.declared else CATEGORY_LABELS[site.blocking.category]
    advice = "run it in a worker thread" if site.blocking.declared else ADVICE[site.blocking.category]
    if not site.chain:
        if site.blocking.declared:
            return f"Call `{site.blocking.name}` is {label} in async function `{function}`; {advice}"
        return f"Blocking {label} call `{site.blocking.name}` in async function `{function}`; {advice}"
    hops = " -> ".join(f"{hop.name}()" for hop in site.chain[:-1])
    callee = short_name(context, site.node.func)
    return (
        f"`{callee}()` blocks the event loop in async function `{function}`: "
        f"{hops} -> {site.chain[-1].name} ({label}); {advice}"
    )


# ---------------------------------------------------------------------- fixes
def _binds_other_than_module(context: FileContext, node: cst.CSTNode, name: str) -> bool:
    """Whether `name` is bound, in the scopes that see `node`, to anything but `import name`."""
    scope = context.semantics.scope(node)
    while scope is not None:
        for assignment in scope.assignments[name] if name in scope.assignments else ():
            if not (isinstance(assignment, ImportAssignment) and _imports_module(assignment.node, name)):
                return True
        if isinstance(scope, GlobalScope):
            break
        scope = scope.parent
    return False


def _imports_module(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Import) and any(
        alias.asname is None and cst.helpers.get_full_name_for_node(alias.name) == name for alias in node.names
    )


def sleep_fix(context: FileContext, site: BlockingSite) -> Optional[Fix]:
    """`time.sleep(x)` as a statement -> `await asyncio.sleep(x)`, adding `import asyncio` (safe)."""
    call = site.node
    args = call.args
    if site.chain or site.blocking.name != "time.sleep" or not site.is_statement:
        return None
    if len(args) != 1 or args[0].keyword is not None or args[0].star:
        return None
    if not isinstance(context.semantics.scope(call), FunctionScope):
        return None  # inside a comprehension an await would change what it builds
    if context.has_comments(call) or _binds_other_than_module(context, call, "asyncio"):
        return None
    replacement = cst.Await(
        expression=cst.Call(
            func=cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("sleep")),
            args=[args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)],
        )
    )
    return context.fix(
        Applicability.SAFE,
        "Replace with `await asyncio.sleep(...)`",
        [context.replace(call, replacement), context.import_edit("asyncio")],
    )


def make_sync_fix(context: FileContext, site: BlockingSite) -> Optional[Fix]:
    """An `async def` route or dependency that never awaits -> `def`, so FastAPI runs it in its threadpool."""
    function = site.function
    index = context.index
    kind = index.fastapi.kind(site.function_key)
    if kind not in ("route", "dependency") or index.fastapi.routes.get(site.function_key) == "websocket":
        return None
    summary_function = index.functions_of(context.summary).get(site.qualname)
    if summary_function is None or summary_function.awaits:
        return None
    if site.function_key in index.awaited_functions():
        return None
    edit = _remove_async_keyword(context, function)
    if edit is None:
        return None
    return context.fix(
        Applicability.UNSAFE,
        f"Declare `{function.name.value}` with `def` so FastAPI runs it in its threadpool",
        [edit],
    )


def _remove_async_keyword(context: FileContext, function: cst.FunctionDef) -> Optional[Edit]:
    if function.asynchronous is None:
        return None
    start, _ = context.span(function.asynchronous)
    name_start, _ = context.span(function.name)
    gap = len(function.whitespace_after_def.value) + len("def")
    if name_start.row != start.row:
        return None
    return Edit("", start, Location(start.row, name_start.column - gap))


def fix_for(context: FileContext, site: BlockingSite) -> Optional[Fix]:
    return sleep_fix(context, site) or make_sync_fix(context, site)


class BlockingCallRule(LintRule):
    """Base of the rules that report one category of blocking call made by a coroutine."""

    CATEGORY: ClassVar[Category]
    COMPANIONS = (BlockingFinder,)

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        return cls.CODE in rule_input.index.async_blocking_functions(rule_input.summary)

    @classmethod
    def focus(cls, rule_input: RuleInput) -> Optional[FrozenSet[str]]:
        return rule_input.index.async_blocking_functions(rule_input.summary).get(cls.CODE, frozenset())

    def leave_Module(self, original_node: cst.Module) -> None:
        for site in blocking_sites(self.context):
            if site.blocking.category is self.CATEGORY:
                self.report(
                    site.node,
                    message_for(self.context, site),
                    fix=fix_for(self.context, site),
                    chain=site.chain,
                )
