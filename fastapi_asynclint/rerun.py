"""A repeated `check` answered from its record, without parsing, settings or analysis.

A warm run of an unchanged project spent most of its time starting up: click, tomllib, pathlib, the
settings, a walk of the tree and the reporters cost several times ruff's whole warm run. So a cacheable
full run (command.check) leaves a record of itself: the exact command line and environment, a probe of
everything it read to decide what and how to check, and the bytes it printed with its exit code. The next
identical command whose probes all still match prints those bytes again and exits; anything else, or any
doubt, falls through to the full run, which is always right. This module imports only `os`, `stat`, `sys`,
`marshal` and `zlib`, so that a replayed run costs little more than the interpreter's start.

What a probe covers (each a stat: mode, inode, size, mtime and ctime in ns, or "absent"):
- every project file (what the findings and the text excerpts are made of);
- every folder the discovery listed (a file added, removed or renamed in it changes its mtime), and every
  `.gitignore` it read in them (one edited in place leaves its folder's mtime alone);
- in every folder from each target, the config file and the root up to `/`: the files that can change the
  settings, the project root, the gitignore rules or the module names there (pyproject.toml, setup.py,
  setup.cfg, .git, .gitignore, __init__.py), present or absent, and the `--config` file.
Racy edits (git's term) are guarded: a record is not written when any probed file or folder changed at or
after the run started (less a margin for coarse file-system clocks), nor when the folders above the
project changed while it ran, since the run may have read them before the change.

Not recorded: `--fix`, `--diff`, `--add-noqa`, stdin, `--no-cache`, `--verbose`, a run with errors or
missing paths, output to a terminal (colours and widths follow the terminal), and a cache directory set
in the configuration (the replay finds records without reading it).

When only project files' contents changed (every other probe matches, and each changed file is still a
regular file), the record still says what the run would find to check: the same files, in the same
folders, under the same settings and gitignore rules. The full run is then handed the record's file lists
and the fresh stats (`Inputs`) instead of walking the tree again, and it starts without click: a command
line the replay reads is one click reads the same way (a test holds them equal).
"""

from __future__ import annotations

import marshal
import os
import sys
from stat import S_ISREG  # (imported by os already)

from fastapi_asynclint import __version__

_FORMAT = 3
_MAX_RECORDS = 8
# A file changed this close to the run's start may have changed after it was read (coarse clocks, NFS).
_RACY_NS = 2_000_000_000
_CACHE_DIR_NAME = ".fastapi_asynclint_cache"  # settings.DEFAULT_CACHE_DIR, not imported: it needs pathlib
_CACHE_DIR_ENV = "FASTAPI_ASYNCLINT_CACHE_DIR"
# In each folder above a target: the files read (pyproject.toml, .gitignore, an __init__.py that makes
# it a package) and the markers only looked for (a root, a git top), whose existence is all that counts
# (.git changes with every git command).
_FOLDER_FILES = ("pyproject.toml", ".gitignore", "__init__.py")
_FOLDER_MARKERS = ("setup.py", "setup.cfg", ".git")
# The environment the output depends on: rich's colour and width settings, and the cache location.
_ENVIRONMENT = (
    _CACHE_DIR_ENV, "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERM", "COLORTERM",
    "COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES",
)
OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github", "lsp")

# The options of `check` a replay understands, as CheckArgs field names with their defaults (a test holds
# them equal to CheckArgs and to click's parse). Every other option, and every odd spelling, declines.
DEFAULTS = {
    "paths": (),
    "output_format": "text",
    "select": (),
    "ignore": (),
    "extend_select": (),
    "unsafe_fixes": False,
    "show_fixes": False,
    "statistics": False,
    "exit_zero": False,
    "quiet": False,
    "cache_dir": None,
    "config_path": None,
    "jobs": None,
}
_FLAGS = {
    "--unsafe-fixes": "unsafe_fixes",
    "--show-fixes": "show_fixes",
    "--statistics": "statistics",
    "--exit-zero": "exit_zero",
    "--quiet": "quiet",
    "-q": "quiet",
}
_VALUES = {
    "--output-format": "output_format",
    "--select": "select",
    "--ignore": "ignore",
    "--extend-select": "extend_select",
    "--cache-dir": "cache_dir",
    "--config": "config_path",
    "--jobs": "jobs",
    "-j": "jobs",
}
# Everything but `jobs`: the number of workers does not change what is printed.
KEY_FIELDS = tuple(name for name in DEFAULTS if name != "jobs")


def parse(argv):
    """The options of `check ARGV` as a dict of CheckArgs fields, or None for anything a replay leaves to
    click (other options, `-`, `--`, combined short flags, values that look like options, bad values)."""
    values = dict(DEFAULTS)
    paths = []
    items = iter(argv)
    for item in items:
        if not item.startswith("-"):
            paths.append(item)
            continue
        name, has_value, value = item.partition("=")
        if name in _FLAGS and not has_value:
            values[_FLAGS[name]] = True
            continue
        field = _VALUES.get(name)
        if field is None or (has_value and not name.startswith("--")):
            return None
        if not has_value:
            value = next(items, None)
            if value is None or value.startswith("-"):
                return None
        if field in ("select", "ignore", "extend_select"):
            values[field] = values[field] + (value,)
        elif field == "jobs":
            try:
                if int(value) < 1:
                    return None
            except ValueError:
                return None
            values[field] = int(value)
        elif field == "output_format" and value not in OUTPUT_FORMATS:
            return None
        else:
            values[field] = value
    values["paths"] = tuple(paths)
    return values


def key(values):
    """What the output of a run depends on besides the files: the command, the tool and the environment."""
    return (
        _FORMAT,
        __version__,
        sys.version,
        sys.prefix,
        os.getcwd(),
        tuple((name, values[name]) for name in KEY_FIELDS),
        tuple(os.environ.get(name) for name in _ENVIRONMENT),
    )


def _stat(path):
    try:
        s = os.stat(path)
    except OSError:
        return None
    return (s.st_mode, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)


def _targets(values):
    return list(values["paths"]) or ["."]


def _ancestors(path):
    folder = path
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def surroundings(values):
    """Probes of the folders above the targets and the config: which of the files that decide the
    settings, the root and the gitignore rules they hold. Taken before a full run and again after it."""
    starts = []
    for target in _targets(values):
        absolute = os.path.abspath(target)
        starts += [absolute, os.path.realpath(absolute)]
    config = values["config_path"]
    if config is not None:
        config = os.path.abspath(config)
        starts += [config, os.path.dirname(os.path.realpath(config))]
    probes = {}
    for start in starts:
        for folder in _ancestors(start):
            if os.path.join(folder, _FOLDER_FILES[0]) in probes:
                break  # this folder and those above it are probed already
            for name in _FOLDER_FILES:
                path = os.path.join(folder, name)
                probes[path] = _stat(path)
            for name in _FOLDER_MARKERS:
                path = os.path.join(folder, name)
                probes[path] = os.path.exists(path)
    if config is not None:
        probes[config] = _stat(config)
    return probes


def _folder(values):
    """Where the record of these options lives when the cache folder is not given (cache_dir, env)."""
    if values["cache_dir"] is not None:
        return os.path.abspath(values["cache_dir"])
    return os.environ.get(_CACHE_DIR_ENV) or None


def _record_name(record_key):
    import zlib

    return os.path.join(
        f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}",
        "records",
        f"{zlib.crc32(repr(record_key).encode()):08x}.marshal",
    )


class Inputs:
    """What a run whose record only missed on changed file contents would find to check (see the module
    docstring): its discovered targets and project files, the folders listed and `.gitignore` files read
    for them, and each project file's (mtime_ns, size) as stat'ed just now."""

    __slots__ = ("targets", "project_files", "folders", "ignore_files", "stats")

    def __init__(self, targets, project_files, folders, ignore_files, stats):
        self.targets = targets
        self.project_files = project_files
        self.folders = folders
        self.ignore_files = ignore_files
        self.stats = stats


class Lookup:
    """What the record of `check ARGV` says: `values`, the options parsed (None: a command line left to
    click); `output`, (stdout, stderr, exit code) to replay, or None; `inputs`, an Inputs, or None."""

    __slots__ = ("values", "output", "inputs")

    def __init__(self, values=None, output=None, inputs=None):
        self.values = values
        self.output = output
        self.inputs = inputs


def print_output(output):
    """Print a Lookup's output (as recorded) and return its exit code."""
    out, err, code = output
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code


def look_up(argv):
    """The Lookup of `check ARGV`: never raises; a torn or foreign record, or a vanished working folder,
    gives no output and no inputs (the full run will say)."""
    values = parse(argv)
    if values is None:
        return Lookup()
    try:
        return _look_up(values)
    except Exception:
        return Lookup(values)


def _look_up(values):
    if sys.stdout.isatty():
        return Lookup(values)
    record_key = key(values)
    name = _record_name(record_key)
    folder = _folder(values)
    if folder is not None:
        candidates = [os.path.join(folder, name)]
    else:
        start = os.path.realpath(_targets(values)[0])
        candidates = [os.path.join(above, _CACHE_DIR_NAME, name) for above in _ancestors(start)]
    for candidate in candidates:
        try:
            with open(candidate, "rb") as handle:
                record = marshal.loads(handle.read())  # marshal.load reads a file object piece by piece: 5x slower
        except (OSError, EOFError, ValueError, TypeError):
            continue
        if type(record) is not tuple or len(record) != 9 or record[0] != record_key:
            continue
        _, surrounding, ignore_files, folders, files, targets, out, err, code = record
        for path, seen in surrounding:
            if (os.path.exists(path) if type(seen) is bool else _stat(path)) != seen:
                return Lookup(values)
        for path, seen in (*ignore_files, *folders):
            if _stat(path) != seen:
                return Lookup(values)
        changed = False
        stats = {}
        for path, seen in files:
            now = _stat(path)
            if now != seen:
                if now is None or not S_ISREG(now[0]):  # gone, or no longer a regular file
                    return Lookup(values)
                changed = True
            stats[path] = (now[3], now[2])
        if not changed:
            return Lookup(values, (out, err, code))
        project_files = tuple(stats)
        folder_names = tuple(path for path, _ in folders)
        ignore_names = tuple(path for path, _ in ignore_files)
        return Lookup(values, None, Inputs(targets or project_files, project_files, folder_names, ignore_names, stats))
    return Lookup(values)


def save(values, record_dir, before, files, folders, started_ns, out, err, code, targets=None, ignore_files=(), stats=None):
    """Write the record of a finished full run. `before`: surroundings() taken when it started; `files`
    and `folders`: what it read and listed; `targets`: the files it checked, if not all of `files`;
    `ignore_files`: the `.gitignore` files it read in `folders`; `stats`: the files' (mtime_ns, size) as
    it took them, if it did. Skipped, silently, when anything changed while it ran."""
    latest = started_ns - _RACY_NS
    if stats is not None and any(stat[0] >= latest for stat in stats.values()):
        return  # a file edited just before the run (the usual case after an edit): no need to stat them all
    after = surroundings(values)
    if after != before:
        return
    for seen in after.values():
        if type(seen) is tuple and (seen[3] >= latest or seen[4] >= latest):
            return
    probes = []
    for paths in (ignore_files, folders, files):
        probes.append([])
        for path in paths:
            seen = _stat(path)
            if seen is None or seen[3] >= latest or seen[4] >= latest:
                return
            probes[-1].append((path, seen))
    ignore_probes, folder_probes, file_probes = map(tuple, probes)
    kept_targets = None if targets is None or tuple(targets) == tuple(files) else tuple(targets)
    record_key = key(values)
    path = os.path.join(record_dir, _record_name(record_key))
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        record = (record_key, tuple(after.items()), ignore_probes, folder_probes, file_probes, kept_targets, out, err, code)
        with open(temporary, "wb") as handle:
            marshal.dump(record, handle)
        os.replace(temporary, path)
        _prune(folder)
    except (OSError, ValueError):  # a read-only or full cache folder: the next run is a full one
        return


def _prune(folder):
    """Keep the newest records: one per command line a project is checked with, a handful at most."""
    entries = []
    for entry in os.scandir(folder):
        try:
            entries.append((entry.stat().st_mtime_ns, entry.path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[_MAX_RECORDS:]:
        try:
            os.unlink(path)
        except OSError:
            pass


class Tee:
    """The stream a recorded run prints to: the real one, with a copy kept. Everything else (isatty,
    encoding, fileno) is the real stream's, so rich formats exactly as it would for it."""

    def __init__(self, stream):
        self._stream = stream
        self._parts = []

    def write(self, text):
        self._parts.append(text)
        return self._stream.write(text)

    def text(self):
        return "".join(self._parts)

    def __getattr__(self, name):
        return getattr(self._stream, name)
