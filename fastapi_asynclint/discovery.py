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
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Sequence, Tuple

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
    result = Discovery()
    excluded = glob_matcher(tuple(exclude)) if exclude else None
    root_prefix = str(root) + os.sep

    def is_excluded(text: str, is_dir: bool) -> bool:
        if excluded is None:
            return False
        if not text.startswith(root_prefix):
            return False
        return excluded(text[len(root_prefix) :].replace(os.sep, "/") + ("/" if is_dir else ""))

    # Paths are handled as strings until the end: a Path per walked file was most of a warm run's walk.
    seen = set()
    found: List[str] = []
    for raw in paths:
        path = Path(raw).absolute()
        text = str(path)
        result.probes.append(text)
        if not path.exists():
            result.missing.append(raw)
            continue
        if path.is_file():
            if not is_excluded(text, False) and text not in seen:
                seen.add(text)
                found.append(text)
            continue
        if is_excluded(text, True):
            continue
        top = _git_top(path, result.probes)
        top_text = str(top)
        ignores = _GitIgnores(result.probes)
        for folder in (top, *[p for p in reversed(path.parents) if top in p.parents]):
            ignores.load(str(folder))
        for directory, dirnames, filenames in os.walk(path, onerror=lambda error: result.unreadable.append(str(error))):
            result.markers[directory] = MARKERS.intersection(filenames)
            result.probes.append(directory)
            active = []
            if respect_gitignore:
                ignores.load(directory)
                active = ignores.active(directory, top_text)
            prefix = directory + os.sep
            kept = []
            for name in sorted(dirnames):
                sub = prefix + name
                # (Symlinked folders need no test: os.walk does not descend into them.)
                if name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info"):
                    continue
                if is_excluded(sub, True) or (active and ignores.ignored(sub, True, active)):
                    continue
                kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                file = prefix + name
                if file in seen or is_excluded(file, False):
                    continue
                if active and ignores.ignored(file, False, active):
                    continue
                seen.add(file)
                found.append(file)
    found.sort(key=path_order)
    result.names = found
    return result


def path_order(text: str) -> List[str]:
    """Sort key: the order of Paths (by parts), which is not plain string order ("a/b" before "a-c")."""
    return text.split(os.sep)


def iter_python_files(folder: Path) -> Iterable[Path]:
    """Every Python file below a folder with the default exclusions (for the project index)."""
    return discover([str(folder)], folder).files
