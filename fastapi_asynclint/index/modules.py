"""Dotted module names for project files, and the reverse map used to follow imports.

FastAPI projects are often run from their root without `__init__.py` files (`uvicorn app.main:app`), so a
file's name is taken relative to the project root (or `src/`), unless its folders form a regular package
whose top lies deeper (a monorepo service), in which case the package decides. Every plausible name is
registered, so `import app.main` and `import services.api.app.main` both find the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union


def _dotted(parts: Iterable[str]) -> str:
    return ".".join(part for part in parts if part)


# Plain strings and os.path throughout: naming every file of a 3,000-file project with pathlib objects
# took a tenth of a second of each cached run.
def _strip_suffix(parts: List[str]) -> Tuple[List[str], bool]:
    stem = os.path.splitext(parts[-1])[0]
    if stem == "__init__":
        return parts[:-1], True
    return parts[:-1] + [stem], False


def _below(folder: str) -> str:
    """`folder` as a prefix of the paths inside it."""
    return folder if folder.endswith(os.sep) else folder + os.sep


def _parts_under(path: str, base: str) -> Optional[List[str]]:
    """`path`'s parts relative to `base`, or None if it does not lie under it."""
    prefix = _below(base)
    return path[len(prefix):].split(os.sep) if path.startswith(prefix) else None


def _package_top(path: str, root: str, packages: Optional[Dict[str, bool]] = None) -> Optional[str]:
    """The outermost folder with an `__init__.py` above the file. Under the project root, folders without
    one in between are namespace packages inside it (`litellm/llms/foo/` under `litellm/`); outside it,
    only an unbroken chain of packages counts. `packages` remembers which folders are packages."""
    known = packages if packages is not None else {}

    def is_package(folder: str) -> bool:
        found = known.get(folder)
        if found is None:
            found = known[folder] = os.path.isfile(os.path.join(folder, "__init__.py"))
        return found

    top = None
    folder = os.path.dirname(path)
    if folder == root or folder.startswith(_below(root)):
        while True:
            if is_package(folder):
                top = folder
            parent = os.path.dirname(folder)
            if folder == root or parent == folder:
                return top
            folder = parent
    while is_package(folder):
        top = folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return top


def module_names(
    path: "os.PathLike[str] | str", root: "os.PathLike[str] | str", packages: Optional[Dict[str, bool]] = None
) -> Tuple[List[str], bool]:
    """All names this file can be imported by, most likely first, and whether it is a package."""
    path, root = os.fspath(path), os.fspath(root)
    names: List[str] = []
    top = _package_top(path, root, packages)
    name = os.path.basename(path)
    is_package = name == "__init__.py"
    if top is not None:
        parts, is_package = _strip_suffix(_parts_under(path, os.path.dirname(top)) or [name])
        names.append(_dotted(parts))
    for base in (os.path.join(root, "src"), root):
        relative = _parts_under(path, base)
        if relative is None:
            continue
        parts, is_package = _strip_suffix(relative)
        if all(part.isidentifier() for part in parts):
            names.append(_dotted(parts))
    if not names:
        parts, is_package = _strip_suffix([name])
        names.append(_dotted(parts))
    return [n for n in dict.fromkeys(names) if n], is_package


PathLike = Union[str, "os.PathLike[str]"]


class ModuleMap:
    """Module name -> files, and file -> its canonical module name. Files are given as paths or text and
    kept as text."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_name: Dict[str, List[str]] = {}
        self._canonical: Dict[str, Tuple[str, bool]] = {}
        self._packages: Dict[str, bool] = {}  # folder -> has an __init__.py, asked once per map
        self._aliases: Optional[Dict[str, str]] = None
        self._restored = False  # whether _by_name holds only the canonical names (restored)

    @classmethod
    def restored(cls, root: Path, canonical: Dict[str, Tuple[str, bool]], aliases: Dict[str, str]) -> "ModuleMap":
        """A map as `canonical` and `aliases` gave it for the same files and package folders (a cached run
        names 3,000 files without asking the file system about their folders)."""
        found = cls(root)
        found._canonical = dict(canonical)
        found._aliases = dict(aliases)
        found._restored = True
        for path, (module, _) in canonical.items():
            found._by_name.setdefault(module, []).append(path)
        return found

    def add(self, path: PathLike) -> Tuple[str, bool]:
        key = os.fspath(path)
        known = self._canonical.get(key)
        if known is not None:
            return known
        if self._restored:
            # A file the restored map does not know: name every file again, so that the aliases (every
            # name of every file) are complete when they are asked for next.
            self._restored = False
            known_files, self._canonical, self._by_name = list(self._canonical), {}, {}
            for name in known_files:
                self.add(name)
        self._aliases = None
        names, is_package = module_names(key, self.root, self._packages)
        for name in names:
            self._by_name.setdefault(name, []).append(key)
        canonical = (names[0] if names else Path(key).stem, is_package)
        self._canonical[key] = canonical
        return canonical

    def canonical(self, path: PathLike) -> Tuple[str, bool]:
        return self._canonical.get(os.fspath(path)) or self.add(path)

    def find(self, name: str, near: Optional[PathLike] = None) -> Optional[str]:
        """The file for a module name; with several candidates, the one sharing most of `near`'s path."""
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        if len(candidates) == 1 or near is None:
            return candidates[0]
        return max(candidates, key=lambda candidate: len(os.path.commonpath([candidate, os.fspath(near)])))

    def names(self) -> Iterable[str]:
        return self._by_name.keys()

    def aliases(self) -> Dict[str, str]:
        """Every name a file can be imported by -> its canonical module name."""
        if self._aliases is None:
            self._aliases = {name: self._canonical[paths[0]][0] for name, paths in self._by_name.items()}
        return self._aliases
