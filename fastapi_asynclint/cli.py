"""The command line (DESIGN.md section 1): `check`, `rule`, `server`, `--version`.

Exit codes as ruff's: 0 no findings (or `--exit-zero`), 1 findings remain, 2 usage, config or internal
error. Imports are deferred into the commands so `--version` and cached runs start fast.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import click

from fastapi_asynclint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ["text", "concise", "json", "sarif", "github", "lsp"]


def run() -> None:
    """The console script and `python -m fastapi_asynclint`: `main`, then exit without tearing down the
    heap. Freeing a large run's objects one by one took longer than some whole cached runs; everything
    the run writes is closed by then, and only the standard streams need flushing. (Tests call `main`.)"""
    try:
        main()
    except SystemExit as done:
        code = done.code
        if isinstance(code, str):
            sys.stderr.write(code + "\n")
            code = EXIT_ERROR
        if sys.getprofile() is not None or sys.gettrace() is not None:
            raise  # a profiler or coverage writes its data at interpreter exit
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: what was printed is all that can be
            code = code or EXIT_ERROR
        os._exit(code or 0)


def _selectors(values: Tuple[str, ...]) -> Tuple[str, ...]:
    """`--select FAL1,FAL201 --select FAL3` -> ("FAL1", "FAL201", "FAL3")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _error(message: str) -> None:
    click.echo(f"fastapi-asynclint: error: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="fastapi-asynclint", message="%(prog)s %(version)s")
def main() -> None:
    """Find and fix async-correctness bugs in FastAPI applications."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True,
              help="How to print findings.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured set).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition.")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (and show) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--add-noqa", is_flag=True, help="Append `# noqa: CODE` to every line with a finding.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the cache lives.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--stdin-filename", type=str, help="Read the source from stdin and report it under this path.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--verbose", "-v", is_flag=True, help="Log what the linter does to stderr.")
def check(
    paths: Tuple[str, ...],
    output_format: str,
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    statistics: bool,
    add_noqa: bool,
    no_cache: bool,
    cache_dir: Optional[Path],
    jobs: Optional[int],
    stdin_filename: Optional[str],
    exit_zero: bool,
    config_path: Optional[Path],
    quiet: bool,
    verbose: bool,
) -> None:
    """Check PATHS (default: the current folder) for async-correctness bugs."""
    if verbose:  # logging costs a tenth of a warm run to import: only when asked for
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    started = time.perf_counter()
    from fastapi_asynclint.settings import CliOptions, ConfigError, build_settings

    use_stdin = stdin_filename is not None or list(paths) == ["-"]
    if use_stdin and any(p != "-" for p in paths):
        _error("cannot combine stdin (`-` / --stdin-filename) with file paths")
        sys.exit(EXIT_ERROR)
    if use_stdin and add_noqa:
        _error("--add-noqa writes files: it cannot be used with stdin (`-` / --stdin-filename)")
        sys.exit(EXIT_ERROR)
    targets = [p for p in paths if p != "-"] or ["."]
    start = Path(stdin_filename or targets[0]).absolute()
    try:
        settings = build_settings(
            start if start.exists() else Path.cwd(),
            CliOptions(
                select=_selectors(select) if select else None,
                extend_select=_selectors(extend_select),
                ignore=_selectors(ignore),
                config=config_path,
                cache_dir=cache_dir,
                no_cache=no_cache,
            ),
        )
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)

    from fastapi_asynclint.runner import CheckOptions, run_check

    stdin_bytes = sys.stdin.buffer.read() if use_stdin else None
    cache = None
    if settings.cache_dir is not None and not use_stdin:
        from fastapi_asynclint.cache import Cache

        cache = Cache(settings.cache_dir, settings.root, freeze_loads=True)
    options = CheckOptions(
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        jobs=jobs,
        stdin_filename=(stdin_filename or "-") if use_stdin else None,
        stdin_bytes=stdin_bytes,
        keep_sources=add_noqa,
    )
    progress = None
    if output_format in ("text", "concise") and not quiet and sys.stderr.isatty() and not use_stdin:
        from fastapi_asynclint.progress import ProgressBar

        progress = ProgressBar()
        options.progress = progress.update
    try:
        result = run_check(targets, settings, options, cache)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        if progress is not None:
            progress.close()
    if cache is not None:
        cache.save()
    for missing in result.missing:
        _error(f"{missing}: no such file or directory")
    if not result.files and not result.missing and not quiet:
        # As ruff: an excluded or gitignored folder must not look like a clean one.
        click.echo("warning: No Python files found under the given path(s)", err=True)
    for message in result.errors:
        _error(message)

    if add_noqa:
        from fastapi_asynclint.add_noqa import add_noqa_comments

        added = add_noqa_comments(result)
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
        sys.exit(EXIT_ERROR if result.errors or result.missing else EXIT_OK)

    if diff:
        text = result.diff()
        sys.stdout.write(text)
        changed = sum(1 for report in result.files if report.changed)
        if not quiet and output_format in ("text", "concise"):
            fixes = sum(sum(report.applied.values()) for report in result.files)
            click.echo(f"Would fix {fixes} error{'s' if fixes != 1 else ''} in {changed} file{'s' if changed != 1 else ''}.", err=True)
        sys.exit(EXIT_ERROR if result.errors or result.missing else (EXIT_FINDINGS if changed else EXIT_OK))

    if fix:
        from fastapi_asynclint.runner import write_fixes

        if use_stdin:
            # The file's own bytes go back: its encoding, BOM and line endings, as a written fix keeps them.
            report = result.files[0] if result.files else None
            sys.stdout.flush()
            if report is not None and report.source is not None and report.changed:
                sys.stdout.buffer.write(report.source.encode(report.fixed))
            elif stdin_bytes is not None:
                sys.stdout.buffer.write(stdin_bytes)
            sys.stdout.buffer.flush()
        else:
            try:
                write_fixes(result)
            except OSError as exc:
                _error(f"cannot write a fixed file: {exc}")
                sys.exit(EXIT_ERROR)

    from fastapi_asynclint.output import RenderContext, render

    sources = {}
    if use_stdin and result.files and result.files[0].source is not None:
        report = result.files[0]
        sources[report.path] = report.fixed if report.fixed is not None else report.source.text
    stream = sys.stderr if (fix and use_stdin) else sys.stdout
    render(
        result,
        RenderContext(
            format=output_format,
            stream=stream,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            quiet=quiet,
            show_fixes=show_fixes,
            statistics=statistics,
            color=None,
            sources=sources,
        ),
    )
    if verbose:
        click.echo(f"fastapi_asynclint: checked {len(result.files)} files in {time.perf_counter() - started:.3f} s", err=True)
    if result.errors or result.missing:
        sys.exit(EXIT_ERROR)
    if result.diagnostics and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Document every rule.")
def rule(code: Optional[str], show_all: bool) -> None:
    """Print the documentation of rule CODE (markdown)."""
    from fastapi_asynclint.registry import all_rules, rule_info
    from fastapi_asynclint.rule_docs import rule_markdown

    if show_all:
        click.echo("\n\n".join(rule_markdown(info.code) for info in all_rules().values()))
        return
    if not code:
        _error("give a rule code (`fastapi-asynclint rule FAL101`) or --all")
        sys.exit(EXIT_ERROR)
    if rule_info(code) is None:
        _error(f"unknown rule `{code}` (see `fastapi-asynclint rule --all`)")
        sys.exit(EXIT_ERROR)
    click.echo(rule_markdown(code.upper()))


@main.command()
def server() -> None:
    """Run the language server (LSP over stdio) for editors."""
    from fastapi_asynclint.server import main as serve

    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
