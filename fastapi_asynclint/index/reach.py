"""Where each function runs, from the FastAPI model and the call graph: its reach.

* `request`: a route, dependency, middleware or websocket handler, or code they call; a socket.io event
  handler (`@sio.on("message")`, `@sio.event`, `sio.on("message", handler)`, an `AsyncNamespace`'s
  `on_<event>` methods) is a websocket handler too: it runs per message of a connected client;
* `background`: work that served code (request, startup or background) hands off
  (`BackgroundTasks.add_task`, `asyncio.create_task`, a thread or another thread's loop, a task queue), or
  code it calls;
* `startup`: the lifespan, startup and shutdown handlers, module-level code, or code they call: it runs
  once per process (a function module-level code only registers, `cli.command()(main)`, is not called; a
  script's `if __name__ == "__main__":` block counts only when it builds the app it serves);
* `unserved`: nothing of an app reaches it: command-line tools, scripts, tests, dead code.

A coroutine handed to a loop that a thread of the project runs (`run_coroutine_threadsafe(coro,
self.loop)`, where the class hands `self.loop.run_forever` to a thread: see `_private_loop`) is background
work too, but runs on that loop: blocking there stalls nothing the server runs, as blocking in a thread
does not. Such a function, and what it calls, is `elsewhere` in the mapping when nothing on the serving
loop reaches it (what it hands back to another loop is on it again); it is shown as `background`, and the
blocking rules (FAL1xx) leave it alone. So is a coroutine that a sync function served code runs (a `def` route,
a thread) runs to its end (`asyncio.run(coro)`, `loop.run_until_complete(coro)`): asyncio refuses to run the
serving loop while it runs, so that loop is the calling thread's own. Run that way at startup or while a
module loads, the coroutine is called (that loop may be the one that then serves), and in a project that
lets loops run inside running ones (`nest_asyncio.apply()`) it is called wherever it is run.

A function handed to a project function's parameter runs where that parameter is called: in the callee
itself, or in a function nested in it (`await start_task(work=scan)`, where `start_task` schedules a
`_child` that awaits `work()`, makes `scan` background work). A function reached several ways takes the
first of that order. A project where no app is found treats
every function as `request` (the linter cannot tell what serves it). Test files (`tests/`, `test_*.py`,
`*_test.py`, `conftest.py`) are `unserved` unless an app is built in them.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Set, Tuple

from fastapi_asynclint.index.summary import APP_CLASSES, MODULE_SCOPE, ClassInfo, Function, ModuleSummary, passed_parameters

REACHES = ("request", "background", "startup", "unserved")
ELSEWHERE = "elsewhere"

IN_PROCESS = frozenset(
    {
        "fastapi.BackgroundTasks.add_task", "starlette.background.BackgroundTasks.add_task",
        "fastapi.background.BackgroundTasks.add_task", "starlette.background.BackgroundTask",
        "fastapi.BackgroundTasks", "starlette.background.BackgroundTasks",
    }
)
TASK_SPAWNERS = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.AbstractEventLoop.create_task",
                           "asyncio.tasks.create_task", "asyncio.tasks.ensure_future", "asyncio.TaskGroup.create_task"})
# Work handed to another thread, or to another thread's loop (`run_coroutine_threadsafe(coro, loop)`).
THREAD_HANDOFFS = frozenset({"asyncio.AbstractEventLoop.run_in_executor", "threading.Thread",
                             "concurrent.futures.ThreadPoolExecutor.submit", "concurrent.futures.Executor.submit",
                             "concurrent.futures.ProcessPoolExecutor.submit", "asyncio.run_coroutine_threadsafe",
                             "asyncio.tasks.run_coroutine_threadsafe"})
LOOP_HANDOFFS = frozenset({"asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe"})
# What runs a coroutine to its end on a loop of the calling thread (`loop.run_until_complete(coro)` on any
# loop: no other object has that method). A sync function served code calls cannot do that on the running
# serving loop, so the coroutine runs elsewhere, unless nest_asyncio lets a loop be run inside itself.
LOOP_RUNNERS = frozenset({"asyncio.run", "asyncio.runners.run", "asyncio.Runner.run", "asyncio.runners.Runner.run",
                          "uvloop.run", "anyio.run", "anyio._core._eventloop.run", "trio.run"})
LOOP_RUNNER_METHODS = frozenset({"run_until_complete"})
LOOP_REENTRY = frozenset({"nest_asyncio.apply"})
LOOP_MAKERS = frozenset({"asyncio.new_event_loop", "asyncio.events.new_event_loop", "uvloop.new_event_loop"})
PRIVATE_LOOPS = frozenset(f"{maker}()" for maker in LOOP_MAKERS)
# Task queues (celery, arq, taskiq, dramatiq) and job schedulers (APScheduler's `add_job`): what they are
# given runs later, apart from the code that hands it over.
QUEUE_METHODS = frozenset({"delay", "apply_async", "send_task", "enqueue_job", "kiq", "send_with_options", "add_job"})
SCHEDULER_NAMES = IN_PROCESS | TASK_SPAWNERS | THREAD_HANDOFFS | frozenset({"rq.Queue.enqueue", "rq.queue.Queue.enqueue"})
# The callable a scheduler runs: its first positional argument, or one of these keywords.
_TASK_KEYWORDS = ("target", "func", "fn")
_STARTUP_EVENTS = ("startup", "shutdown")
# What registers a socket.io event handler, and the namespace classes whose `on_<event>` methods are ones.
SOCKET_REGISTRARS = frozenset(
    f"{server}.{method}" for server in ("socketio.AsyncServer", "socketio.async_server.AsyncServer") for method in ("on", "event")
)
SOCKET_NAMESPACES = frozenset({"socketio.AsyncNamespace", "socketio.async_namespace.AsyncNamespace"})


class ReachPart(NamedTuple):
    """What one function tells about reach."""

    key: str
    # The project functions it calls, and those it hands off to run later or elsewhere.
    calls: Tuple[str, ...]
    scheduled: Tuple[str, ...]
    # The project functions it registers to run at startup (`FastAPI(lifespan=f)`, `add_event_handler`).
    startup: Tuple[str, ...]
    # Whether it is a startup or shutdown handler itself (`@app.on_event("startup")`), or module-level code.
    at_startup: bool
    # Whether it builds an app (`FastAPI()`, `Starlette()`).
    builds_app: bool
    # For a method, the methods of the project's base classes it overrides: a call of one of them on an
    # instance of this class runs this one (`self.invoke()` in a base class's `respond`).
    overrides: Tuple[str, ...] = ()
    # The socket.io event handlers it registers, itself included when it is one.
    handlers: Tuple[str, ...] = ()
    # (runner, handed, scheduled): a function it hands to a project function's parameter, the function
    # that calls that parameter (the callee, or a function nested in it), and whether that call only
    # hands the coroutine to a scheduler (`ensure_future(work())`).
    delegated: Tuple[Tuple[str, str, bool], ...] = ()
    # The coroutines it hands to a loop the project made for itself (a thread runs it): see `ELSEWHERE`;
    # and those it hands to any other loop (`run_coroutine_threadsafe(coro, main_loop)`), which may be the
    # serving loop even when this function runs elsewhere (they are among `scheduled` too).
    elsewhere: Tuple[str, ...] = ()
    handed_back: Tuple[str, ...] = ()
    # The coroutines (or async functions) it runs to their end on a loop of its own thread (LOOP_RUNNERS):
    # called, when it runs at startup; run elsewhere, when a request or background work runs it.
    completes: Tuple[str, ...] = ()
    # Whether it lets a loop be run inside a running one (`nest_asyncio.apply()`), for the whole process.
    reenters_loops: bool = False


def reach_part(index, summary: ModuleSummary, function: Function, key: str) -> Optional[ReachPart]:
    """`index`: the linked ProjectIndex."""
    calls: Set[str] = set()
    scheduled: Set[str] = set()
    elsewhere: Set[str] = set()
    handed_back: Set[str] = set()
    startup: Set[str] = set()
    handlers = set(_socket_handlers(index, summary, function, key))
    delegated: Set[Tuple[str, str, bool]] = set()
    builds_app = False
    completes, only_completed, reenters_loops = _loop_runs(index, function, key)
    for call in function.calls:
        for target in call.targets:
            name = index.resolve(target).name
            builds_app = builds_app or name.rsplit("()", 1)[0] in APP_CLASSES
            if name in SOCKET_REGISTRARS:  # `sio.on("message", handler)`
                handlers.update(_functions(index, [*call.args[1:], dict(call.keyword_values).get("handler")]))
            _, callee = index.callee(target)
            if callee is not None and callee.key != key:
                calls.add(callee.key)
                delegated.update(_delegated(index, call, callee))
            tasks = _handed(index, call) if name in SCHEDULER_NAMES or call.attr in QUEUE_METHODS else ()
            if name in LOOP_HANDOFFS and _private_loop(index, summary, function, call):
                elsewhere.update(tasks)
            else:
                scheduled.update(tasks)
                if name in LOOP_HANDOFFS:
                    handed_back.update(tasks)
            if "lifespan" in dict(call.keyword_values) or (call.attr == "add_event_handler" and call.first_str in _STARTUP_EVENTS):
                startup.update(_functions(index, [dict(call.keyword_values).get("lifespan"), *call.args[1:]]))
        for argument in call.args if function.qualname != MODULE_SCOPE else ():
            # A callback: `run_in_threadpool(f)`, `Depends(f)`. At module level a function handed over is
            # registered (`cli.command()(f)`), not run.
            found = _function_key(index, argument)
            if found is not None and found not in scheduled | elsewhere | completes:
                calls.add(found)
    scheduled -= completes  # tasks a sync function spawns for the loop it then runs
    calls -= scheduled | elsewhere | only_completed  # `create_task(work())` calls work() only to hand it over
    calls -= {handed for _, handed, _ in delegated}  # it runs where the callee calls it
    at_startup = function.qualname == MODULE_SCOPE or any(
        decorator.attr == "on_event" and decorator.first_str in _STARTUP_EVENTS for decorator in function.decorators
    )
    overrides = _overridden(index, summary, function)
    if not (calls or scheduled or elsewhere or completes or startup or at_startup or builds_app or overrides or handlers
            or delegated or reenters_loops):
        return None
    return ReachPart(
        key, tuple(sorted(calls)), tuple(sorted(scheduled)), tuple(sorted(startup)), at_startup, builds_app, overrides,
        tuple(sorted(handlers)), tuple(sorted(delegated)), tuple(sorted(elsewhere)), tuple(sorted(handed_back)),
        tuple(sorted(completes)), reenters_loops,
    )


# The last names of the calls _loop_runs looks for (a call of a bare imported name has no attr).
_LOOP_CALL_NAMES = frozenset(
    name.rsplit(".", 1)[-1] for name in LOOP_RUNNERS | LOOP_RUNNER_METHODS | LOOP_REENTRY | TASK_SPAWNERS
)


def _loop_runs(index, function: Function, key: str) -> Tuple[Set[str], Set[str], bool]:
    """(completes, only_completed, reenters_loops): the coroutines the function runs to their end on a loop
    of its own thread (LOOP_RUNNERS; when a sync function runs a task it spawned, `task =
    ensure_future(work())` then `run_until_complete(task)`, its spawned tasks are for that loop too), those
    it only hands over so (one it also calls at another site, or returns, stays called), and whether it
    applies nest_asyncio."""
    handed_over: Counter = Counter()
    spawned: Set[str] = set()
    runs_spawned = reenters = False
    for call in function.calls:
        if call.attr is not None and call.attr not in _LOOP_CALL_NAMES:
            continue
        names = {index.resolve(target).name for target in call.targets}
        reenters = reenters or bool(names & LOOP_REENTRY)
        if names & LOOP_RUNNERS or (call.attr in LOOP_RUNNER_METHODS and not _project_method(index, call)):
            handed_over.update(set(_functions(index, call.args[:1])))
            runs_spawned = runs_spawned or _spawned_task(index, call.args[0] if call.args else None)
        elif names & TASK_SPAWNERS and not function.is_async:
            tasks = set(_handed(index, call))
            spawned |= tasks
            handed_over.update(tasks)
    completes = {handed for handed in handed_over if handed not in spawned or runs_spawned}
    if not completes:
        return set(), set(), reenters
    called: Counter = Counter()
    for call in function.calls:
        called.update({callee.key for _, callee in map(index.callee, call.targets) if callee is not None and callee.key != key})
    returned = _function_key(index, function.produces)
    only = {handed for handed in completes if called[handed] <= handed_over[handed] and handed != returned}
    return completes, only, reenters


def _project_method(index, call) -> bool:
    """Whether a call resolves to a project function (a class of the project's own with that method name)."""
    return any(index.callee(target)[1] is not None for target in call.targets)


def _spawned_task(index, argument: Optional[str]) -> bool:
    """Whether a loop runner's argument is a task a spawner made (`task = ensure_future(work())`)."""
    return bool(argument) and argument.endswith("()") and index.resolve(argument[:-2]).name in TASK_SPAWNERS


def _private_loop(index, summary: ModuleSummary, function: Function, call) -> bool:
    """Whether a `run_coroutine_threadsafe` call hands its coroutine to a loop that a thread of the
    project's own runs (`run_forever`): a local the function makes, or a global the module makes (the only
    loop that scope makes), whose `run_forever` it hands to a thread; or an attribute whose `run_forever`
    its class hands to a thread, directly or through a sync method. A loop no such thread runs (one taken
    from `get_running_loop()`, a parameter, a loop run with `run_until_complete`) may be the serving loop."""
    loop = call.args[1] if len(call.args) > 1 else dict(call.keyword_values).get("loop")
    if not loop:
        return False
    if loop in PRIVATE_LOOPS:
        return _made_loop_in_thread(index, summary, function, loop)
    owner_text, _, attribute = loop.rpartition(".")
    owner = index.resolve(owner_text or None)
    found = index.class_by_target(owner.name) if owner.kind == "instance" else None
    return found is not None and _attribute_loop_in_thread(index, summary, found, attribute)


def _made_loop_in_thread(index, summary: ModuleSummary, function: Function, loop: str) -> bool:
    """The function makes one loop and hands its `run_forever` to a thread; or it makes none, and the
    module makes one, whose `run_forever` module code or the function hands to a thread."""
    module = index.functions_of(summary).get(MODULE_SCOPE)
    for scope, runners in ((function, (function,)), (module, (module, function))):
        makers = [made for made in (scope.calls if scope is not None else ()) if index.resolve(made.target).name in LOOP_MAKERS]
        if makers:
            return len(makers) == 1 and _threads_run(index, runners, {f"{loop}.run_forever"})
    return False


def _attribute_loop_in_thread(index, summary: ModuleSummary, found, attribute: str) -> bool:
    """A class along the MRO hands `self.<attribute>.run_forever`, or a sync method of its that calls it, to
    a thread. Methods of classes in other modules count only when sync: a coroutine's calls are not among
    the facts a cached link keeps of another module."""
    methods = [
        (f"{owner_summary.module}.{klass.qualname}()", method)
        for owner_summary, klass in index.mro(*found)
        for method in index.functions_of(owner_summary).values()
        if method.class_qualname == klass.qualname and (owner_summary.module == summary.module or not method.is_async)
    ]
    runs = {f"{owner}.{attribute}.run_forever" for owner, _ in methods}
    runners = {
        f"{owner}.{method.qualname.rpartition('.')[2]}"
        for owner, method in methods
        if not method.is_async and any(made.target in runs for made in method.calls)
    }
    return _threads_run(index, [method for _, method in methods], runs | runners)


def _threads_run(index, functions: Iterable[Optional[Function]], targets: Set[str]) -> bool:
    """Whether one of the functions starts a `threading.Thread` whose target is one of `targets`."""
    return any(
        index.resolve(made.target).name == "threading.Thread" and dict(made.keyword_values).get("target") in targets
        for function in functions if function is not None for made in function.calls
    )


def _delegated(index, call, callee) -> List[Tuple[str, str, bool]]:
    """(runner, handed, scheduled) for each project function the call hands to a parameter of the project
    function `callee` that the callee, or a function nested in it, calls (ReachPart.delegated)."""
    summary = index.modules.get(callee.module) if any(call.args) or call.keyword_values else None
    function = index.functions_of(summary).get(callee.qualname) if summary is not None else None
    if function is None or not function.runs:
        return []
    arguments = [*((str(position), target) for position, target in enumerate(call.args)), *call.keyword_values]
    handed = [(slot, key) for slot, key in ((slot, _function_key(index, target)) for slot, target in arguments) if key]
    params = passed_parameters(function)
    positional = [param.name for param in params if not param.keyword_only]
    names = {param.name for param in params}
    runners = _parameter_runners(index, summary, function)
    found = []
    for slot, key in handed:
        name = positional[int(slot)] if slot.isdigit() and int(slot) < len(positional) else slot
        if name in names:
            found.extend((runner, key, _schedules(index, outer)) for param, runner, outer in runners if param == name)
    return found


def _parameter_runners(index, summary: ModuleSummary, function: Function) -> List[Tuple[str, str, str]]:
    """(parameter, runner key, handed to) for each call of one of the function's parameters (Function.runs)."""
    functions = index.functions_of(summary)
    return [
        (param, index.ref(summary, functions[runner]).key, outer)
        for param, runner, outer in function.runs
        if runner in functions
    ]


def _schedules(index, target: str) -> bool:
    return bool(target) and index.resolve(target).name in SCHEDULER_NAMES


def _socket_handlers(index, summary: ModuleSummary, function: Function, key: str) -> Tuple[str, ...]:
    """`(key,)` when the function is a socket.io event handler by its decorator or its namespace class."""
    if any(decorator.target and index.resolve(decorator.target).name in SOCKET_REGISTRARS for decorator in function.decorators):
        return (key,)
    klass, name = _method_class(index, summary, function)
    if klass is None or not name.startswith("on_"):
        return ()
    return (key,) if any(base in SOCKET_NAMESPACES for base in index.base_names(summary, klass)) else ()


def _method_class(index, summary: ModuleSummary, function: Function) -> Tuple[Optional[ClassInfo], str]:
    """The class a method is defined in (None for a function, or one nested in a method), and its name."""
    owner_name, _, name = function.qualname.rpartition(".")
    if not function.class_qualname or owner_name != function.class_qualname:
        return None, name
    return index.classes_of(summary).get(owner_name), name


def _overridden(index, summary: ModuleSummary, function: Function) -> Tuple[str, ...]:
    """The keys of the base-class methods (in the project) that this method overrides."""
    klass, name = _method_class(index, summary, function)
    if klass is None:
        return ()
    found = []
    for owner_summary, owner in list(index.mro(summary, klass))[1:]:
        if f"{owner.qualname}.{name}" in index.functions_of(owner_summary):
            found.append(f"{owner_summary.module}.{owner.qualname}.{name}")
    return tuple(found)


def _handed(index, call) -> List[str]:
    """The project functions a scheduling call hands off."""
    candidates = [call.args[0] if call.args else None, *(value for name, value in call.keyword_values if name in _TASK_KEYWORDS)]
    if call.attr in QUEUE_METHODS and call.target:
        candidates.append(call.target.rsplit(".", 1)[0])  # `send_email.delay(...)` runs send_email
    return _functions(index, candidates)


def _functions(index, targets: Iterable[Optional[str]]) -> List[str]:
    return [key for key in (_function_key(index, target) for target in targets) if key is not None]


def _function_key(index, target: Optional[str]) -> Optional[str]:
    """The project function a callable argument names: `worker`, `worker()` (a coroutine handed over), or
    what a sync factory returns (`lifespan=get_lifespan(...)`, which returns a nested `lifespan`)."""
    if not target:
        return None
    if target.endswith("()"):
        _, factory = index.callee(target[:-2])
        produced = index.resolve(target) if factory is not None and not factory.is_async else None
        if produced is not None and produced.function is not None:
            return produced.function.key
    bare = target[:-2] if target.endswith("()") else target
    _, callee = index.callee(bare)
    return callee.key if callee is not None else None


def is_test_file(path: str) -> bool:
    name = os.path.basename(path)
    parts = path.replace(os.sep, "/").split("/")
    return (
        name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")
        or any(part in ("tests", "test") for part in parts[:-1])
    )


def build_reach(parts: Mapping[str, Iterable[ReachPart]], request_roots: Iterable[str]) -> Dict[str, str]:
    """Function key -> reach, from every file's parts (by path) and the functions FastAPI runs per request.
    Functions missing from the result are `unserved`; an empty result with `served_all` ... see reach_of."""
    by_key: Dict[str, ReachPart] = {}
    tests: Set[str] = set()
    for path, found in parts.items():
        found = list(found)
        test = is_test_file(path) and not any(part.builds_app for part in found)
        for part in found:
            by_key[part.key] = part
            if test:
                tests.add(part.key)
    by_key = _with_edges(by_key)
    if any(part.reenters_loops for part in by_key.values()):
        by_key = _completed_as_called(by_key)
    handlers = {key for part in by_key.values() for key in part.handlers}
    served = {
        "request": _reached((set(request_roots) | handlers) - tests, by_key, tests),
        # Before the server serves, a loop run to its end may be the one that then serves.
        "startup": _reached(
            ({key for part in by_key.values() for key in part.startup} | {part.key for part in by_key.values() if part.at_startup}) - tests,
            _completed_as_called(by_key), tests,
        ),
    }
    entries = served["request"] | served["startup"]
    background = _background(entries, by_key, tests, lambda part: part.scheduled + part.elsewhere + part.completes)
    # Work code on a private loop hands back to another loop runs where served code's own work runs.
    returned = _reached({task for key in background if key in by_key for task in by_key[key].handed_back} - tests, by_key, tests)
    on_loop = returned | _background(entries | returned, by_key, tests, lambda part: part.scheduled)
    reach: Dict[str, str] = {}
    for kind, keys in (("request", served["request"]), ("background", on_loop), ("startup", served["startup"]),
                       (ELSEWHERE, background)):
        for key in keys:
            reach.setdefault(key, kind)
    return reach


def _background(served: Set[str], by_key: Mapping[str, ReachPart], tests: Set[str], handoffs) -> Set[str]:
    """Work served code hands off (`handoffs(part)`), and what that work hands off in turn: background.
    A command-line tool's tasks are not served."""
    background: Set[str] = set()
    while True:
        handed = {task for key in served | background if key in by_key for task in handoffs(by_key[key])}
        grown = _reached(handed - tests, by_key, tests)
        if grown <= background:
            return background
        background |= grown


def _with_edges(by_key: Dict[str, ReachPart]) -> Dict[str, ReachPart]:
    """Each part with the calls other parts tell of: every override of a base-class method it runs (the
    class of `self` decides which), and the functions handed to the parameters it calls."""
    calls: Dict[str, Set[str]] = {}
    scheduled: Dict[str, Set[str]] = {}
    for part in by_key.values():
        for base in part.overrides:
            calls.setdefault(base, set()).add(part.key)
        for runner, handed, handed_over in part.delegated:
            (scheduled if handed_over else calls).setdefault(runner, set()).add(handed)
    extended = dict(by_key)
    for key in calls.keys() | scheduled.keys():
        part = extended.get(key) or ReachPart(key, (), (), (), False, False)
        extended[key] = part._replace(
            calls=tuple(sorted({*part.calls, *calls.get(key, ())})),
            scheduled=tuple(sorted({*part.scheduled, *scheduled.get(key, ())})),
        )
    return extended


def _completed_as_called(by_key: Mapping[str, ReachPart]) -> Dict[str, ReachPart]:
    """The parts with the coroutines each runs to its end counted as calls (ReachPart.completes)."""
    return {key: part._replace(calls=part.calls + part.completes, completes=()) if part.completes else part
            for key, part in by_key.items()}


def _reached(seeds: Set[str], by_key: Mapping[str, ReachPart], tests: Set[str]) -> Set[str]:
    """The seeds and every function they call, test code aside."""
    found: Set[str] = set()
    pending = sorted(seeds)
    while pending:
        key = pending.pop()
        if key in found or key in tests:
            continue
        found.add(key)
        part = by_key.get(key)
        if part is not None:
            pending.extend(callee for callee in part.calls if callee not in found)
    return found


def app_found(parts: Mapping[str, Iterable[ReachPart]], request_roots: Iterable[str]) -> bool:
    """Whether the project serves anything: a route, dependency or middleware, or an app built anywhere."""
    return any(True for _ in request_roots) or any(part.builds_app for found in parts.values() for part in found)
