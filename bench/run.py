#!/usr/bin/env python3
"""Benchmark fastapi-asynclint against ruff and flake8-async on real FastAPI applications.

Run from the project root with any Python 3.9+ that has pip (see bench/README.md)::

    python bench/run.py                                 # prefect and litellm, everything, once
    python bench/run.py --corpora prefect --repeat 3    # one corpus, median/min of three runs
    python bench/run.py --skip-flake8                   # flake8-async takes minutes on litellm
    python bench/run.py --skip-flake8=litellm --profile=prefect
                                                        # flake8-async on prefect only; cProfile prefect

Standard library only. Everything it downloads or writes lives in ``bench/.work/`` (gitignored):

* ``downloads/``  the pinned wheels of the corpora (``pip download --no-deps``), fetched once;
* ``corpus/NAME`` the wheel unpacked, never modified;
* ``tree/NAME``   a fresh copy per run that the tools are run on (``cwd``), with an empty
  ``[tool.fastapi-asynclint]`` pyproject.toml and a ``git init`` so that it is a project root of its own:
  otherwise this repository's pyproject.toml (which excludes ``bench``) and ``.gitignore`` (which ignores
  ``bench/.work/``) would apply and nothing would be checked;
* ``venv/``       a venv with pinned ruff, flake8 and flake8-async (created once) and the wheel of
  fastapi-asynclint built from the working tree (``wheel/``), reinstalled every run;
* ``cache/``, ``logs/`` every command's stdout/stderr, ``profile/``, and ``results.{json,md}``.

fastapi-asynclint is measured as users run it: a wheel built from this working tree (``pip wheel``) is
installed into the bench venv and its ``fastapi-asynclint`` console script is timed. (An editable install
adds an import hook to every start, and its source could change while the benchmark runs.)

The runs of fastapi-asynclint that use a cache are given its folder (``bench/.work/cache/NAME/asynclint``)
through the environment variable ``FASTAPI_ASYNCLINT_CACHE_DIR``, not ``--cache-dir``: a ``check`` command
line run again on an unchanged project is answered from its replay (the output it printed last time,
kept by the command line as typed) before the command line is parsed, and the replay is kept and looked
for only in the default ``.fastapi_asynclint_cache`` or in the folder that variable names. The variable is
removed from the environment of every other run. ruff keeps ``--cache-dir``.

What is measured, per corpus (each command ``--repeat`` times; the table shows the median and the minimum;
ratios divide medians). fastapi-asynclint and ruff print ``--output-format json`` (their findings are
counted from it), and fastapi-asynclint and flake8 get ``--jobs N`` (default: all cores):

====================  ==========================================================================
cold (no cache)       ``check . --no-cache``: discovery, the project index, linting every file
cold (writes cache)   ``check .`` with an empty cache folder (emptied before each repetition): the
                      same plus writing the cache and the replay
warm                  the same command again, nothing changed: answered by the replay
one changed file      a comment line appended to the corpus's largest route module, then the warm
                      command (a different comment each repetition; the file is restored afterwards)
changed, code edit    a string literal in a coroutine of that module extended in place, then the warm
                      command: a real code change that moves no row (prefect: a 404 detail in the
                      ``update_deployment`` route; litellm: a message in ``_check_custom_key_allowed``)
changed, line added   a statement inserted at the top of that coroutine's body, then the warm command:
                      every row below it moves (checked against an uncached run of the same tree)
line added, small     the same in a route module of a few hundred lines (the module above is each
                      corpus's largest kind: 1,400 lines in prefect, 8,600 in litellm)
one file, warm        ``check path/to/module.py`` with the warm cache (the pre-commit case); the
                      replays are removed before each repetition, so each is answered by the cache
                      as the first one is, not by its own replay
one file, no cache    ``check path/to/module.py --no-cache`` (still indexes the whole project)
ruff cold / warm      ``ruff check --select ASYNC,FAST`` with ``--no-cache`` / a primed cache dir
ruff one file         ``ruff check --select ASYNC,FAST --no-cache path/to/module.py``
flake8-async          ``flake8 --select ASYNC -j N .``
====================  ==========================================================================

Every edit makes the timed run the first after an edit, so the replay cannot answer it (the edited
file's stat is not what the replay was made from).

Every command runs under a small wrapper process that reports its wall time, its CPU time (user + sys
of the whole process tree) and two memory figures:

* *peak RSS*: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper, i.e. the largest resident set of
  any single process in the tree (the tool or one of its forked workers), exact;
* *tree PSS*: the largest sum of the proportional set sizes of all live processes of the tree, sampled
  from ``/proc`` every 100 ms (which processes form the tree: every 500 ms; Linux only). Forked workers
  share the parent's pages copy-on-write, so summing their RSS would count those pages twice; PSS splits
  shared pages among the sharers, so the sum is what the machine actually pays. Sampling can miss a peak
  shorter than 100 ms; the sampler costs a few per cent of one core (not counted in the tool's CPU).

Wall time runs from just before the command starts to the return of a blocking ``wait`` (a timer kills
the command at ``--timeout``); polling for the end would add up to a poll interval to short runs. The
memory target is checked against the larger of the two memory figures over every fastapi-asynclint run.

Exit codes 0 and 1 (no findings / findings) count as success for every tool; anything else, or a
timeout, is shown as an error in the table. Targets (issue 27), marked PASS or FAIL:

* warm ≤ 3 × ruff's warm time;
* a line added to a small route module ≤ 0.5 s;
* a line added to the largest route module ≤ 1.0 s, and the same limit for the other two edits of that
  module (the comment appended and the code edit);
* one-file check with a warm cache ≤ 0.3 s;
* cold ≤ 1/10 of flake8-async's time;
* peak memory ≤ 500 MB.

Reading the numbers: wall times are noisy on a small shared machine (2 cores, other jobs running): look
at the minimum for "how fast can it be" and at CPU seconds, which contention disturbs less; the load
average before and after each corpus is recorded in results.json. The finding counts are for reference
(the tools look for different things); the cached runs must report exactly what the cold run reports,
and the last run of each line-added row what an uncached run of the same edited tree reports, which the
script checks ("consistency" notes).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / ".work"


@dataclass(frozen=True)
class Corpus:
    name: str
    version: str
    # The file appended to in the "one changed file" run and checked alone in the "one file" runs: a
    # FastAPI route module, the kind of file a developer edits and commits.
    module: str
    # The start of a string literal in the body of one of its coroutines, which the "code edit" run
    # extends in place: real code changes, no row moves and no finding can appear or go.
    literal: str
    # A route module of a few hundred lines, the size most edits land in (`module` is the corpus's
    # largest kind), and a literal in one of its coroutines: the "line added, small module" run.
    small_module: str
    small_literal: str


CORPORA: Dict[str, Corpus] = {
    corpus.name: corpus
    for corpus in (
        Corpus("prefect", "3.9.1", "prefect/server/api/deployments.py", '"Deployment not found.',
               "prefect/server/api/work_queues.py", '"A work queue with this name already exists.'),
        Corpus("litellm", "1.110.2", "litellm/proxy/management_endpoints/key_management_endpoints.py",
               '"Custom API key values are disabled by your administrator.',
               "litellm/proxy/management_endpoints/budget_management_endpoints.py", '"budget_id is required"'),
    )
}
TOOLS = {"ruff": "0.17.6", "flake8": "7.5.0", "flake8-async": "26.8.1"}
RUFF_SELECT = "ASYNC,FAST"

# Targets (issue 27): measurement -> (baseline measurement, limit, unit, as printed). A "ratio" target
# divides the measurement's median by the baseline's median; an "s" target is the median itself. The
# comment, code-edit and line-added rows edit the corpus's largest route module (1.0 s); the small-module
# row a route module of a few hundred lines (0.5 s).
TARGETS = {
    "cold": ("flake8", 0.10, "ratio", "≤ 1/10 of flake8-async"),
    "warm": ("ruff_warm", 3.0, "ratio", "≤ 3× ruff warm"),
    "changed": (None, 1.0, "s", "≤ 1.0 s"),
    "changed_code": (None, 1.0, "s", "≤ 1.0 s"),
    "changed_line": (None, 1.0, "s", "≤ 1.0 s"),
    "changed_small": (None, 0.5, "s", "≤ 0.5 s"),
    "one_warm": (None, 0.3, "s", "≤ 0.3 s"),
}
MEMORY_LIMIT_MB = 500.0
# fastapi-asynclint's cache folder is given through this variable, not `--cache-dir`: the replay of a
# command line (which answers a warm run before the command line is parsed) is kept and looked for only
# in the default folder or in the folder this variable names.
CACHE_DIR_ENV = "FASTAPI_ASYNCLINT_CACHE_DIR"
OK_EXIT_CODES = (0, 1)

# Runs one command and prints a JSON line with its wall time, CPU time and memory (see the docstring).
MEASURE = r"""
import json, os, resource, signal, subprocess, sys, threading, time

out, err, cwd, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
command = sys.argv[5:]
peak_pss = [None]
done = threading.Event()


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def sample(pid):
    tick, tree = 0, [pid]
    while True:
        if tick % 5 == 0:  # scanning /proc for the tree costs more than reading its PSS: twice a second
            tree = descendants(pid)
        total = sum(pss_kb(p) for p in tree)
        if total:  # 0: the process has already exited (a zombie has no smaps)
            peak_pss[0] = max(peak_pss[0] or 0, total)
        tick += 1
        if done.wait(0.1):
            return


with open(out, "wb") as stdout, open(err, "wb") as stderr:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr, start_new_session=True)
    sampler = None
    if os.path.exists("/proc/self/smaps_rollup"):
        sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True)
        sampler.start()
    # A blocking wait, with the timeout on a timer: `wait(timeout=...)` polls with sleeps that double up
    # to 50 ms, so it noticed the end of a run only at the next poll (a 21 ms run read as 31.5 ms, a
    # 93 ms one as 113.5 ms).
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    code = process.wait()
    wall = time.perf_counter() - start
    timer.cancel()
    error = "timeout after %gs" % timeout if timed_out.is_set() else None
    done.set()
    if sampler is not None:
        sampler.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
maxrss_kb = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
print(json.dumps({
    "code": code, "error": error, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
    "maxrss_mb": maxrss_kb / 1024, "pss_mb": None if peak_pss[0] is None else peak_pss[0] / 1024,
}))
"""


# ---------------------------------------------------------------------------------------------- runs
@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mb: float
    pss_mb: Optional[float]
    code: Optional[int]
    error: Optional[str]
    stdout: str
    stderr: str


@dataclass
class Measurement:
    key: str
    label: str
    tool: str
    command: List[str]
    # Environment variables set for the command (on top of the bench's own environment, from which
    # CACHE_DIR_ENV is always removed first).
    env: Dict[str, str] = field(default_factory=dict)
    runs: List[Run] = field(default_factory=list)

    @property
    def ok_runs(self) -> List[Run]:
        return [run for run in self.runs if run.error is None]

    @property
    def error(self) -> Optional[str]:
        return next((run.error for run in self.runs if run.error), None)

    @property
    def median(self) -> Optional[float]:
        walls = [run.wall for run in self.ok_runs]
        return statistics.median(walls) if walls else None

    @property
    def minimum(self) -> Optional[float]:
        walls = [run.wall for run in self.ok_runs]
        return min(walls) if walls else None

    @property
    def cpu(self) -> Optional[float]:
        cpus = [run.cpu for run in self.ok_runs]
        return statistics.median(cpus) if cpus else None

    @property
    def peak_mb(self) -> Optional[float]:
        values = [max(run.maxrss_mb, run.pss_mb or 0.0) for run in self.ok_runs]
        return max(values) if values else None

    def summary(self) -> dict:
        return {
            "label": self.label,
            "tool": self.tool,
            "command": self.command,
            "env": self.env,
            "median_s": self.median,
            "min_s": self.minimum,
            "cpu_s": self.cpu,
            "peak_rss_mb": max((run.maxrss_mb for run in self.ok_runs), default=None),
            "peak_tree_pss_mb": max((run.pss_mb for run in self.ok_runs if run.pss_mb is not None), default=None),
            "error": self.error,
            "runs": [asdict(run) for run in self.runs],
        }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def command_env(extra: Dict[str, str]) -> Dict[str, str]:
    """The bench's environment without CACHE_DIR_ENV (a value set outside must not reach a run meant to
    use no cache, or another folder), with `extra` set."""
    env = {name: value for name, value in os.environ.items() if name != CACHE_DIR_ENV}
    env.update(extra)
    return env


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.jobs = args.jobs or os.cpu_count() or 1
        self.venv_bin = WORK / "venv" / ("Scripts" if os.name == "nt" else "bin")
        self.failed_commands = 0

    # ------------------------------------------------------------------ running one command
    def run(self, measurement: Measurement, cwd: Path, log_dir: Path, timed: bool = True) -> Run:
        command = measurement.command
        log_dir.mkdir(parents=True, exist_ok=True)
        number = len(measurement.runs) + 1
        stem = log_dir / (f"{measurement.key}-{number}" if timed else f"{measurement.key}-untimed")
        out, err = f"{stem}.out", f"{stem}.err"
        wrapper = [sys.executable, "-c", MEASURE, out, err, str(cwd), str(self.args.timeout), *command]
        # The wrapper's environment is the command's: its Popen passes it on.
        finished = subprocess.run(wrapper, stdout=subprocess.PIPE, text=True, check=True,
                                  env=command_env(measurement.env))
        data = json.loads(finished.stdout.strip().splitlines()[-1])
        error = data["error"]
        if error is None and data["code"] not in OK_EXIT_CODES:
            tail = Path(err).read_text(errors="replace").strip().splitlines()[-1:] or [""]
            error = f"exit {data['code']}: {tail[0][:120]}"
        result = Run(data["wall"], data["cpu"], data["maxrss_mb"], data["pss_mb"], data["code"], error, out, err)
        if timed:
            measurement.runs.append(result)
        if error:
            self.failed_commands += 1
        state = (f"ERROR ({error})" if error
                 else f"{result.wall:.2f} s, {result.cpu:.1f} s CPU, {result.maxrss_mb:.0f} MB")
        log(f"    {measurement.label}{'' if timed else ' (untimed)'}: {state}")
        return result

    def repeat(self, measurement: Measurement, cwd: Path, log_dir: Path, times: int, before=None) -> Measurement:
        """Run the measurement's command `times` times, calling `before(index)` ahead of each run."""
        for index in range(times):
            if before is not None:
                before(index)
            self.run(measurement, cwd, log_dir)
        return measurement

    # ------------------------------------------------------------------ set-up
    def install_tool(self) -> str:
        """Build a wheel of this working tree and install it into the bench venv, as users get it: an
        editable install adds an import hook to every start (~30 ms here) and leaves the source open to
        edits while the benchmark runs. Returns the wheel's name and digest."""
        wheels = WORK / "wheel"
        shutil.rmtree(wheels, ignore_errors=True)
        log(f"building a wheel of {PROJECT}")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(PROJECT)],
                       check=True)
        (wheel,) = wheels.glob("fastapi_asynclint-*.whl")
        pip = [str(self.venv_bin / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, str(wheel)], check=True)  # its dependencies, once
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(wheel)], check=True)  # this build
        return f"{wheel.name} sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]}"

    def ensure_venv(self) -> None:
        """bench/.work/venv with the pinned baselines; reinstalled when the pins change."""
        marker = WORK / "venv" / "bench-requirements.txt"
        wanted = "".join(f"{name}=={version}\n" for name, version in TOOLS.items())
        if marker.is_file() and marker.read_text() == wanted and (self.venv_bin / "ruff").exists():
            return
        log(f"creating {WORK / 'venv'} with {', '.join(wanted.split())}")
        if not (self.venv_bin / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(WORK / "venv")], check=True)
        subprocess.run([str(self.venv_bin / "python"), "-m", "pip", "install", "--quiet",
                        *wanted.split()], check=True)
        marker.write_text(wanted)

    def ensure_corpus(self, corpus: Corpus) -> Path:
        """The pinned wheel, downloaded once and unpacked into bench/.work/corpus/NAME."""
        downloads = WORK / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        prefix = f"{corpus.name.replace('-', '_')}-{corpus.version}-"
        wheels = sorted(downloads.glob(prefix + "*.whl"))
        if not wheels:
            log(f"downloading {corpus.name}=={corpus.version}")
            subprocess.run([str(self.venv_bin / "python"), "-m", "pip", "download", "--quiet", "--no-deps",
                            "--no-binary", ":none:", "-d", str(downloads), f"{corpus.name}=={corpus.version}"],
                           check=True)
            wheels = sorted(downloads.glob(prefix + "*.whl"))
            if not wheels:
                raise SystemExit(f"pip download gave no wheel for {corpus.name}=={corpus.version}")
        wheel = wheels[0]
        target = WORK / "corpus" / corpus.name
        marker = target / ".bench-source"
        if marker.is_file() and marker.read_text().split()[0] == wheel.name:
            return target
        log(f"unpacking {wheel.name}")
        shutil.rmtree(target, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        marker.write_text(f"{wheel.name} sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n")
        return target

    @staticmethod
    def working_copy(corpus: Corpus, source: Path) -> Path:
        """A fresh copy of the corpus that is a project root of its own (see the module docstring)."""
        tree = WORK / "tree" / corpus.name
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(source, tree, ignore=shutil.ignore_patterns(".bench-source"))
        (tree / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
        if shutil.which("git"):
            subprocess.run(["git", "init", "--quiet", str(tree)], check=True)
        else:
            (tree / ".git").mkdir()
        if not (tree / corpus.module).is_file():
            raise SystemExit(f"{corpus.name}: {corpus.module} is not in the wheel; update CORPORA in {__file__}")
        return tree

    # ------------------------------------------------------------------ one corpus
    def bench_corpus(self, corpus: Corpus) -> dict:
        log(f"{corpus.name} {corpus.version}")
        source = self.ensure_corpus(corpus)
        tree = self.working_copy(corpus, source)
        files, lines = count_python(tree)
        log(f"  {files} Python files, {lines} lines; load average {os.getloadavg()[0]:.2f}")
        load_before = os.getloadavg()
        logs = WORK / "logs" / corpus.name
        shutil.rmtree(logs, ignore_errors=True)
        caches = WORK / "cache" / corpus.name
        shutil.rmtree(caches, ignore_errors=True)
        times = self.args.repeat
        ours = [str(self.venv_bin / "fastapi-asynclint"), "check", "--output-format", "json", "--jobs", str(self.jobs)]
        ruff = [str(self.venv_bin / "ruff"), "check", "--isolated", "--select", RUFF_SELECT, "--output-format", "json"]
        m: Dict[str, Measurement] = {}

        def new(key: str, label: str, tool: str, command: List[str], env: Optional[Dict[str, str]] = None) -> Measurement:
            m[key] = Measurement(key, label, tool, command, dict(env or {}))
            return m[key]

        self.repeat(new("cold", "cold (no cache)", "fastapi-asynclint", ours + ["--no-cache", "."]), tree, logs, times)

        # Every cached run uses this folder, named through the environment (see CACHE_DIR_ENV).
        warm_cache = caches / "asynclint"
        cached = {CACHE_DIR_ENV: str(warm_cache)}
        cold_cache = new("cold_cache", "cold (writes cache)", "fastapi-asynclint", ours + ["."], cached)
        self.repeat(cold_cache, tree, logs, times, lambda index: shutil.rmtree(warm_cache, ignore_errors=True))
        self.repeat(new("warm", "warm", "fastapi-asynclint", ours + ["."], cached), tree, logs, times)
        module = corpus.module
        # Without the replays kept so far, every repetition is answered by the cache as the first one is
        # (a one-file command line has not run before): from the second on, its own replay would answer.
        self.repeat(new("one_warm", "one file, warm cache", "fastapi-asynclint", ours + [module], cached),
                    tree, logs, times, lambda index: shutil.rmtree(warm_cache / "replay", ignore_errors=True))

        edited = tree / module
        original = edited.read_bytes()
        changed = new("changed", "one changed file", "fastapi-asynclint", ours + ["."], cached)

        def edit(index: int) -> None:
            edited.write_bytes(original + f"\n# fastapi-asynclint bench: edit {index + 1}\n".encode())

        if original.count(corpus.literal.encode()) < 1:
            raise SystemExit(f"{corpus.name}: {corpus.literal} is not in {module}; update CORPORA in {__file__}")
        changed_code = new("changed_code", "one changed file (code edit)", "fastapi-asynclint", ours + ["."], cached)

        def edit_code(index: int) -> None:
            literal = corpus.literal.encode()
            edited.write_bytes(original.replace(literal, literal + f" (bench edit {index + 1})".encode(), 1))

        def adding_a_line(path: Path, source: bytes, literal: str) -> Callable[[int], None]:
            def edit_line(index: int) -> None:
                path.write_bytes(add_statement(source, literal.encode(), f"bench_edit = len(\"edit {index + 1}\")"))

            return edit_line

        changed_line = new("changed_line", "one changed file (line added)", "fastapi-asynclint", ours + ["."], cached)
        edit_line = adding_a_line(edited, original, corpus.literal)
        small = tree / corpus.small_module
        small_original = small.read_bytes()
        changed_small = new("changed_small", "one changed file (line added, small module)", "fastapi-asynclint",
                            ours + ["."], cached)
        edit_small = adding_a_line(small, small_original, corpus.small_literal)

        try:
            self.repeat(changed, tree, logs, times, edit)
            edited.write_bytes(original)
            self.run(m["warm"], tree, logs, timed=False)  # back to the original file in the cache
            self.repeat(changed_code, tree, logs, times, edit_code)
            edited.write_bytes(original)
            self.run(m["warm"], tree, logs, timed=False)
            self.repeat(changed_line, tree, logs, times, edit_line)
            # Rows moved, so the cold run is no reference: an uncached run of the same edited tree is.
            line_reference = new("changed_line_reference", "uncached run of the line-added tree",
                                 "fastapi-asynclint", ours + ["--no-cache", "."])
            self.run(line_reference, tree, logs)
            edited.write_bytes(original)
            self.run(m["warm"], tree, logs, timed=False)
            self.repeat(changed_small, tree, logs, times, edit_small)
            small_reference = new("changed_small_reference", "uncached run of the small-module tree",
                                  "fastapi-asynclint", ours + ["--no-cache", "."])
            self.run(small_reference, tree, logs)
        finally:
            edited.write_bytes(original)
            small.write_bytes(small_original)
        self.run(m["warm"], tree, logs, timed=False)

        self.repeat(new("one_cold", "one file, no cache", "fastapi-asynclint", ours + ["--no-cache", module]),
                    tree, logs, times)

        self.repeat(new("ruff_cold", "ruff cold", "ruff", ruff + ["--no-cache", "."]), tree, logs, times)
        ruff_warm = new("ruff_warm", "ruff warm", "ruff", ruff + ["--cache-dir", str(caches / "ruff"), "."])
        self.run(ruff_warm, tree, logs, timed=False)  # prime the cache
        self.repeat(ruff_warm, tree, logs, times)
        self.repeat(new("ruff_one", "ruff one file", "ruff", ruff + ["--no-cache", module]), tree, logs, times)

        if corpus.name not in self.args.skip_flake8:
            flake8 = [str(self.venv_bin / "flake8"), "--select", "ASYNC", "-j", str(self.jobs), "."]
            self.repeat(new("flake8", "flake8-async", "flake8-async", flake8), tree, logs, self.args.flake8_repeat)

        result = {
            "corpus": corpus.name,
            "version": corpus.version,
            "wheel": (source / ".bench-source").read_text().strip(),
            "module": module,
            "files": files,
            "lines": lines,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "measurements": {key: measurement.summary() for key, measurement in m.items()},
        }
        result["findings"], result["consistency"] = findings(m, module)
        result["targets"] = evaluate(m)
        if corpus.name in self.args.profile:
            result["profile"] = self.profile(corpus, tree)
        return result

    # ------------------------------------------------------------------ profiling
    def profile(self, corpus: Corpus, tree: Path) -> Dict[str, str]:
        """cProfile a cold, a warm, a one-file and a one-changed-file run, in one process each (`--jobs 1`:
        forked workers are invisible to cProfile). cProfile roughly triples the time of the analysis. The
        cache folder is given as for the timed runs (CACHE_DIR_ENV), so the warm run is answered by the
        replay, as a warm run is."""
        folder = WORK / "profile"
        folder.mkdir(parents=True, exist_ok=True)
        cache = WORK / "cache" / corpus.name / "profile"
        shutil.rmtree(cache, ignore_errors=True)
        edited = tree / corpus.module
        original = edited.read_bytes()
        texts = {}
        phases = (("cold", "."), ("warm", "."), ("one file, warm", corpus.module), ("one changed file", "."))
        for phase, target in phases:
            stem = folder / f"{corpus.name}-{phase.replace(' ', '-').replace(',', '')}"
            command = [str(self.venv_bin / "python"), "-m", "cProfile", "-o", f"{stem}.prof", "-m", "fastapi_asynclint", "check",
                       "--output-format", "json", "--jobs", "1", target]
            env = command_env({CACHE_DIR_ENV: str(cache)})
            log(f"    profiling: {phase}")
            if phase != "one changed file":
                subprocess.run(command, cwd=tree, stdout=subprocess.DEVNULL, check=False, env=env)
            else:
                edited.write_bytes(original + b"\n# fastapi-asynclint bench: profiled edit\n")
                try:
                    subprocess.run(command, cwd=tree, stdout=subprocess.DEVNULL, check=False, env=env)
                finally:
                    edited.write_bytes(original)
            with open(f"{stem}.txt", "w") as handle:  # cumulative: which phase; tottime: which function
                stats = pstats.Stats(f"{stem}.prof", stream=handle)
                stats.sort_stats("cumulative").print_stats(self.args.profile_top)
                stats.sort_stats("tottime").print_stats(self.args.profile_top)
            texts[phase] = Path(f"{stem}.txt").read_text()
        return texts


def add_statement(source: bytes, literal: bytes, statement: str) -> bytes:
    """`source` with `statement` as the first statement of the innermost coroutine holding `literal` (after
    its docstring): a real code edit that moves every row below it."""
    import ast

    row = source[: source.index(literal)].count(b"\n") + 1
    tree = ast.parse(source)
    holders = [node for node in ast.walk(tree)
               if isinstance(node, ast.AsyncFunctionDef) and node.lineno <= row <= (node.end_lineno or 0)]
    if not holders:
        raise SystemExit(f"no coroutine holds {literal!r}; update CORPORA in {__file__}")
    body = max(holders, key=lambda node: node.lineno).body
    docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1
    first = body[1] if docstring else body[0]
    start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", []))])
    lines = source.splitlines(keepends=True)
    indent = b" " * first.col_offset
    lines.insert(start - 1, indent + statement.encode() + b"\n")
    return b"".join(lines)


# ---------------------------------------------------------------------------------------------- results
def count_python(tree: Path) -> tuple:
    files = lines = 0
    for folder, dirnames, filenames in os.walk(tree):
        dirnames[:] = [name for name in dirnames if name != ".git"]
        for name in filenames:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(folder, name), "rb") as handle:
                    lines += handle.read().count(b"\n")
    return files, lines


def _json_findings(run: Run) -> Optional[list]:
    try:
        return json.loads(Path(run.stdout).read_text())
    except (OSError, ValueError):
        return None


def findings(m: Dict[str, Measurement], module: str) -> tuple:
    """Finding counts per tool, and whether every cached fastapi-asynclint run agrees with the cold one."""
    counts: Dict[str, Optional[int]] = {}
    notes: List[str] = []

    def first(key: str) -> Optional[Run]:
        measurement = m.get(key)
        return measurement.ok_runs[0] if measurement and measurement.ok_runs else None

    def identity(item: dict) -> tuple:
        return item.get("filename"), item.get("code"), json.dumps(item.get("location")), item.get("message")

    cold = first("cold")
    reference = _json_findings(cold) if cold else None
    counts["fastapi-asynclint"] = None if reference is None else len(reference)
    if reference is not None:
        expected = sorted(map(identity, reference))
        in_module = sorted(i for i in expected if (i[0] or "").endswith(module))
        # A comment appended at the end of a file, or a string in a route extended, changes no finding, so
        # the changed runs must agree too.
        for key, wanted in (("cold_cache", expected), ("warm", expected), ("changed", expected), ("changed_code", expected),
                            ("one_warm", in_module), ("one_cold", in_module)):
            for number, run in enumerate(m[key].ok_runs if key in m else [], 1):
                got = _json_findings(run)
                if got is None or sorted(map(identity, got)) != wanted:
                    notes.append(f"{m[key].label} run {number}: {'no JSON' if got is None else len(got)} findings"
                                 f" (or different ones), expected the cold run's {len(wanted)}")
    for key in ("changed_line", "changed_small"):
        line_edit, line_reference = m.get(key), first(f"{key}_reference")
        if line_edit is not None and line_edit.ok_runs and line_reference is not None:
            got, wanted = _json_findings(line_edit.ok_runs[-1]), _json_findings(line_reference)
            if got is None or wanted is None or got != wanted:
                notes.append(f"{line_edit.label}, last run: its findings differ from an uncached run of the same tree")
    ruff = first("ruff_cold")
    ruff_findings = _json_findings(ruff) if ruff else None
    counts["ruff"] = None if ruff_findings is None else len(ruff_findings)
    flake8 = first("flake8")
    counts["flake8-async"] = (
        None if flake8 is None else sum(1 for line in Path(flake8.stdout).read_text().splitlines() if line.strip())
    )
    return counts, notes


def evaluate(m: Dict[str, Measurement]) -> List[dict]:
    targets = []
    for key, (baseline, limit, unit, text) in TARGETS.items():
        measurement = m.get(key)
        value = measurement.median if measurement else None
        entry = {"measurement": key, "label": measurement.label if measurement else key, "target": text,
                 "limit": limit, "unit": unit, "baseline": baseline, "value": value, "ratio": None, "result": "n/a"}
        if unit == "ratio":
            base = m.get(baseline) if baseline else None
            if value is not None and base is not None and base.median:
                entry["ratio"] = value / base.median
                entry["result"] = "PASS" if entry["ratio"] <= limit else "FAIL"
        elif value is not None:
            entry["result"] = "PASS" if value <= limit else "FAIL"
        if measurement is not None and measurement.error:
            entry["result"] = "ERROR"
        targets.append(entry)
    peaks = [measurement.peak_mb for measurement in m.values() if measurement.tool == "fastapi-asynclint"]
    peak = max((p for p in peaks if p is not None), default=None)
    targets.append({"measurement": "memory", "label": "peak memory", "target": f"≤ {MEMORY_LIMIT_MB:g} MB",
                    "limit": MEMORY_LIMIT_MB, "unit": "MB",
                    "baseline": None, "value": peak, "ratio": None,
                    "result": "n/a" if peak is None else ("PASS" if peak <= MEMORY_LIMIT_MB else "FAIL")})
    return targets


# Which baseline each fastapi-asynclint row is compared with in the table.
COMPARE = {"cold": "flake8", "cold_cache": "flake8", "warm": "ruff_warm", "changed": "ruff_warm",
           "changed_code": "ruff_warm", "changed_line": "ruff_warm", "changed_small": "ruff_warm", "one_warm": "ruff_one",
           "one_cold": "ruff_one"}


def _seconds(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.2f}"


def _mb(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.0f}"


def markdown(results: dict) -> str:
    corpora = results["corpora"]
    lines = [
        "| corpus | version | files | lines | findings: fastapi-asynclint | ruff ASYNC,FAST | flake8-async |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in corpora:
        f = c["findings"]
        lines.append(f"| {c['corpus']} | {c['version']} | {c['files']:,} | {c['lines']:,} | "
                     + " | ".join("–" if f.get(t) is None else str(f[t])
                                  for t in ("fastapi-asynclint", "ruff", "flake8-async"))
                     + " |")
    lines += [
        "",
        "| corpus | measurement | median s | min s | CPU s | peak RSS MB | tree PSS MB | vs | ratio | target"
        " | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for c in corpora:
        ms = c["measurements"]
        targets = {t["measurement"]: t for t in c["targets"]}
        for key, s in ms.items():
            base_key = COMPARE.get(key)
            base = ms.get(base_key) if base_key else None
            ratio = ""
            if base and s["median_s"] is not None and base["median_s"]:
                ratio = f"{s['median_s'] / base['median_s']:.2f}×"
            target = targets.get(key)
            limit = result = ""
            if target:
                limit, result = TARGETS[key][3], f"**{target['result']}**"
            if s["error"]:
                result = f"ERROR: {s['error']}"
            lines.append(
                f"| {c['corpus']} | {s['label']} | {_seconds(s['median_s'])} | {_seconds(s['min_s'])} | "
                f"{_seconds(s['cpu_s'])} | {_mb(s['peak_rss_mb'])} | {_mb(s['peak_tree_pss_mb'])} | "
                f"{base['label'] if base else ''} | {ratio} | {limit} | {result} |"
            )
        memory = targets["memory"]
        lines.append(f"| {c['corpus']} | peak memory, any fastapi-asynclint run | | | | {_mb(memory['value'])} | | | | "
                     f"≤ {MEMORY_LIMIT_MB:g} MB | **{memory['result']}** |")
    meta = results["meta"]
    lines += [
        "",
        f"fastapi-asynclint {meta['fastapi_asynclint']} ({meta['commit']}), ruff {TOOLS['ruff']}, flake8 "
        f"{TOOLS['flake8']} + flake8-async {TOOLS['flake8-async']}; Python {meta['python']}, {meta['cpus']} CPUs, "
        f"--jobs {meta['jobs']}, {meta['repeat']} run(s) each (flake8-async: {meta['flake8_repeat']}"
        f"{', not run on ' + ', '.join(meta['flake8_skipped']) if meta['flake8_skipped'] else ''}); {meta['date']}.",
        "Peak RSS: the largest single process of the tree; tree PSS: the sampled sum over the tree (see bench/run.py).",
    ]
    for c in corpora:
        for note in c["consistency"]:
            lines.append(f"- consistency, {c['corpus']}: {note}")
    for c in corpora:
        for phase, text in (c.get("profile") or {}).items():
            top = results["meta"]["profile_top"]
            title = f"### cProfile, {c['corpus']}, {phase} run (--jobs 1, top {top} by cumulative and by own time)"
            lines += ["", title, "", "```", text.strip(), "```"]
    return "\n".join(lines) + "\n"


def project_state() -> tuple:
    """The version the working tree declares (read, not imported: the bench runs under any Python) and the
    commit it stands on."""
    import re

    found = re.search(r'^__version__ = "([^"]+)"', (PROJECT / "fastapi_asynclint" / "__init__.py").read_text(), re.M)
    version = found.group(1) if found else "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT,
                               capture_output=True, text=True, check=True).stdout.strip()
        commit += "+dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return version, commit


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=",".join(CORPORA),
                        help=f"comma-separated corpora to run (default: %(default)s; known: {', '.join(CORPORA)})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median and min are reported")
    parser.add_argument("--skip-flake8", nargs="?", const="all", default="", metavar="CORPORA",
                        help="do not run flake8-async (minutes on prefect, far more on litellm): on any corpus, or"
                             " only on the comma-separated CORPORA given (--skip-flake8=litellm)")
    parser.add_argument("--flake8-repeat", type=int, default=1, help="runs of flake8-async (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes for fastapi-asynclint and flake8 (default: all cores)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before one command is killed")
    parser.add_argument("--profile", nargs="?", const="all", default="", metavar="CORPORA",
                        help="also cProfile a cold, a warm, a one-file and a one-changed-file run: on every"
                             " corpus, or only on the comma-separated CORPORA given (--profile=prefect)")
    parser.add_argument("--profile-top", type=int, default=25, help="entries of the profiles to keep")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: print the table of bench/.work/results.json again")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.corpora.split(",") if name.strip()]
    unknown = [name for name in names if name not in CORPORA]
    if unknown or not names:
        parser.error(f"unknown corpus {', '.join(unknown) or '(none)'}; known: {', '.join(CORPORA)}")
    if args.repeat < 1 or args.flake8_repeat < 1:
        parser.error("--repeat and --flake8-repeat must be at least 1")
    args.corpora = names

    def corpus_set(option: str, value: str) -> set:
        chosen = {name.strip() for name in value.split(",") if name.strip()}
        if chosen - set(CORPORA) - {"all"}:
            parser.error(f"{option}: unknown corpus {', '.join(sorted(chosen - set(CORPORA) - {'all'}))}")
        return set(CORPORA) if "all" in chosen else chosen

    args.skip_flake8 = corpus_set("--skip-flake8", args.skip_flake8)
    args.profile = corpus_set("--profile", args.profile)
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        table = markdown(json.loads((WORK / "results.json").read_text()))
        (WORK / "results.md").write_text(table)
        print(table)
        return 0
    bench = Bench(args)
    WORK.mkdir(parents=True, exist_ok=True)
    bench.ensure_venv()
    wheel = bench.install_tool()
    version, commit = project_state()
    results = {
        "meta": {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "fastapi_asynclint": version,
            "commit": commit,
            "wheel": wheel,
            "tools": TOOLS,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "jobs": bench.jobs,
            "repeat": args.repeat,
            "flake8_repeat": args.flake8_repeat,
            "flake8_skipped": sorted(args.skip_flake8 & set(args.corpora)),
            "profile_top": args.profile_top,
            "command": [Path(sys.executable).name, *sys.argv],
        },
        "corpora": [bench.bench_corpus(CORPORA[name]) for name in args.corpora],
    }
    table = markdown(results)
    (WORK / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (WORK / "results.md").write_text(table)
    print(table)
    log(f"wrote {WORK / 'results.json'} and {WORK / 'results.md'}")
    if bench.failed_commands:
        return 2
    failed = any(t["result"] == "FAIL" for c in results["corpora"] for t in c["targets"])
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
