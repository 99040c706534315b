"""What libcst expressions name, in the index's target notation (see index/summary.py).

Imports, aliases and builtins come from libcst's qualified-name resolution (`Scope.get_qualified_names_for`,
what QualifiedNameProvider computes, asked only for the names a rule needs); locals, parameters and
`self` from its ScopeProvider. Module-level names are handed to the project index as `module.name`, so that a
module-level `client = httpx.Client()` or a re-exported helper resolves the same way in every file.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Dict, List, Mapping, Optional, Set, Tuple, Union

import libcst as cst
from libcst.metadata import (
    Assignment,
    BuiltinAssignment,
    ClassScope,
    ComprehensionScope,
    FunctionScope,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from fastapi_asynclint.catalog import CONSTRUCTED, canonical_name, constructed, literal_argument
from fastapi_asynclint.index.modules import renamed
from fastapi_asynclint.index.summary import DEPENDS_CALLS, absolute_module, attribute_value
from fastapi_asynclint.index.targets import CONTAINER_TYPES, ITEM, items_of

FunctionLike = Union[cst.FunctionDef, cst.Lambda]
_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated", "typing.Optional")
_MAX_DEPTH = 16
VALUE, ANNOTATED = "value", "annotated"


def _container_items(node: cst.BaseExpression) -> Optional[List[Optional[cst.BaseExpression]]]:
    """The expressions a literal or comprehension holds as items (None for a starred one), or None when it
    is no container or its items are built from the names it binds (see summary.container_items)."""
    if isinstance(node, cst.Dict):
        return [None if isinstance(element, cst.StarredDictElement) else element.value for element in node.elements]
    if isinstance(node, (cst.List, cst.Set, cst.Tuple)):
        return [None if isinstance(element, cst.StarredElement) else element.value for element in node.elements]
    if isinstance(node, cst.DictComp):
        item: cst.BaseExpression = node.value
    elif isinstance(node, (cst.ListComp, cst.SetComp)):
        item = node.elt
    else:
        return None
    bound = set()
    generator: Optional[cst.CompFor] = node.for_in
    while generator is not None:
        bound.update(name.value for name in _names_in(generator.target))
        generator = generator.inner_for_in
    head = item
    while isinstance(head, (cst.Call, cst.Attribute, cst.Subscript, cst.Await)):
        head = head.func if isinstance(head, cst.Call) else head.expression if isinstance(head, cst.Await) else head.value
    return None if isinstance(head, cst.Name) and head.value in bound else [item]


def _names_in(node: cst.CSTNode) -> List[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _names_in(element.value)]
    return []


def _all_params(params: Optional[cst.Parameters]):
    if params is None:
        return []
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            found.append(extra)
    return found


def _unpacked(target: cst.BaseExpression, value: cst.BaseExpression) -> List[Tuple[cst.Name, cst.BaseExpression]]:
    """`a, b = x, y`: each name with its element (as summary._unpacked reads it)."""
    if isinstance(target, cst.Name):
        return [(target, value)]
    if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
        targets, values = target.elements, value.elements
        starred = any(isinstance(element, cst.StarredElement) for element in (*targets, *values))
        if len(targets) == len(values) and not starred:
            return [pair for element, item in zip(targets, values) for pair in _unpacked(element.value, item.value)]
    return []


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` as text; None for anything but a plain name/attribute chain."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class _LocalValues(cst.CSTVisitor):
    """Name target -> the expression it is bound to, within one function body (not nested scopes)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: Dict[cst.Name, cst.BaseExpression] = {}
        # The targets of plain `name = value` statements (the others are annotated, `with ... as`, ...).
        self.assigned: Set[cst.Name] = set()
        self.annotations: Dict[cst.Name, cst.BaseExpression] = {}
        # name -> its bindings in source order: (expression, what the name holds of it: VALUE, ANNOTATED
        # (an instance of the type it names) or ITEM (an item of it: a `for` loop's variable))
        self.ordered: Dict[str, List[Tuple[cst.BaseExpression, str]]] = {}

    def _bind(self, target: cst.Name, value: Optional[cst.BaseExpression], annotation=None) -> None:
        if value is not None:
            self.values[target] = value
        if annotation is not None:
            self.annotations[target] = annotation
        if value is not None:
            self.ordered.setdefault(target.value, []).append((value, VALUE))
        elif annotation is not None:
            self.ordered.setdefault(target.value, []).append((annotation, ANNOTATED))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._bind(node.targets[0].target, node.value)
            self.assigned.add(node.targets[0].target)
        elif len(node.targets) == 1:
            for name, value in _unpacked(node.targets[0].target, node.value):
                self._bind(name, value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            if node.value is not None:
                self._bind(node.target, node.value, node.annotation.annotation)
                self.ordered[node.target.value].append((node.annotation.annotation, ANNOTATED))
            else:
                self._bind(node.target, None, node.annotation.annotation)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self._bind(node.asname.name, node.item)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self.ordered.setdefault(node.target.value, []).append((node.iter, ITEM))


def summary_classes(summary) -> Dict[str, Tuple[Tuple[str, str], ...]]:
    """What Semantics reads of a module's classes: each one's attributes (ClassInfo), by qualified name."""
    prefix = f"{summary.module}." if summary.module else ""
    return {prefix + info.qualname: info.attributes for info in summary.classes}


class Semantics:
    """libcst's qualified names are asked for only where needed (`Scope.get_qualified_names_for`, which is
    what QualifiedNameProvider computes for every node of the file)."""

    METADATA = (ScopeProvider,)

    def __init__(
        self,
        wrapper: MetadataWrapper,
        module: str,
        is_package: bool,
        renames: Tuple[Tuple[str, str], ...] = (),
        classes: Mapping[str, Tuple[Tuple[str, str], ...]] = MappingProxyType({}),
    ) -> None:
        self.module = module
        # The module's classes (qualified name -> what their code sets on `self`), from its summary.
        self.classes = classes
        self.is_package = is_package
        self.renames = renames  # what absolute imports name in the index (modules.renamed)
        self.scopes = wrapper.resolve(ScopeProvider)
        self._locals: Dict[cst.CSTNode, _LocalValues] = {}
        self._names: Dict[cst.Name, Tuple[str, ...]] = {}
        self._local_names: Dict[Tuple[cst.CSTNode, str], Tuple[str, ...]] = {}
        self._active: Set[object] = set()

    # ------------------------------------------------------------------ scopes
    def qualified_name_set(self, node: cst.CSTNode):
        scope = self.scopes.get(node)
        if scope is None:
            return set()
        try:
            return scope.get_qualified_names_for(node)
        except Exception:  # noqa: BLE001 - libcst cannot name some synthetic nodes; they have no name
            return set()

    def qualified_names(self, node: cst.CSTNode) -> Set[str]:
        return {q.name for q in self.qualified_name_set(node)}

    def scope(self, node: cst.CSTNode) -> Optional[Scope]:
        return self.scopes.get(node)

    def enclosing_function(self, node: cst.CSTNode) -> Optional[FunctionLike]:
        """The def or lambda whose body runs this node (comprehensions run inline; class bodies at import)."""
        scope = self.scope(node)
        while isinstance(scope, ComprehensionScope):
            scope = scope.parent
        if isinstance(scope, FunctionScope) and isinstance(scope.node, (cst.FunctionDef, cst.Lambda)):
            return scope.node
        return None

    def function_qualname(self, function: cst.FunctionDef) -> str:
        names = sorted(self.qualified_names(function))
        return names[0] if names else function.name.value

    def qualify(self, qualname: str) -> str:
        return f"{self.module}.{qualname}" if self.module else qualname

    # ------------------------------------------------------------------ targets
    def targets(self, node: cst.BaseExpression, depth: int = 0) -> Tuple[str, ...]:
        """Every target `node` may name (several when imports are conditional), sorted."""
        if depth > _MAX_DEPTH:
            return ()
        if isinstance(node, cst.Await):
            return self.targets(node.expression, depth + 1)
        if isinstance(node, cst.Call):
            return tuple(f"{t}()" for t in self.call_targets(node, depth + 1))
        if isinstance(node, cst.Attribute):
            return tuple(f"{t}.{node.attr.value}" for t in self.targets(node.value, depth + 1))
        if isinstance(node, cst.Name):
            return self._name_targets(node, depth)
        if isinstance(node, cst.Subscript):
            heads = self.targets(node.value, depth + 1)
            if any(head in _ANNOTATED for head in heads):
                return self.annotation_types(node, depth + 1)
            return tuple(f"{head}{ITEM}" for head in heads)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return self.targets(node.left, depth + 1)  # `base / "name"` keeps a Path a Path
        items = _container_items(node)
        if items is not None:
            found = items_of([self.target_at(item, depth + 1) for item in items])
            return (found,) if found else ()
        return ()

    def target_at(self, node: Optional[cst.BaseExpression], depth: int) -> Optional[str]:
        found = self.targets(node, depth) if node is not None else ()
        return found[0] if found else None

    def loop_items(self, iterable: cst.BaseExpression, depth: int) -> Tuple[str, ...]:
        """What `for x in iterable` binds x to: an item of it (of `d.values()`: of `d`)."""
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) and not iterable.args:
            if iterable.func.attr.value == "values":
                iterable = iterable.func.value
        return tuple(f"{base}{ITEM}" for base in self.targets(iterable, depth))[:1]

    def target(self, node: cst.BaseExpression) -> Optional[str]:
        found = self.targets(node)
        return found[0] if found else None

    def call_targets(self, call: cst.Call, depth: int = 0) -> Tuple[str, ...]:
        """What a call calls, narrowed by its arguments where the catalogue tells constructions apart
        (`queue.Queue(8)` calls `queue.Queue(maxsize)`: catalog.constructed)."""
        found = self.targets(call.func, depth)
        if not any(canonical_name(t) in CONSTRUCTED for t in found):
            return found
        arguments: Dict[str, object] = {}
        position = 0
        for arg in call.args:
            if arg.star:
                break
            slot = arg.keyword.value if arg.keyword is not None else str(position)
            position += arg.keyword is None
            arguments[slot] = self._argument_value(arg.value, depth + 1)
        return tuple(constructed(t, arguments) for t in found)

    def _argument_value(self, value: cst.BaseExpression, depth: int) -> object:
        """An argument as catalog.constructed reads it: an int or bool literal, a string's Text or a
        pseudo-file path, else the first target, else None."""
        text = _literal_start(value)
        if text is not None:
            return literal_argument(text)
        if isinstance(value, cst.Integer):
            return int(value.evaluated_value)
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            return value.value == "True"
        if (
            isinstance(value, cst.UnaryOperation)
            and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, cst.Integer)
        ):
            return -int(value.expression.evaluated_value)
        if isinstance(value, (cst.Name, cst.Attribute, cst.Call)):
            found = self.targets(value, depth)
            first = found[0] if found else None
            return attribute_value(first, self.classes) if isinstance(value, cst.Attribute) else first
        return None

    def _absolute(self, name: str) -> Optional[str]:
        if not name.startswith("."):
            return renamed(name, self.renames)
        stripped = name.lstrip(".")
        level = len(name) - len(stripped)
        return absolute_module(self.module, self.is_package, level, stripped or None)

    def _name_targets(self, node: cst.Name, depth: int) -> Tuple[str, ...]:
        found = self._names.get(node)
        if found is None:
            if node in self._active:
                return ()  # a name defined through itself (`client = client.with_options()`)
            self._active.add(node)
            try:
                found = self._resolve_name(node, depth)
            finally:
                self._active.discard(node)
            self._names[node] = found
        return found

    def _resolve_name(self, node: cst.Name, depth: int) -> Tuple[str, ...]:
        scope = self.scope(node)
        if scope is None:
            return ()
        try:
            accesses = scope.accesses[node]
        except KeyError:
            accesses = set()
        referents = [referent for access in accesses for referent in access.referents]
        if not referents:
            # Unbound here: a module-level definition that focus.py left out (or a name the index will not
            # know either). The project index has the whole file and resolves it.
            return (self.qualify(node.value),)
        found: List[str] = []
        local_function: Optional[cst.CSTNode] = None
        for referent in referents:
            if isinstance(referent, BuiltinAssignment):
                found.append(f"builtins.{referent.name}")
            elif isinstance(referent, ImportAssignment):
                names = [q.name for q in self.qualified_name_set(node) if q.source is QualifiedNameSource.IMPORT]
                found.extend(n for n in (self._absolute(name) for name in names) if n)
            elif isinstance(referent, Assignment):
                if isinstance(referent.scope, GlobalScope):
                    found.append(self.qualify(referent.name))
                elif isinstance(referent.node, (cst.FunctionDef, cst.ClassDef)):
                    found.extend(self.qualify(name) for name in sorted(self.qualified_names(referent.node)))
                elif isinstance(referent.scope, FunctionScope):
                    local_function = referent.scope.node
        if local_function is not None:
            found.extend(self._local_targets(local_function, node.value, depth))
        return tuple(sorted(set(found)))

    def _local_targets(self, function: cst.CSTNode, name: str, depth: int) -> Tuple[str, ...]:
        """What a function's local may hold, as the index reads it: its parameter's type and every binding
        whose value is known (`path: str` then `path = Path(path)` may be either)."""
        key = (function, name)
        found = self._local_names.get(key)
        if found is not None:
            return found
        if key in self._active:
            return ()
        self._active.add(key)
        try:
            collected: List[str] = []
            params = getattr(function, "params", None)
            for param in _all_params(params):
                if param.name.value == name:
                    collected.extend(self._param_targets(param, function, depth))
                    break
            for value, holds in self._local_values(function).ordered.get(name, ()):
                if holds == ANNOTATED:
                    found_here = self.annotation_types(value, depth + 1)
                elif holds == ITEM:
                    found_here = self.loop_items(value, depth + 1)
                else:
                    found_here = self.targets(value, depth + 1)
                collected.extend(found_here[:1])  # the index keeps one target per binding
            found = tuple(dict.fromkeys(collected))
        finally:
            self._active.discard(key)
        self._local_names[key] = found
        return found

    def local_value(self, node: cst.Name) -> Optional[cst.BaseExpression]:
        """The expression a local name was bound to in its function (`tasks = [...]`), if any."""
        scope = self.scope(node)
        if not isinstance(scope, FunctionScope):
            return None
        try:
            accesses = scope.accesses[node]
        except KeyError:
            return None
        for access in accesses:
            for referent in access.referents:
                if isinstance(referent, Assignment) and isinstance(referent.node, cst.Name):
                    if isinstance(referent.scope, FunctionScope):
                        return self._local_values(referent.scope.node).values.get(referent.node)
        return None

    def assigned_once(self, node: cst.Name, function: cst.CSTNode) -> Optional[cst.BaseExpression]:
        """The value of the one `name = value` statement of `function` that binds this local, when nothing
        else binds it (a parameter, a loop, a second assignment, a `nonlocal` in a nested def)."""
        scope = self.scope(node)
        try:
            referents = {referent for access in scope.accesses[node] for referent in access.referents} if scope else set()
        except KeyError:
            return None
        if len(referents) != 1:
            return None
        (referent,) = referents
        if not isinstance(referent, Assignment) or not isinstance(referent.scope, FunctionScope) or referent.scope.node is not function:
            return None
        values = self._local_values(function)
        return values.values.get(referent.node) if referent.node in values.assigned else None

    def _local_values(self, function: cst.CSTNode) -> _LocalValues:
        found = self._locals.get(function)
        if found is None:
            found = self._locals[function] = _LocalValues()
            body = getattr(function, "body", None)
            if isinstance(body, cst.BaseSuite):
                body.visit(found)
        return found

    def _param_targets(self, param: cst.Param, function: cst.CSTNode, depth: int) -> Tuple[str, ...]:
        if (
            isinstance(function, cst.FunctionDef)
            and isinstance(self.scopes.get(function), ClassScope)
            and function.params.params
            and function.params.params[0] is param
        ):
            decorators = {dotted_name(d.decorator) for d in function.decorators}
            if "staticmethod" not in decorators:
                klass = self.qualify(self.function_qualname(function).rpartition(".")[0])
                return (klass,) if "classmethod" in decorators else (f"{klass}()",)
        found: Tuple[str, ...] = ()
        if param.annotation is not None:
            found = self.annotation_types(param.annotation.annotation, depth + 1)
        if not found and isinstance(param.default, cst.Call):
            # `db=Depends(get_db)`: FastAPI passes what the dependency returns or yields.
            dependency = self._depends_argument(param.default, depth)
            found = tuple(f"{t}()" for t in dependency)
        return found

    def _depends_argument(self, call: cst.Call, depth: int) -> Tuple[str, ...]:
        if not any(t in DEPENDS_CALLS for t in self.targets(call.func, depth + 1)):
            return ()
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value == "dependency":
                return self.targets(arg.value, depth + 1)
        return ()

    def annotation_types(self, node: cst.BaseExpression, depth: int = 0) -> Tuple[str, ...]:
        """The instance an annotation promises: `Session` -> `sqlalchemy.orm.Session()`."""
        if isinstance(node, cst.Subscript):
            heads = self.targets(node.value, depth + 1)
            if any(head in _ANNOTATED for head in heads) and node.slice:
                first = node.slice[0].slice
                if isinstance(first, cst.Index):
                    return self.annotation_types(first.value, depth + 1)
            position = next((CONTAINER_TYPES[head] for head in heads if head in CONTAINER_TYPES), None)
            if position is not None and node.slice:
                chosen = node.slice[position].slice
                if isinstance(chosen, cst.Index):
                    found = items_of(list(self.annotation_types(chosen.value, depth + 1)[:1]) or [None])
                    return (found,) if found else ()
            return ()
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            for side in (node.left, node.right):
                if not (isinstance(side, cst.Name) and side.value == "None"):
                    return self.annotation_types(side, depth + 1)
            return ()
        if isinstance(node, (cst.Name, cst.Attribute)):
            return tuple(f"{t}()" for t in self.targets(node, depth + 1))
        return ()


def _literal_start(value: cst.BaseExpression) -> Optional[str]:
    """The text a string literal or an f-string starts with (None for anything else)."""
    if isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    if isinstance(value, cst.FormattedString) and value.parts and isinstance(value.parts[0], cst.FormattedStringText):
        return value.parts[0].value
    return None
