"""Module names for project files: each file's import root, its dotted name there, and a name that no other
file of the project shares.

A file's import root is where Python would import it from: the folder above the outermost package
(`__init__.py`) that holds it, else the nearest folder that holds a project file (pyproject.toml,
setup.py, setup.cfg) or is a `src/` layout, else the project root; and never above a folder whose name is
not an identifier (`user-service/main.py` is run from inside `user-service/`). Its dotted name is its
path below that root, and the file's imports resolve against its own root first.

Two roots may hold the same dotted name (two services each with a `main.py`, two `tests` packages). The
shallowest root (then the first in path order) keeps the plain name; in every other root, each top-level
name it shares is prefixed with a token of the root (`[order-service].main`), both in the file's own name
and in what its absolute imports name (`renames`), so two files never share an identity and each
resolves its imports in its own service. Names relative to the project root and to `src/` are kept as
aliases where they name no file themselves (`import services.api.main`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class ModuleName:
    """How the index names one file."""

    # The name the index knows the module by: unique in the project.
    name: str
    is_package: bool
    # The folder its imports are resolved from.
    root: str
    # Top-level names its absolute imports must be prefixed with, and the prefix (see the module docstring).
    renames: Tuple[Tuple[str, str], ...] = ()


class _Folders:
    """Which folders are packages and projects: from what discovery listed (`listed`: folder -> the marker
    files it holds, discovery.MARKERS), else asked of the file system once per folder."""

    def __init__(self, listed: Optional[Mapping[str, FrozenSet[str]]] = None) -> None:
        self._listed = listed or {}
        self._package: Dict[str, bool] = {}
        self._project: Dict[str, bool] = {}
        # folder -> the import root of the files in it (import_root)
        self.roots: Dict[str, str] = {}

    def _holds(self, folder: str, name: str) -> bool:
        listed = self._listed.get(folder)
        return name in listed if listed is not None else os.path.isfile(os.path.join(folder, name))

    def is_package(self, folder: str) -> bool:
        found = self._package.get(folder)
        if found is None:
            found = self._package[folder] = self._holds(folder, "__init__.py")
        return found

    def is_project(self, folder: str) -> bool:
        found = self._project.get(folder)
        if found is None:
            found = any(self._holds(folder, name) for name in _PROJECT_FILES)
            if not found and os.path.basename(folder) == "src":
                found = any(self._holds(os.path.dirname(folder), name) for name in _PROJECT_FILES)
            self._project[folder] = found
        return found


def _parts_below(path: str, folder: str) -> Optional[List[str]]:
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path[len(prefix):].split(os.sep) if path.startswith(prefix) else None


def _ancestors(folder: str, top: Optional[str]) -> Iterable[str]:
    """`folder` and the folders above it, up to `top` (or the file system's root)."""
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if folder == top or parent == folder:
            return
        folder = parent


def import_root(path: str, project_root: Optional[str], folders: _Folders) -> str:
    """The folder `path` is imported from (see the module docstring)."""
    start = os.path.dirname(path)
    found = folders.roots.get(start)
    if found is None:
        found = folders.roots[start] = _folder_root(start, project_root, folders)
    return found


def _folder_root(start: str, project_root: Optional[str], folders: _Folders) -> str:
    inside = project_root is not None and (start == project_root or _parts_below(start, project_root) is not None)
    top = project_root if inside else None
    outermost: Optional[str] = None
    for folder in _ancestors(start, top):
        if folders.is_package(folder):
            outermost = folder
        elif not inside or folders.is_project(folder):
            break  # outside the project only an unbroken chain of packages counts; inside, a nested project ends it
    nearest = next((folder for folder in _ancestors(start, top) if folders.is_project(folder)), None)
    candidates = [folder for folder in (os.path.dirname(outermost) if outermost else None, nearest) if folder]
    # The nearer of the two to the file; else the project root, else the file's own folder.
    root = max(candidates, key=len) if candidates else (project_root if inside else start)
    parts = _parts_below(start, root) or []
    for position in range(len(parts) - 1, -1, -1):
        if not parts[position].isidentifier():
            return os.path.join(root, *parts[: position + 1])
    return root


def layout_digest(paths: Iterable[str], project_root: Optional[str], listed: Optional[Mapping[str, FrozenSet[str]]] = None) -> str:
    """A digest of what module names are made of besides the paths themselves: which folders holding or
    above a file (up to the project root) are packages or projects. Cheaper than naming the files."""
    import hashlib

    folders = _Folders(listed)
    seen: set = set()
    for path in paths:
        for folder in _ancestors(os.path.dirname(path), project_root):
            if folder in seen:
                break
            seen.add(folder)
    digest = hashlib.blake2b(str(project_root).encode(), digest_size=16)
    for folder in sorted(seen):
        if folders.is_package(folder) or folders.is_project(folder):
            digest.update(f"{folder}\0{folders.is_package(folder)}\0{folders.is_project(folder)}\n".encode())
    return digest.hexdigest()


def _dotted(path: str, root: str) -> Tuple[str, bool]:
    parts = _parts_below(path, root) or [os.path.basename(path)]
    stem = os.path.splitext(parts[-1])[0]
    if stem == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts[:-1] + [stem]), False


def _token(root: str, project_root: Optional[str]) -> str:
    relative = os.path.relpath(root, project_root) if project_root else os.path.basename(root)
    return "[" + relative.replace(os.sep, "/").replace(".", "_") + "]"


class ModuleMap:
    """Every project file's ModuleName, and the extra names (aliases) files can be imported by."""

    def __init__(
        self, paths: Sequence[str], project_root: Optional[str], listed: Optional[Mapping[str, FrozenSet[str]]] = None
    ) -> None:
        """`listed`: what discovery saw of the folders (see _Folders)."""
        self.project_root = project_root
        self._folders = _Folders(listed)
        roots = {path: import_root(path, project_root, self._folders) for path in paths}
        dotted = {path: _dotted(path, root) for path, root in roots.items()}
        owner = self._owners(roots, dotted)
        tops: Dict[str, set] = {}
        for path, root in roots.items():
            tops.setdefault(root, set()).add(dotted[path][0].partition(".")[0])
        renames = {
            root: tuple((top, _token(root, project_root)) for top in sorted(names) if top and owner[top] != root)
            for root, names in tops.items()
        }
        prefixes = {root: dict(found) for root, found in renames.items()}
        self._names: Dict[str, ModuleName] = {}
        for path in paths:
            root, (name, is_package) = roots[path], dotted[path]
            prefix = prefixes[root].get(name.partition(".")[0])
            self._names[path] = ModuleName(f"{prefix}.{name}" if prefix else name, is_package, root, renames[root])
        self._aliases: Optional[Dict[str, str]] = None

    def _owners(self, roots: Mapping[str, str], dotted: Mapping[str, Tuple[str, bool]]) -> Dict[str, str]:
        """Top-level name -> the root that keeps it plain: the shallowest, then the first in path order."""
        owner: Dict[str, str] = {}
        for path in sorted(roots, key=lambda path: (roots[path].count(os.sep), roots[path])):
            top = dotted[path][0].partition(".")[0]
            owner.setdefault(top, roots[path])
        return owner

    def _alias_table(self) -> Dict[str, str]:
        aliases: Dict[str, str] = {}
        if self.project_root is None:
            return aliases
        bases = (os.path.join(self.project_root, "src"), self.project_root)
        taken = {found.name for found in self._names.values()}
        # A file imported from the project root (or its src/) is named from there already.
        for path in (path for path, found in self._names.items() if found.root not in bases):
            for base in bases:
                parts = _parts_below(path, base)
                if parts is None or not all(part.isidentifier() for part in parts[:-1]):
                    continue
                name, _ = _dotted(path, base)
                if name and name not in taken:
                    aliases.setdefault(name, self._names[path].name)
        return aliases

    def name(self, path: str) -> ModuleName:
        found = self._names.get(path)
        if found is None:  # a file the map was not built with (stdin, an editor's new buffer)
            root = import_root(path, self.project_root, self._folders)
            module, is_package = _dotted(path, root)
            found = ModuleName(module, is_package, root)
        return found

    def aliases(self) -> Dict[str, str]:
        """Every extra name a file can be imported by -> the file's ModuleName.name."""
        if self._aliases is None:
            self._aliases = self._alias_table()
        return dict(self._aliases)

    def paths(self) -> Iterable[str]:
        return self._names.keys()


def renamed(name: Optional[str], renames: Tuple[Tuple[str, str], ...]) -> Optional[str]:
    """An absolute module name as the index knows it, for a file whose root has these renames."""
    if not name or not renames:
        return name
    prefix = dict(renames).get(name.partition(".")[0])
    return f"{prefix}.{name}" if prefix else name
