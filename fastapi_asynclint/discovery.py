"""Which files to check: command-line paths expanded to Python files, gitignore-aware (pathspec).

Directories are walked without following symlinks; `.gitignore` files apply to their own folder and below
(a deeper file overrides a shallower one, as git does); the configured `exclude` globs are matched against
the path relative to the project root and apply to explicitly named files too, so a pre-commit hook that
passes file names honours them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Sequence, Tuple

if TYPE_CHECKING:
    import pathspec


# Folders no one wants linted (as ruff's default `exclude`).
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
        ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
        ".vscode", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages",
        "venv", "__pycache__", ".fastapi_asynclint_cache",
    }
)
PYTHON_SUFFIXES = (".py",)
MARKERS = frozenset({"__init__.py", "pyproject.toml", "setup.py", "setup.cfg"})


@lru_cache(maxsize=256)
def glob_matcher(globs: Tuple[str, ...]) -> Callable[[str], bool]:
    import pathspec  # here and below: a tree without .gitignore or globs does not pay for its import

    spec = pathspec.GitIgnoreSpec.from_lines(globs)
    return spec.match_file


@dataclass
class Discovery:
    # The files as text, in the order of their Paths (by parts): a cached run needs no Path objects.
    names: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    # Folders that could not be listed (permissions), with why.
    unreadable: List[str] = field(default_factory=list)
    # Every folder listed -> the files among MARKERS it holds (what module names are made of: modules.py).
    markers: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    # Every path whose stat the result depends on: the paths given, the folders listed (a folder's stat
    # changes when an entry is added, removed or renamed), the .gitignore and .git paths looked for.
    probes: List[str] = field(default_factory=list)

    @property
    def files(self) -> List[Path]:
        return [Path(name) for name in self.names]


class _GitIgnores:
    """The .gitignore files met on the way down, each scoped to its folder (folders as strings)."""

    def __init__(self, probes: List[str]) -> None:
        self._probes = probes
        self._seen: set = set()
        # Only the folders that have a .gitignore: `active` is asked once per folder walked, and looking
        # through every folder seen made the walk quadratic (40 ms of a warm run on a 1,000-folder tree).
        self._specs: dict = {}

    def load(self, folder: str) -> None:
        if folder in self._seen:
            return
        self._seen.add(folder)
        ignore_file = os.path.join(folder, ".gitignore")
        self._probes.append(ignore_file)
        if os.path.isfile(ignore_file):
            try:
                import pathspec

                with open(ignore_file, encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
                self._specs[folder] = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass

    def active(self, directory: str, top: str) -> List[Tuple[str, "pathspec.GitIgnoreSpec"]]:
        """The specs that apply inside `directory`, outermost first, each with its folder's path prefix."""
        if not self._specs:
            return []
        inside = directory + os.sep
        top_prefix = top + os.sep
        folders = [
            folder
            for folder in self._specs
            if folder == top or (folder.startswith(top_prefix) and inside.startswith(folder + os.sep))
        ]
        return [(folder + os.sep, self._specs[folder]) for folder in sorted(folders, key=len)]

    @staticmethod
    def ignored(path: str, is_dir: bool, active: List[Tuple[str, "pathspec.GitIgnoreSpec"]]) -> bool:
        verdict = False
        for prefix, spec in active:  # a deeper .gitignore overrides a shallower one, as in git
            relative = path[len(prefix) :].replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                verdict = result.include
        return verdict


def _git_top(start: Path, probes: List[str]) -> Path:
    for folder in (start, *start.parents):
        probes.append(str(folder / ".git"))
        if (folder / ".git").exists():
            return folder
    return start


def discover(paths: Sequence[str], root: Path, exclude: Sequence[str] = (), respect_gitignore: bool = True) -> Discovery:
    walk = _Walk(root, exclude, respect_gitignore)
    for raw in paths:
        walk.path(raw)
    walk.result.names = sorted(walk.found, key=path_order)
    return walk.result


class _Walk:
    """One discovery: paths are handled as strings (a Path per walked file was most of a warm run's walk)."""

    def __init__(self, root: Path, exclude: Sequence[str], respect_gitignore: bool) -> None:
        self.result = Discovery()
        self.found: List[str] = []
        self.seen: set = set()
        self.excluded = glob_matcher(tuple(exclude)) if exclude else None
        self.root_prefix = str(root) + os.sep
        self.respect_gitignore = respect_gitignore

    def is_excluded(self, text: str, is_dir: bool) -> bool:
        if self.excluded is None or not text.startswith(self.root_prefix):
            return False
        return self.excluded(text[len(self.root_prefix) :].replace(os.sep, "/") + ("/" if is_dir else ""))

    def add(self, text: str) -> None:
        if text not in self.seen:
            self.seen.add(text)
            self.found.append(text)

    def path(self, raw: str) -> None:
        path = Path(raw).absolute()
        text = str(path)
        self.result.probes.append(text)
        if not path.exists():
            self.result.missing.append(raw)
        elif path.is_file():
            if not self.is_excluded(text, False):
                self.add(text)
        elif not self.is_excluded(text, True):
            self.folder(path)

    def folder(self, path: Path) -> None:
        top = _git_top(path, self.result.probes)
        ignores = _GitIgnores(self.result.probes)
        for folder in (top, *[p for p in reversed(path.parents) if top in p.parents]):
            ignores.load(str(folder))
        for directory, dirnames, filenames in os.walk(path, onerror=lambda error: self.result.unreadable.append(str(error))):
            self.result.markers[directory] = MARKERS.intersection(filenames)
            self.result.probes.append(directory)
            active = []
            if self.respect_gitignore:
                ignores.load(directory)
                active = ignores.active(directory, str(top))
            prefix = directory + os.sep
            # (Symlinked folders need no test: os.walk does not descend into them.)
            dirnames[:] = [
                name for name in sorted(dirnames)
                if not (name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info"))
                and not self.is_excluded(prefix + name, True)
                and not (active and ignores.ignored(prefix + name, True, active))
            ]
            for name in sorted(filenames):
                file = prefix + name
                if name.endswith(PYTHON_SUFFIXES) and file not in self.seen and not self.is_excluded(file, False):
                    if not (active and ignores.ignored(file, False, active)):
                        self.add(file)


def path_order(text: str) -> List[str]:
    """Sort key: the order of Paths (by parts), which is not plain string order ("a/b" before "a-c")."""
    return text.split(os.sep)
