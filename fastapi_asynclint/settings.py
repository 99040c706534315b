"""Settings: `[tool.fastapi-asynclint]` from the nearest pyproject.toml (or `--config`), with the command line on top.

Unknown keys, wrong types and unknown rule codes are a `ConfigError` (the CLI exits 2 with its message).
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from fastapi_asynclint import __version__
from fastapi_asynclint.registry import SelectionLayer, UnknownSelector, check_selector, resolve_selection

TOOL_TABLE = "fastapi-asynclint"
DEFAULT_CACHE_DIR = ".fastapi_asynclint_cache"
CACHE_DIR_ENV = "FASTAPI_ASYNCLINT_CACHE_DIR"
_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class FileConfig:
    """The validated contents of one `[tool.fastapi-asynclint]` table."""

    path: Optional[Path] = None
    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    extra_blocking_calls: Tuple[str, ...] = ()
    extra_offload_wrappers: Tuple[str, ...] = ()
    extra_nonblocking_calls: Tuple[str, ...] = ()
    reach: Optional[Tuple[str, ...]] = None
    cache_dir: Optional[str] = None


def _string_list(table: Mapping[str, Any], key: str, where: str) -> Optional[Tuple[str, ...]]:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings, got {value!r}")
    return tuple(value)


def _selectors(values: Optional[Sequence[str]], where: str) -> Optional[Tuple[str, ...]]:
    if values is None:
        return None
    try:
        return tuple(check_selector(value) for value in values)
    except UnknownSelector as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _qualified_names(values: Optional[Sequence[str]], key: str, where: str) -> Tuple[str, ...]:
    for value in values or ():
        parts = value.rstrip("*").rstrip(".").split(".")
        if not value or not all(part.isidentifier() for part in parts):
            raise ConfigError(f"{where}: `{key}` entries are dotted names like `mycorp.sdk.fetch`, got {value!r}")
    return tuple(values or ())


def _check_glob(glob: str, where: str) -> None:
    """A gitignore-style glob, or a ConfigError that says what is wrong with it."""
    if not glob.strip():
        raise ConfigError(f"{where}: an empty glob")
    position = 0
    while position < len(glob):
        char = glob[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            close = glob.find("]", position + 2)
            if close < 0:
                raise ConfigError(f"{where}: invalid glob {glob!r}: `[` opens a character class that is never closed")
            position = close
        position += 1


KNOWN_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "exclude",
    "per-file-ignores",
    "extra-blocking-calls",
    "extra-offload-wrappers",
    "extra-nonblocking-calls",
    "reach",
    "cache-dir",
)
REACHES = ("request", "background", "startup", "unserved")


def check_reaches(values: Sequence[str], where: str) -> Tuple[str, ...]:
    """Reaches to report (index/reach.py), or a ConfigError naming the ones that are not."""
    unknown = [value for value in values if value not in REACHES]
    if unknown:
        raise ConfigError(f"{where}: unknown reach {', '.join(map(repr, unknown))}; known: {', '.join(REACHES)}")
    return tuple(values)


def parse_table(table: Mapping[str, Any], where: str, path: Optional[Path] = None) -> FileConfig:
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown option(s) {', '.join(repr(k) for k in unknown)}; known: {', '.join(KNOWN_KEYS)}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
    per_file_ignores = []
    for glob, codes in per_file.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: `per-file-ignores.{glob}` must be a list of rule codes")
        _check_glob(glob, f"{where}: `per-file-ignores`")
        per_file_ignores.append((glob, _selectors(codes, where) or ()))
    cache_dir = table.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: `cache-dir` must be a string")
    for glob in _string_list(table, "exclude", where) or ():
        _check_glob(glob, f"{where}: `exclude`")
    return FileConfig(
        path=path,
        select=_selectors(_string_list(table, "select", where), where),
        extend_select=_selectors(_string_list(table, "extend-select", where), where) or (),
        ignore=_selectors(_string_list(table, "ignore", where), where) or (),
        exclude=_string_list(table, "exclude", where) or (),
        per_file_ignores=tuple(per_file_ignores),
        extra_blocking_calls=_qualified_names(
            _string_list(table, "extra-blocking-calls", where), "extra-blocking-calls", where
        ),
        extra_offload_wrappers=_qualified_names(
            _string_list(table, "extra-offload-wrappers", where), "extra-offload-wrappers", where
        ),
        extra_nonblocking_calls=_qualified_names(
            _string_list(table, "extra-nonblocking-calls", where), "extra-nonblocking-calls", where
        ),
        reach=check_reaches(_string_list(table, "reach", where), f"{where}: `reach`") if "reach" in table else None,
        cache_dir=cache_dir,
    )


def read_config(path: Path, required_table: bool) -> Optional[FileConfig]:
    # Imported here: a project without a configuration file does not pay for the TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older interpreters only
        import tomli as tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    if table is None and required_table and path.name != "pyproject.toml":
        # A dedicated file given with --config may hold the options at top level.
        table = {key: value for key, value in data.items() if key != "tool"}
    if table is None:
        if required_table:
            raise ConfigError(f"{path}: no [tool.{TOOL_TABLE}] table")
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    return parse_table(table, str(path), path)


def find_config(start: Path, probes: Optional[List[str]] = None) -> Tuple[Optional[FileConfig], Optional[Path]]:
    """The nearest pyproject.toml with our table, and the project root (its folder, else the nearest
    folder holding a pyproject.toml, setup.py, setup.cfg or .git; None when there is none). Every path
    looked at is added to `probes`."""
    start = start if start.is_dir() else start.parent
    root: Optional[Path] = None
    looked = probes if probes is not None else []
    for folder in (start, *start.parents):
        looked.extend(str(folder / marker) for marker in _ROOT_MARKERS)
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            config = read_config(candidate, required_table=False)
            if config is not None:
                return config, folder
        if root is None and any((folder / marker).exists() for marker in _ROOT_MARKERS):
            root = folder
    return None, root


@dataclass(frozen=True)
class CliOptions:
    """What the command line says about settings (None: not given)."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    config: Optional[Path] = None
    cache_dir: Optional[Path] = None
    no_cache: bool = False
    reach: Optional[Tuple[str, ...]] = None


@dataclass(frozen=True)
class Settings:
    root: Path
    enabled: FrozenSet[str]
    # False when no project marker was found: then only the given files are indexed, not all of `root`.
    root_found: bool = True
    config_path: Optional[Path] = None
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    extra_blocking_calls: Tuple[str, ...] = ()
    extra_offload_wrappers: Tuple[str, ...] = ()
    extra_nonblocking_calls: Tuple[str, ...] = ()
    # Which reaches to report (index/reach.py); None: all of them.
    reach: Optional[FrozenSet[str]] = None
    cache_dir: Optional[Path] = None
    # True when `cache_dir` is the configuration's `cache-dir` (not the flag, the variable or the default).
    cache_dir_configured: bool = False
    fingerprint: str = field(default="", compare=False)
    # The paths the settings were read from or looked for (config files, project markers).
    probes: Tuple[str, ...] = field(default=(), compare=False)


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(repr((__version__,) + parts).encode()).hexdigest()[:16]


def build_settings(start: Path, options: CliOptions = CliOptions()) -> Settings:
    probes: List[str] = []
    if options.config is not None:
        probes.append(str(options.config.absolute()))
        if options.config.is_dir():
            raise ConfigError(f"--config {options.config}: is a folder; give the configuration file (pyproject.toml)")
        if not options.config.is_file():
            raise ConfigError(f"config file {options.config} does not exist")
        config = read_config(options.config, required_table=True)
        root: Optional[Path] = options.config.resolve().parent
    else:
        config, root = find_config(start.resolve(), probes)
    config = config or FileConfig()
    root_found = root is not None
    if root is None:
        root = start.resolve() if start.is_dir() else start.resolve().parent
    try:
        cli_layer = SelectionLayer(
            select=tuple(check_selector(s) for s in options.select) if options.select is not None else None,
            extend_select=tuple(check_selector(s) for s in options.extend_select),
            ignore=tuple(check_selector(s) for s in options.ignore),
        )
    except UnknownSelector as exc:
        raise ConfigError(str(exc)) from None
    layers = [SelectionLayer(config.select, config.extend_select, config.ignore), cli_layer]
    enabled = resolve_selection(layers)
    cache_dir_configured = False
    if options.no_cache:
        cache_dir = None
    elif options.cache_dir is not None:
        cache_dir = options.cache_dir
    elif os.environ.get(CACHE_DIR_ENV):
        cache_dir = Path(os.environ[CACHE_DIR_ENV])
    elif config.cache_dir:
        cache_dir = root / config.cache_dir
        cache_dir_configured = True
    else:
        cache_dir = root / DEFAULT_CACHE_DIR
    settings = Settings(
        root=root,
        root_found=root_found,
        enabled=enabled,
        config_path=config.path,
        exclude=config.exclude,
        per_file_ignores=config.per_file_ignores,
        extra_blocking_calls=config.extra_blocking_calls,
        extra_offload_wrappers=config.extra_offload_wrappers,
        extra_nonblocking_calls=config.extra_nonblocking_calls,
        reach=_reach(options.reach if options.reach is not None else config.reach),
        cache_dir=cache_dir,
        cache_dir_configured=cache_dir_configured,
    )
    # What can change a file's findings besides its own text: enabled rules, per-file ignores and the catalogue.
    fingerprint = _fingerprint(
        sorted(enabled), config.per_file_ignores, config.extra_blocking_calls, config.extra_offload_wrappers,
        config.extra_nonblocking_calls, sorted(settings.reach or ()),
    )
    return Settings(**{**settings.__dict__, "fingerprint": fingerprint, "probes": tuple(probes)})


def _reach(values: Optional[Sequence[str]]) -> Optional[FrozenSet[str]]:
    return None if values is None or set(values) >= set(REACHES) else frozenset(values)


def enabled_for(settings: Settings, path: "Path | str") -> FrozenSet[str]:
    """The codes enabled for one file: the enabled set less its `per-file-ignores` (globs relative to
    the project root)."""
    if not settings.per_file_ignores:
        return settings.enabled  # the common case, on every file of a warm run: no path arithmetic
    from fastapi_asynclint.discovery import glob_matcher
    from fastapi_asynclint.registry import codes_matching

    path = Path(path)
    try:
        relative = path.relative_to(settings.root).as_posix()
    except ValueError:
        relative = path.as_posix()
    ignored: set = set()
    for glob, selectors in settings.per_file_ignores:
        if glob_matcher((glob,))(relative):
            ignored |= codes_matching(selectors)
    return settings.enabled - ignored
