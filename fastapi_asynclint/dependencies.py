"""What a file's findings depend on besides its own text, as digests the runner keys the cache by.

A file's findings are a function of its text, the settings and what the linked index tells about it. The
index's part is:
- the semantic key: the link state's key and every file's part of the project-wide models. While it is
  the same, no fact any file reads of another has changed, but rows;
- the rows its findings show of other files (their chains): `chain_files`;
- when the semantic key did change, the file's fingerprint (`function_facts`, `combined`): the facts
  its code reads (what each call resolves to, the chain through which it blocks, which functions FastAPI
  runs per request and where each runs, which are awaited, the dependencies its parameters name), of
  every function of the file: one the rules did not read may hold a finding once another file changes.
  An edit elsewhere that changes none of them leaves it.

`focus_key` names what the rules read of a file (focus.py): an edit outside the definitions they read
keeps their findings, whose rows then move with the focused text.
"""

from __future__ import annotations

import hashlib
import weakref
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from fastapi_asynclint.index.switches import is_switch

if TYPE_CHECKING:
    from fastapi_asynclint.diagnostics import Diagnostic
    from fastapi_asynclint.index.summary import Function, ModuleSummary


def _digest(parts: Iterable[str]) -> str:
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def semantic_key(link_key: str, parts: Mapping[str, str]) -> str:
    """`parts`: each file's models.FileParts digest."""
    return _digest([link_key, *(f"{path} {digest}" for path, digest in sorted(parts.items()))])


def function_facts(index, summary: "ModuleSummary") -> Dict[str, str]:
    """Each function's facts (what its calls resolve to, where it runs, ...) as a digest, by qualname."""
    model, awaited, held, context = index.fastapi, index.awaited_functions(), index.held_contexts(), index.context_vars
    found: Dict[str, str] = {}
    for function in summary.functions:
        key = f"{summary.module}.{function.qualname}"
        reach = f"{index.reach_of(key)} {index.runs_elsewhere(key)} {index.app_found}"
        facts = [f"F {key} {model.kind(key)} {model.routes.get(key)} {key in awaited} {reach}"]
        for call in (*function.calls, *function.decorators):
            facts.extend(_call_facts(index, call, held, context))
        for param in function.params:
            depends = param.depends or index.dependency_alias(param.annotation_ref)
            if depends:
                dependency = index.resolve(depends)
                facts.append(f"D {dependency.kind} {dependency.name} {index.yields(dependency)}")
        found[function.qualname] = _digest(facts)
    return found


def combined(index, facts: Mapping[str, str], summary: "ModuleSummary", kept: Optional[Callable[["Function"], bool]] = None) -> str:
    """The fingerprint of the file (`kept`: of these functions) from its `function_facts`."""
    model, context = index.fastapi, index.context_vars
    parts: List[str] = [repr((sorted(context.request_vars), sorted(context.setters.items())))]
    per_request = False
    for function in summary.functions:
        if kept is not None and not kept(function):
            continue
        parts.append(facts[function.qualname])
        per_request = per_request or model.kind(f"{summary.module}.{function.qualname}") is not None
    if per_request:
        # Work a request hands off may be named anywhere (`Thread(target=job)`): what it reads of request
        # context variables is read through the whole model.
        parts.append(f"R {sorted(context.reads.items())}")
    return _digest(parts)


# Per index, what a call of a target (with these arguments) meets: calls of `len`, a logger or one helper
# recur thousands of times in a project, and their facts are the same each time.
_TARGET_FACTS: "weakref.WeakKeyDictionary[object, Dict[tuple, str]]" = weakref.WeakKeyDictionary()


def _call_facts(index, call, held, context) -> List[str]:
    facts = []
    known = _TARGET_FACTS.setdefault(index, {})
    switches = tuple(guard for guard in call.guards if is_switch(guard[0]))
    for target in call.targets:
        key = (target, len(call.args), call.keywords, call.passes, switches)
        fact = known.get(key)
        if fact is None:
            fact = known[key] = _target_fact(index, target, call, held, context, switches)
        facts.append(fact)
    for argument in call.args:
        if argument:
            fact = known.get(argument)
            if fact is None:
                fact = known[argument] = _argument_fact(index, argument, context)
            facts.append(fact)
    if call.first_str:
        facts.append(f"S {context.named(call.first_str.rpartition('.')[2])}")
    return facts


def _argument_fact(index, argument: str, context) -> str:
    resolved, ref = index.callee(argument)
    readers = index.models.connection_readers
    return f"A {resolved.kind} {resolved.name} {(context.reads.get(ref.key), ref.key in readers) if ref else None}"


def _target_fact(index, target: str, call, held, context, switches: tuple) -> str:
    """What a call of `target` with the call's arguments meets (see `function_facts`)."""
    resolved, ref = index.callee(target)
    fact = f"C {resolved.kind} {resolved.name} {resolved.blocking.name if resolved.blocking else ''}"
    if switches:  # which of the tests it runs under are switches depends on the functions they call
        fact += f" {sorted(index.settled(switches), key=repr)}"
    if ref is not None:
        function = index.function_of(ref)
        awaits = (function.awaits, bool(function.decorators)) if function else None
        fact += f" {ref.key} {ref.is_async} {awaits} {index.is_offloaded(ref)} {index.dispatched(ref, ())}"
        fact += f" {held.get(ref.key, ())} {context.reads.get(ref.key)} {ref.key in index.models.connection_readers}"
        for option in index.witnesses.get(ref.key, ()):
            found = index.blocking_chain(ref, option)
            hops = [(hop.name, hop.filename) for hop in found[0]] if found else None
            fact += f" {sorted(option.guards, key=repr)} {hops}"
        # What the call itself meets, which also reads the callee's parameter defaults (guards.py).
        blocked = index.classify(target, len(call.args), call.keywords, call.passes, switches)
        fact += f" {[(b.blocking.name, b.condition, [(hop.name, hop.filename) for hop in b.chain]) for b in blocked]}"
    return fact


def chain_files(path: str, findings: Sequence["Diagnostic"]) -> Tuple[str, ...]:
    """The other files whose rows the findings show."""
    return tuple(sorted({hop.filename for finding in findings for hop in finding.chain if hop.filename and hop.filename != path}))


def focus_key(identity: Tuple[str, ...], focused_text: str, records: Sequence[object], fingerprint_: str) -> str:
    """What the findings of a focused lint are made of: `identity` (path, module, codes, settings), the
    focused text, the summary records of the code kept (rows in the focused text) and its fingerprint."""
    return _digest([repr(identity), repr(list(records)), fingerprint_, focused_text])
