"""Dotted module names for project files, and the reverse map used to follow imports.

FastAPI projects are often run from their root without `__init__.py` files (`uvicorn app.main:app`), so a
file's name is taken relative to the project root (or `src/`), unless its folders form a regular package
whose top lies deeper (a monorepo service), in which case the package decides. Every plausible name is
registered, so `import app.main` and `import services.api.app.main` both find the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple


def _dotted(parts: Iterable[str]) -> str:
    return ".".join(part for part in parts if part)


def _strip_suffix(path: Path) -> Tuple[List[str], bool]:
    parts = list(path.parts)
    stem = Path(parts[-1]).stem
    if stem == "__init__":
        return parts[:-1], True
    return parts[:-1] + [stem], False


def _package_top(path: Path, root: Path, packages: Optional[Dict[Path, bool]] = None) -> Optional[Path]:
    """The outermost folder with an `__init__.py` above the file. Under the project root, folders without
    one in between are namespace packages inside it (`litellm/llms/foo/` under `litellm/`); outside it,
    only an unbroken chain of packages counts. `packages` remembers which folders are packages."""
    known = packages if packages is not None else {}

    def is_package(folder: Path) -> bool:
        found = known.get(folder)
        if found is None:
            found = known[folder] = (folder / "__init__.py").is_file()
        return found

    top = None
    if root == path.parent or root in path.parents:
        for folder in (path.parent, *path.parent.parents):
            if is_package(folder):
                top = folder
            if folder == root:
                break
        return top
    folder = path.parent
    while is_package(folder):
        top = folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return top


def module_names(path: Path, root: Path, packages: Optional[Dict[Path, bool]] = None) -> Tuple[List[str], bool]:
    """All names this file can be imported by, most likely first, and whether it is a package."""
    names: List[str] = []
    top = _package_top(path, root, packages)
    is_package = path.name == "__init__.py"
    if top is not None:
        parts, is_package = _strip_suffix(path.relative_to(top.parent))
        names.append(_dotted(parts))
    for base in (root / "src", root):
        try:
            relative = path.relative_to(base)
        except ValueError:
            continue
        parts, is_package = _strip_suffix(relative)
        if all(part.isidentifier() for part in parts):
            names.append(_dotted(parts))
    if not names:
        parts, is_package = _strip_suffix(Path(path.name))
        names.append(_dotted(parts))
    return [n for n in dict.fromkeys(names) if n], is_package


class ModuleMap:
    """Module name -> files, and file -> its canonical module name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_name: Dict[str, List[Path]] = {}
        self._canonical: Dict[Path, Tuple[str, bool]] = {}
        self._packages: Dict[Path, bool] = {}  # folder -> has an __init__.py, asked once per map

    def add(self, path: Path) -> Tuple[str, bool]:
        known = self._canonical.get(path)
        if known is not None:
            return known
        names, is_package = module_names(path, self.root, self._packages)
        for name in names:
            self._by_name.setdefault(name, []).append(path)
        canonical = (names[0] if names else path.stem, is_package)
        self._canonical[path] = canonical
        return canonical

    def canonical(self, path: Path) -> Tuple[str, bool]:
        return self._canonical.get(path) or self.add(path)

    def find(self, name: str, near: Optional[Path] = None) -> Optional[Path]:
        """The file for a module name; with several candidates, the one sharing most of `near`'s path."""
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        if len(candidates) == 1 or near is None:
            return candidates[0]
        return max(candidates, key=lambda candidate: len(os.path.commonpath([str(candidate), str(near)])))

    def names(self) -> Iterable[str]:
        return self._by_name.keys()
