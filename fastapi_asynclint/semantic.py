"""What libcst expressions name, in the index's target notation (see index/summary.py).

Imports, aliases and builtins come from libcst's QualifiedNameProvider; locals, parameters and `self`
from its ScopeProvider. Module-level names are handed to the project index as `module.name`, so that a
module-level `client = httpx.Client()` or a re-exported helper resolves the same way in every file.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple, Union

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
    QualifiedNameProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from fastapi_asynclint.index.summary import DEPENDS_CALLS, absolute_module

FunctionLike = Union[cst.FunctionDef, cst.Lambda]
_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated", "typing.Optional")
_MAX_DEPTH = 16


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
        self.annotations: Dict[cst.Name, cst.BaseExpression] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.values[node.targets[0].target] = node.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            if node.value is not None:
                self.values[node.target] = node.value
            self.annotations[node.target] = node.annotation.annotation

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self.values[node.asname.name] = node.item


class Semantics:
    METADATA = (ScopeProvider, QualifiedNameProvider)

    def __init__(self, wrapper: MetadataWrapper, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.scopes = wrapper.resolve(ScopeProvider)
        self.qualified = wrapper.resolve(QualifiedNameProvider)
        self._locals: Dict[cst.CSTNode, _LocalValues] = {}

    # ------------------------------------------------------------------ scopes
    def qualified_names(self, node: cst.CSTNode) -> Set[str]:
        value = self.qualified.get(node)
        if callable(value):
            value = value()
        return {q.name for q in value or ()}

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
            return tuple(f"{t}()" for t in self.targets(node.func, depth + 1))
        if isinstance(node, cst.Attribute):
            return tuple(f"{t}.{node.attr.value}" for t in self.targets(node.value, depth + 1))
        if isinstance(node, cst.Name):
            return self._name_targets(node, depth)
        if isinstance(node, cst.Subscript):
            return self.annotation_types(node, depth + 1)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return self.targets(node.left, depth + 1)  # `base / "name"` keeps a Path a Path
        return ()

    def target(self, node: cst.BaseExpression) -> Optional[str]:
        found = self.targets(node)
        return found[0] if found else None

    def _absolute(self, name: str) -> Optional[str]:
        if not name.startswith("."):
            return name
        stripped = name.lstrip(".")
        level = len(name) - len(stripped)
        return absolute_module(self.module, self.is_package, level, stripped or None)

    def _name_targets(self, node: cst.Name, depth: int) -> Tuple[str, ...]:
        scope = self.scope(node)
        if scope is None:
            return ()
        try:
            accesses = scope.accesses[node]
        except KeyError:
            accesses = set()
        found: List[str] = []
        referents = [referent for access in accesses for referent in access.referents]
        for referent in referents:
            found.extend(self._referent_targets(node, referent, depth))
        if not referents:
            # Unbound here: a module-level definition that focus.py left out (or a name the index will not
            # know either). The project index has the whole file and resolves it.
            found = [self.qualify(node.value)]
        return tuple(sorted(set(found)))

    def _referent_targets(self, node: cst.Name, referent: object, depth: int) -> List[str]:
        if isinstance(referent, BuiltinAssignment):
            return [f"builtins.{referent.name}"]
        if isinstance(referent, ImportAssignment):
            names = [
                q.name for q in self.qualified_names_of_import(node) if q.source is QualifiedNameSource.IMPORT
            ]
            return [n for n in (self._absolute(name) for name in names) if n]
        if not isinstance(referent, Assignment):
            return []
        if isinstance(referent.scope, GlobalScope):
            return [self.qualify(referent.name)]
        definition = referent.node
        if isinstance(definition, (cst.FunctionDef, cst.ClassDef)):
            return [self.qualify(name) for name in sorted(self.qualified_names(definition))]
        if isinstance(definition, cst.Param):
            return list(self._param_targets(definition, referent.scope, depth))
        if isinstance(definition, cst.Name) and isinstance(referent.scope, FunctionScope):
            local = self._local_values(referent.scope.node)
            value = local.values.get(definition)
            if value is not None:
                return list(self.targets(value, depth + 1))
            annotation = local.annotations.get(definition)
            if annotation is not None:
                return list(self.annotation_types(annotation, depth + 1))
        return []

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

    def qualified_names_of_import(self, node: cst.Name):
        value = self.qualified.get(node)
        if callable(value):
            value = value()
        return value or ()

    def _local_values(self, function: cst.CSTNode) -> _LocalValues:
        found = self._locals.get(function)
        if found is None:
            found = self._locals[function] = _LocalValues()
            body = getattr(function, "body", None)
            if isinstance(body, cst.BaseSuite):
                body.visit(found)
        return found

    def _param_targets(self, param: cst.Param, scope: Scope, depth: int) -> Tuple[str, ...]:
        function = scope.node if isinstance(scope, FunctionScope) else None
        if (
            isinstance(function, cst.FunctionDef)
            and isinstance(scope.parent, ClassScope)
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
            return ()
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            for side in (node.left, node.right):
                if not (isinstance(side, cst.Name) and side.value == "None"):
                    return self.annotation_types(side, depth + 1)
            return ()
        if isinstance(node, (cst.Name, cst.Attribute)):
            return tuple(f"{t}()" for t in self.targets(node, depth + 1))
        return ()
