"""`check`, the command itself: settings, the run, fixes, the report and the exit code.

cli.py only parses the command line into `CheckArgs`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    from fastapi_asynclint.results import CheckResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class CheckArgs:
    """The parsed options of `check` (the click command's parameters, one field each)."""

    paths: Tuple[str, ...] = ()
    output_format: str = "text"
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    reach: Tuple[str, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    show_fixes: bool = False
    statistics: bool = False
    add_noqa: bool = False
    no_cache: bool = False
    cache_dir: Optional[str] = None
    jobs: Optional[int] = None
    stdin_filename: Optional[str] = None
    exit_zero: bool = False
    config_path: Optional[str] = None
    quiet: bool = False
    verbose: bool = False
    # The command line as typed, when it came from the console (what a replay is keyed by: cache.replayed).
    argv: Optional[Tuple[str, ...]] = None

    @property
    def use_stdin(self) -> bool:
        return self.stdin_filename is not None or list(self.paths) == ["-"]

    @property
    def targets(self) -> Tuple[str, ...]:
        return tuple(p for p in self.paths if p != "-") or (".",)


def selectors(values: Tuple[str, ...]) -> Tuple[str, ...]:
    """`--select FAL1,FAL201 --select FAL3` -> ("FAL1", "FAL201", "FAL3")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def say(message: str, stream=None) -> None:
    stream = stream or sys.stderr
    stream.write(message + "\n")
    stream.flush()


def error(message: str, stream=None) -> None:
    say(f"fastapi-asynclint: error: {message}", stream)


def check(args: CheckArgs) -> int:
    """A full run; returns the exit code."""
    if args.verbose:  # logging costs a tenth of a warm run to import: only when asked for
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    started = time.perf_counter()
    if args.use_stdin and any(p != "-" for p in args.paths):
        error("cannot combine stdin (`-` / --stdin-filename) with file paths")
        return EXIT_ERROR
    if args.use_stdin and args.add_noqa:
        error("--add-noqa writes files: it cannot be used with stdin (`-` / --stdin-filename)")
        return EXIT_ERROR
    settings = _settings(args)
    if settings is None:
        return EXIT_ERROR
    stdin_bytes = sys.stdin.buffer.read() if args.use_stdin else None
    result, cache = _run(args, settings, stdin_bytes)
    if result is None:
        return 130
    if _replayable(args) and cache is not None and not (result.errors or result.missing or result.unreadable):
        return _report_and_keep(result, args, cache)
    report_problems(result, args)
    if args.add_noqa:
        from fastapi_asynclint.add_noqa import add_noqa_comments

        added = add_noqa_comments(result)
        say(f"Added {added} noqa directive{'s' if added != 1 else ''}.")
        return EXIT_ERROR if result.errors or result.missing else EXIT_OK
    if args.diff:
        return _print_diff(result, args)
    if args.fix and not _write_fixes(result, args, stdin_bytes):
        return EXIT_ERROR
    sources = {}
    if args.use_stdin and result.files and result.files[0].source is not None:
        report = result.files[0]
        sources[report.path] = report.fixed if report.fixed is not None else report.source.text
    code = report_findings(result, args, sources, stream=sys.stderr if (args.fix and args.use_stdin) else sys.stdout)
    if args.verbose:
        say(f"fastapi_asynclint: checked {len(result.files)} files in {time.perf_counter() - started:.3f} s")
    return code


def _settings(args: CheckArgs):
    """The settings for this command line, or None after saying why there are none."""
    from pathlib import Path

    from fastapi_asynclint.settings import CliOptions, ConfigError, build_settings, check_reaches

    start = Path(args.stdin_filename or args.targets[0]).absolute()
    try:
        return build_settings(
            start if start.exists() else Path.cwd(),
            CliOptions(
                select=selectors(args.select) if args.select else None,
                extend_select=selectors(args.extend_select),
                ignore=selectors(args.ignore),
                config=Path(args.config_path) if args.config_path is not None else None,
                cache_dir=Path(args.cache_dir) if args.cache_dir is not None else None,
                no_cache=args.no_cache,
                reach=check_reaches(selectors(args.reach), "--reach") if args.reach else None,
            ),
        )
    except ConfigError as exc:
        error(str(exc))
        return None


def _replayable(args: CheckArgs) -> bool:
    """Whether what this command line prints may be kept for the same command line run again (cache.replayed):
    not for runs that write files or read stdin, nor for a terminal (colour, width, progress)."""
    if args.argv is None or args.fix or args.diff or args.add_noqa or args.use_stdin or args.verbose or args.no_cache:
        return False
    return not (sys.stdout.isatty() or sys.stderr.isatty())


def _report_and_keep(result: "CheckResult", args: CheckArgs, cache) -> int:
    """Print the report, and keep what was printed for the same command line run again."""
    import io

    from fastapi_asynclint.cache import RunOutput, keep_replay

    out, err = io.StringIO(), io.StringIO()
    report_problems(result, args, err)
    code = report_findings(result, args, stream=out)
    sys.stderr.write(err.getvalue())
    sys.stdout.write(out.getvalue())
    keep_replay(args.argv, cache.directory, RunOutput(out.getvalue(), err.getvalue(), code), result.probes)
    return code


def _run(args: CheckArgs, settings, stdin_bytes: Optional[bytes]):
    """The run itself, with its progress bar on a terminal, and its cache; (None, None) when interrupted."""
    from fastapi_asynclint.runner import CheckOptions, run_check

    cache = None
    if settings.cache_dir is not None and not args.use_stdin:
        from fastapi_asynclint.cache import Cache

        cache = Cache(settings.cache_dir, settings.root)
    options = CheckOptions(
        fix=args.fix,
        unsafe_fixes=args.unsafe_fixes,
        diff=args.diff,
        jobs=args.jobs,
        stdin_filename=(args.stdin_filename or "-") if args.use_stdin else None,
        stdin_bytes=stdin_bytes,
        keep_sources=args.add_noqa,
    )
    progress = None
    if args.output_format in ("text", "concise") and not args.quiet and sys.stderr.isatty() and not args.use_stdin:
        from fastapi_asynclint.progress import ProgressBar

        progress = ProgressBar()
        options.progress = progress.update
    try:
        return run_check(list(args.targets), settings, options, cache), cache
    except KeyboardInterrupt:
        return None, None
    finally:
        if progress is not None:
            progress.close()


def _print_diff(result: "CheckResult", args: CheckArgs) -> int:
    sys.stdout.write(result.diff())
    changed = sum(1 for report in result.files if report.changed)
    if not args.quiet and args.output_format in ("text", "concise"):
        fixes = sum(sum(report.applied.values()) for report in result.files)
        say(f"Would fix {fixes} error{'s' if fixes != 1 else ''} in {changed} file{'s' if changed != 1 else ''}.")
    return EXIT_ERROR if result.errors or result.missing else (EXIT_FINDINGS if changed else EXIT_OK)


def _write_fixes(result: "CheckResult", args: CheckArgs, stdin_bytes: Optional[bytes]) -> bool:
    """Write the fixed files (with stdin: print the fixed text); False after saying why one could not be."""
    if args.use_stdin:
        # The file's own bytes go back: its encoding, BOM and line endings, as a written fix keeps them.
        report = result.files[0] if result.files else None
        sys.stdout.flush()
        if report is not None and report.source is not None and report.changed:
            sys.stdout.buffer.write(report.source.encode(report.fixed))
        elif stdin_bytes is not None:
            sys.stdout.buffer.write(stdin_bytes)
        sys.stdout.buffer.flush()
        return True
    from fastapi_asynclint.runner import write_fixes
    from fastapi_asynclint.writer import UnwritableFile

    try:
        write_fixes(result)
    except (OSError, UnwritableFile) as exc:
        error(f"cannot write a fixed file: {exc}")
        return False
    return True


def report_problems(result: CheckResult, args: CheckArgs, stream=None) -> None:
    """Missing paths, unreadable folders, an empty selection of files and run errors, on stderr."""
    for missing in result.missing:
        error(f"{missing}: no such file or directory", stream)
    for folder in result.unreadable:
        say(f"warning: cannot list a folder, its files are not checked: {folder}", stream)
    if not result.files and not result.missing and not args.quiet:
        # As ruff: an excluded or gitignored folder must not look like a clean one.
        say("warning: No Python files found under the given path(s)", stream)
    for message in result.errors:
        error(message, stream)


def report_findings(result: CheckResult, args: CheckArgs, sources=None, stream=None) -> int:
    """Print the findings in the chosen format and give the exit code."""
    from fastapi_asynclint.output import RenderContext, render

    render(
        result,
        RenderContext(
            format=args.output_format,
            stream=stream or sys.stdout,
            fix=args.fix,
            unsafe_fixes=args.unsafe_fixes,
            quiet=args.quiet,
            show_fixes=args.show_fixes,
            statistics=args.statistics,
            color=None,
            sources=sources or {},
        ),
    )
    if result.errors or result.missing:
        return EXIT_ERROR
    if result.diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK
