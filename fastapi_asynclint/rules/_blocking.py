"""What the blocking-call rules (FAL101-FAL109, FAL201, FAL202) share: one pass that finds every call a
coroutine makes that blocks, directly or through sync helpers, and the fixes such a call can take.

Each rule then reports the sites of its own catalogue category, so the analysis runs once per file
however many of these rules are enabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from fastapi_asynclint.call_layout import CallText, Surroundings, layout, relative
from fastapi_asynclint.catalog import CATEGORY_CODES, CATEGORY_LABELS, NONBLOCKING_FLAGS, Blocking, Category
from fastapi_asynclint.diagnostics import Applicability, Edit, Fix, Hop, Location
from fastapi_asynclint.index.guards import BYTES_CALLS, KNOWN_TYPES, MAYBE_NONE_CALLS, SOMETHING
from fastapi_asynclint.index.switches import is_switch
from fastapi_asynclint.libcst_on_use import cst, metadata, semantic
from fastapi_asynclint.rule import FileContext, LintRule, RuleInput, visitor_names

if TYPE_CHECKING:
    from fastapi_asynclint.index.project import Blocked
    from fastapi_asynclint.index.summary import Call

ADVICE: Dict[Category, str] = {
    Category.SLEEP: "use `await asyncio.sleep(...)`",
    Category.HTTP: "use an async client such as `httpx.AsyncClient`, or run it in a worker thread",
    Category.FILE: "use `anyio.Path`/`aiofiles`, or run it in a worker thread",
    Category.METADATA: "use `anyio.Path`, or run it in a worker thread",
    Category.PROCESS: "use `asyncio.create_subprocess_exec`, or run it in a worker thread",
    Category.SOCKET: "use asyncio streams or `loop.getaddrinfo`, or run it in a worker thread",
    Category.LOCK: "use the asyncio primitive (`asyncio.Lock`, `asyncio.Event`, `asyncio.Queue`), or run it in a worker thread",
    Category.INPUT: "do not read the console from a server; run it in a worker thread if you must",
    Category.HASHING: "run it in a worker thread (`await anyio.to_thread.run_sync(...)`)",
    Category.SDK: "use the SDK's async client, or run it in a worker thread",
    Category.DB: "use an async driver (asyncpg, psycopg AsyncConnection, aiomysql, aiosqlite, motor, redis.asyncio), or declare the function with `def`",
    Category.ORM: "use `AsyncSession`/`create_async_engine`, or declare the route or dependency with `def` so FastAPI runs it in its threadpool",
    Category.CPU: "run it in a worker thread (`await anyio.to_thread.run_sync(...)`) or a process pool",
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
    # When the blocking path is taken only under tests the linter could not decide: what they are.
    condition: str = ""

    @property
    def code(self) -> str:
        return CATEGORY_CODES[self.blocking.category]


def _positional_count(call: cst.Call) -> int:
    return sum(1 for arg in call.args if arg.keyword is None and arg.star != "**")


def _keyword_names(call: cst.Call) -> Tuple[str, ...]:
    """The call's keyword names, `name=False` for a keyword given the literal False, plus the non-blocking
    flags its arguments name (as the summary records them)."""
    names = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    names += [
        f"{arg.keyword.value}=False"
        for arg in call.args
        if arg.keyword is not None and isinstance(arg.value, cst.Name) and arg.value.value == "False"
    ]
    flags = set()
    stack: List[cst.CSTNode] = [arg.value for arg in call.args]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value in NONBLOCKING_FLAGS:
            flags.add(node.value)
        stack.extend(node.children)
    return tuple(names) + tuple(sorted(flags))


def _passed_values(call: cst.Call, annotated: Dict[str, str]) -> Tuple[Tuple[str, str, str], ...]:
    """What a coroutine's call passes, by slot, as the summary records it (index/guards.py): string
    literals, number and bool constants, built-in types shown by the argument's form or by the coroutine's parameter annotations
    (`annotated`), and "other" for anything else (a coroutine's parameter is not forwarded to its callers)."""
    found = []
    position = 0
    for arg in call.args:
        if arg.star:
            found.append(("*", "other", ""))
            if arg.star == "*":
                position = -1  # later positions are unknown
            continue
        slot = arg.keyword.value if arg.keyword is not None else (str(position) if position >= 0 else None)
        if arg.keyword is None and position >= 0:
            position += 1
        if slot is not None:
            found.append((slot, *_passed_value(arg.value, annotated)))
    return tuple(found)


def _passed_value(value: cst.BaseExpression, annotated: Dict[str, str]) -> Tuple[str, str]:
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        text = value.evaluated_value
        if isinstance(text, str):
            return "literal", text
        if isinstance(text, bytes):
            return "type", "bytes"
    if isinstance(value, (cst.Integer, cst.Float)):
        return "constant", repr(value.evaluated_value)
    if isinstance(value, cst.Name) and value.value in _NAMED_CONSTANTS:
        return _NAMED_CONSTANTS[value.value]
    if isinstance(value, cst.Name) and value.value in annotated:
        return "type", annotated[value.value]
    known = _VALUE_TYPES.get(type(value).__name__)
    if isinstance(value, cst.Await):
        value = value.expression
    if known is None and isinstance(value, cst.Call):
        known = _call_result(value)
    return ("type", known) if known else ("other", "")


def _call_result(value: cst.BaseExpression) -> Optional[str]:
    """The type a call's result is known to have: bytes, some object, or None when it may be None."""
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    return "bytes" if name in BYTES_CALLS else None if name in MAYBE_NONE_CALLS else SOMETHING


_NAMED_CONSTANTS = {"True": ("constant", "True"), "False": ("constant", "False"), "None": ("type", "NoneType")}
# By the libcst node's class name (the module is not imported to define this).
_VALUE_TYPES = {"Dict": "dict", "List": "list", "Tuple": "tuple", "Set": "set", "FormattedString": "str"}


def _annotated_params(function: cst.FunctionDef) -> Dict[str, str]:
    """A coroutine's parameters annotated with a built-in type other than str (`body: bytes`)."""
    found = {}
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Name) and annotation.value in KNOWN_TYPES and annotation.value != "str":
            found[param.name.value] = annotation.value
    return found


_PATCHERS = ("patch", "patch.object", "monkeypatch.setattr", "mocker.patch", "mocker.patch.object")
# Every patcher's name holds one of these: a file without them patches nothing, and walking a coroutine's
# libcst nodes to find out costs more than the rest of the file's blocking-call search.
_PATCHER_WORDS = ("patch", "setattr")


def patched_names(function: cst.FunctionDef) -> FrozenSet[str]:
    """The names a test replaces with a mock while it runs: `@patch("app.io.load_model")`,
    `with patch.object(store, "upload"):`, `monkeypatch.setattr(io, "load_model", fake)`,
    `mocker.patch("app.io.load_model")` -> {"load_model", "upload"}."""
    found = set()
    calls = [decorator.decorator for decorator in function.decorators if isinstance(decorator.decorator, cst.Call)]
    calls += [node for node in _descendants(function.body) if isinstance(node, cst.Call)]
    for call in calls:
        name = semantic.dotted_name(call.func) or ""
        if not any(name == patcher or name.endswith("." + patcher) for patcher in _PATCHERS):
            continue
        strings = [arg.value.evaluated_value for arg in call.args[:2] if isinstance(arg.value, cst.SimpleString)]
        if strings and isinstance(strings[0], str):
            found.add(strings[0].rpartition(".")[2])
    return frozenset(found)


def _descendants(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in current.children if not isinstance(child, (cst.FunctionDef, cst.ClassDef)))


def _mocked(target: str, blocked: "Blocked", patched: FrozenSet[str]) -> bool:
    """Whether the call, a function on its chain or the blocking call it ends at is mocked where it runs."""
    if not patched:
        return False
    names = [target, blocked.blocking.name, *(hop.name for hop in blocked.chain)]
    return any(name.replace("()", "").rpartition(".")[2] in patched for name in names)


class BlockingFinder:
    """Runs in the rules' traversal and collects every blocking call the file's coroutines make."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.semantics = context.semantics
        self.awaited: Set[cst.CSTNode] = set()
        self.statements: Set[cst.CSTNode] = set()
        self.with_items: Set[cst.CSTNode] = set()
        # Expressions a trailer (`.attr`, `[i]`, `(...)`) follows: an `await` put there needs parentheses.
        self.trailed: Set[cst.CSTNode] = set()
        # Calls inside an f-string's `{...}`: before Python 3.12 a line break there is a syntax error.
        self.in_fstrings: Set[cst.CSTNode] = set()
        self._fstring_depth = 0
        self.sites: List[BlockingSite] = []
        self.annotated: Dict[cst.FunctionDef, Dict[str, str]] = {}  # per coroutine, see _annotated_params
        self.patched: Dict[cst.FunctionDef, FrozenSet[str]] = {}  # per coroutine, see patched_names
        self.patches = any(word in context.source for word in _PATCHER_WORDS)
        # Per coroutine, the calls the index records with something a rule must know (see _indexed_call).
        self.indexed: Dict[cst.FunctionDef, Dict[Tuple[int, int], "Call"]] = {}
        self.off_loop: Dict[cst.FunctionDef, bool] = {}  # per coroutine, see _off_loop

    def get_visitors(self):
        return {name: getattr(self, name) for name in visitor_names(self)}

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(node.expression)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self.with_items.add(node.item)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.trailed.add(node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.trailed.add(node.value)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.statements.add(node.value)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._fstring_depth += 1

    def leave_FormattedStringExpression(self, original_node: cst.FormattedStringExpression) -> None:
        self._fstring_depth -= 1

    def _call_results(self, call: cst.Call, function: cst.FunctionDef) -> Dict[str, str]:
        """The call's arguments that are locals the coroutine binds once, to what a call returns
        (`config = AssistantConfig.load()`): some object, never None (`.get()`-style calls aside)."""
        found = {}
        for arg in call.args:
            if isinstance(arg.value, cst.Name):
                value = self.semantics.assigned_once(arg.value, function)
                known = _call_result(value) if value is not None else None
                if known is not None:
                    found[arg.value.value] = known
        return found

    def visit_Call(self, node: cst.Call) -> None:
        self.trailed.add(node.func)
        if self._fstring_depth:
            self.in_fstrings.add(node)
        if node in self.awaited:
            return
        function = self.semantics.enclosing_function(node)
        if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
            return
        index = self.context.index
        positional, keywords = _positional_count(node), _keyword_names(node)
        annotated = self.annotated.get(function)
        if annotated is None:
            annotated = self.annotated[function] = _annotated_params(function)
        passes = _passed_values(node, {**self._call_results(node, function), **annotated})
        patched = self.patched.get(function)
        if patched is None:
            patched = self.patched[function] = patched_names(function) if self.patches else frozenset()
        indexed = self._indexed_call(node, function)
        if (indexed is not None and indexed.exempt) or self._off_loop(function):
            return
        switches = tuple(guard for guard in indexed.guards if is_switch(guard[0])) if indexed is not None else ()
        for target in self.semantics.call_targets(node):
            found = [
                blocked for blocked in index.classify(target, positional, keywords, passes, switches)
                if not _mocked(target, blocked, patched)
            ]
            if found:
                qualname = self.semantics.function_qualname(function)
                key = self.semantics.qualify(qualname)
                for blocked in found:  # one per category: each rule reports its own
                    self.sites.append(
                        BlockingSite(node, blocked.blocking, blocked.chain, function, qualname, key, node in self.statements, blocked.condition)
                    )
                return

    def _off_loop(self, function: cst.FunctionDef) -> bool:
        """Whether the coroutine runs only on a loop the project made for itself, in a thread of its own
        (reach.ELSEWHERE): blocking there stalls nothing the server runs."""
        found = self.off_loop.get(function)
        if found is None:
            key = self.semantics.qualify(self.semantics.function_qualname(function))
            found = self.off_loop[function] = self.context.index.runs_elsewhere(key)
        return found

    def _indexed_call(self, node: cst.Call, function: cst.FunctionDef) -> Optional["Call"]:
        """The index's record of the call, found by its position as `ast` gives it, when the record says
        something: that the call is made once (Call.once: it fills a cache, or runs only while one an earlier
        statement has filled is empty), returns at once (Call.prompt: it reaps a process just killed), or
        runs only under a test of a switch (switches.py)."""
        calls = self.indexed.get(function)
        if calls is None:
            qualname = self.semantics.function_qualname(function)
            summary_function = self.context.index.functions_of(self.context.summary).get(qualname)
            recorded = summary_function.calls if summary_function is not None else ()
            calls = self.indexed[function] = {
                (call.row, call.col): call
                for call in recorded
                if call.exempt or any(is_switch(guard[0]) for guard in call.guards)
            }
        if not calls:
            return None
        start = self.context.span(node)[0]
        line = self.context.lines()[start.row - 1]
        return calls.get((start.row, len(line[: start.column - 1].encode("utf-8"))))


def blocking_sites(context: FileContext) -> List[BlockingSite]:
    return context.memo[BlockingFinder].sites


def root_of(context: FileContext, site: BlockingSite) -> str:
    """The finding's blocking root (Diagnostic.root): where the chain's last project function lives, its
    name and the call it blocks on; for a direct call, the coroutine itself."""
    import os

    if site.chain:
        function = site.chain[-2]
        where, name = function.filename, function.name
    else:
        where, name = context.path, site.qualname
    relative = os.path.relpath(where, context.settings.root) if where else ""
    return f"{relative.replace(os.sep, '/')}:{name} -> {site.blocking.name}"


def short_name(context: FileContext, node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(context.module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def message_for(context: FileContext, site: BlockingSite) -> str:
    function = site.function.name.value
    label = "declared blocking (`extra-blocking-calls`)" if site.blocking.declared else CATEGORY_LABELS[site.blocking.category]
    advice = "run it in a worker thread" if site.blocking.declared else ADVICE[site.blocking.category]
    if not site.chain:
        when = f" (when {site.condition})" if site.condition else ""
        if site.blocking.declared:
            return f"Call `{site.blocking.name}` is {label} in async function `{function}`{when}; {advice}"
        return f"Blocking {label} call `{site.blocking.name}` in async function `{function}`{when}; {advice}"
    hops = " -> ".join(f"{hop.name}()" for hop in site.chain[:-1])
    callee = short_name(context, site.node.func)
    blocks = f"may block the event loop (when {site.condition})" if site.condition else "blocks the event loop"
    return (
        f"`{callee}()` {blocks} in async function `{function}`: "
        f"{hops} -> {site.chain[-1].name} ({label}); {advice}"
    )


# ---------------------------------------------------------------------- fixes
def _binds_other_than_module(context: FileContext, node: cst.CSTNode, name: str) -> bool:
    """Whether `name` is bound, in the scopes that see `node`, to anything but `import name`."""
    scope = context.semantics.scope(node)
    while scope is not None:
        for assignment in scope.assignments[name] if name in scope.assignments else ():
            if not (isinstance(assignment, metadata.ImportAssignment) and _imports_module(assignment.node, name)):
                return True
        if isinstance(scope, metadata.GlobalScope):
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
    if not isinstance(context.semantics.scope(call), metadata.FunctionScope):
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


# Handing these to another thread changes more than timing: sqlite3 connections refuse other threads,
# sessions and cursors are not thread-safe, an RLock acquired in a worker is owned by that worker, and a
# server that reads the console needs a redesign rather than a thread.
_NOT_OFFLOADED = frozenset({Category.DB, Category.ORM, Category.LOCK, Category.INPUT})
_THREAD_RUNNERS = (
    # (qualified name imported in the file, how to call it from that name, accepts keyword arguments)
    ("fastapi.concurrency.run_in_threadpool", "", True),
    ("starlette.concurrency.run_in_threadpool", "", True),
    ("anyio.to_thread.run_sync", "", False),
    ("anyio.to_thread", ".run_sync", False),
    ("anyio", ".to_thread.run_sync", False),
    ("asyncio.to_thread", "", True),
    ("asyncio", ".to_thread", True),
)


@dataclass(frozen=True)
class ThreadRunner:
    name: str  # the name the call goes through, as the file spells it (`asyncio`, `run_in_threadpool`)
    call: str  # the expression to call (`asyncio.to_thread`)
    keywords: bool  # whether it forwards keyword arguments itself (anyio's run_sync does not)
    import_module: Optional[str] = None  # the import to add, when the file has none


def thread_runner(context: FileContext) -> ThreadRunner:
    """How this file already runs sync code in a thread, else `asyncio.to_thread` (import added)."""

    def find() -> ThreadRunner:
        scope = context.semantics.scope(context.module)
        imported: Dict[str, str] = {}
        for assignment in scope.assignments if scope is not None else ():
            if isinstance(assignment, metadata.ImportAssignment):
                for qualified in scope.get_qualified_names_for(assignment.name):
                    imported.setdefault(qualified.name, assignment.name)
        for qualified, suffix, keywords in _THREAD_RUNNERS:
            if qualified in imported:
                return ThreadRunner(imported[qualified], imported[qualified] + suffix, keywords)
        return ThreadRunner("asyncio", "asyncio.to_thread", True, import_module="asyncio")

    return context.shared("thread-runner", find)


def _sees_import(context: FileContext, node: cst.CSTNode, runner: ThreadRunner) -> bool:
    """Whether `runner.name` at `node` still means the module-level import (no local rebinding)."""
    if runner.import_module is not None:
        return not _binds_other_than_module(context, node, runner.name)
    scope = context.semantics.scope(node)
    while scope is not None and not isinstance(scope, metadata.GlobalScope):
        if runner.name in scope.assignments:
            return False
        scope = scope.parent
    return True


def to_thread_fix(context: FileContext, site: BlockingSite) -> Optional[Fix]:
    """A blocking call -> `await asyncio.to_thread(f, ...)` (or the file's own thread runner) (unsafe)."""
    call = site.node
    finder = context.memo[BlockingFinder]
    if site.blocking.category in _NOT_OFFLOADED or call in finder.with_items:
        return None  # in a `with` header the body would still block on the object it returns
    scope = context.semantics.scope(call)
    if not isinstance(scope, metadata.FunctionScope) or scope.node is not site.function:
        return None  # a comprehension, lambda or nested def: an `await` there changes what runs when
    runner = thread_runner(context)
    if not _sees_import(context, call, runner):
        return None
    keywords = [arg for arg in call.args if arg.keyword is not None or arg.star == "**"]
    if any(arg.keyword is not None and arg.keyword.value == "func" for arg in keywords):
        return None  # would collide with the runner's own parameter
    edits: List[Optional[Edit]] = []
    partial = bool(keywords) and not runner.keywords
    if partial:
        if _binds_other_than_module(context, call, "functools"):
            return None
        edits.append(context.import_edit("functools"))
    if runner.import_module is not None:
        edits.append(context.import_edit(runner.import_module))
    start, end = context.span(call)
    one_line = call in finder.in_fstrings
    replacement = _formatted_wrap(context, call, runner, partial, call in finder.trailed, one_line)
    if replacement is None:
        replacement = _spliced_wrap(context, call, runner, partial, call in finder.trailed)
    if one_line and "\n" in replacement and "\n" not in context.original_text(call):
        return None
    edits.insert(0, Edit(replacement, start, end))
    return context.fix(
        Applicability.UNSAFE,
        f"Run `{short_name(context, call.func)}` in a worker thread with `await {runner.call}(...)`",
        edits,
    )


def _formatted_wrap(
    context: FileContext, call: cst.Call, runner: ThreadRunner, partial: bool, trailed: bool, one_line: bool
) -> Optional[str]:
    """`await runner(f, *args)` laid out as ruff format would (call_layout.py), or None when the call holds
    a comment or an argument whose lines cannot move. ONE_LINE keeps it on one line whatever its length
    (ruff format leaves the inside of an f-string's `{...}` as written)."""
    if context.has_comments(call):
        return None
    lines = context.lines()
    start, end = context.span(call)
    first = lines[start.row - 1]
    newline = first[len(first.rstrip("\r\n")) :] or "\n"
    before = first[: start.column - 1]
    arguments = [context.original_text(call.func)]
    for arg in call.args:
        text = relative(_argument_text(context, arg).replace(newline, "\n"), _line_indentation(lines, context.span(arg)[0].row))
        if text is None:
            return None
        arguments.append(text)
    if "\n" in arguments[0]:
        return None
    wrappers = ((("(", ")"),) if trailed else ()) + (((f"await {runner.call}(", ")"),) if partial else ())
    wrapped = CallText(
        "functools.partial(" if partial else f"await {runner.call}(",
        arguments,
        ")",
        isinstance(call.args[-1].comma, cst.Comma) if call.args else False,
        wrappers,
    )
    after = lines[end.row - 1][end.column - 1 :].rstrip("\r\n")
    if one_line:
        return None if wrapped.breaks else wrapped.flat()
    return layout(wrapped, Surroundings(before, after)).replace("\n", newline)


def _argument_text(context: FileContext, arg: cst.Arg) -> str:
    keyword = f"{arg.keyword.value}=" if arg.keyword is not None else ""
    return f"{arg.star}{keyword}{context.original_text(arg.value)}"


def _line_indentation(lines: Sequence[str], row: int) -> str:
    line = lines[row - 1]
    return line[: len(line) - len(line.lstrip())]


def _spliced_wrap(context: FileContext, call: cst.Call, runner: ThreadRunner, partial: bool, trailed: bool) -> str:
    """`await runner(f, *args)` spliced from the call's own text, so that its comments and layout stay."""
    callee = context.original_text(call.func)
    inner = context.original_text(call)[len(callee) :].strip()[1:-1]
    first_line, newline, rest = inner.partition("\n")
    if newline and (not first_line.strip() or first_line.strip().startswith("#")):
        # Arguments one per line after `(` (and its comment): the callee becomes the first of them.
        indentation = rest[: len(rest) - len(rest.lstrip(" \t"))]
        arguments = f"{first_line}{newline}{indentation}{callee},{newline}{rest}"
    else:
        arguments = callee + (", " + inner if inner.strip() else "")
    if partial:
        arguments = f"functools.partial({arguments})"
    replacement = f"await {runner.call}({arguments})"
    return f"({replacement})" if trailed else replacement


def fix_for(context: FileContext, site: BlockingSite) -> Optional[Fix]:
    return sleep_fix(context, site) or make_sync_fix(context, site) or to_thread_fix(context, site)


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
                    root=root_of(self.context, site),
                )
