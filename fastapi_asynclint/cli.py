"""The command line (DESIGN.md section 1): `check`, `rule`, `server`, `--version`.

Exit codes as ruff's: 0 no findings (or `--exit-zero`), 1 findings remain, 2 usage, config or internal
error. This module only parses: `check` itself is command.py. Imports are deferred into the commands so
`--version` starts fast.
"""

from __future__ import annotations

import sys
from typing import Optional, Tuple

import click

from fastapi_asynclint import __version__

OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github", "lsp")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="fastapi-asynclint", message="%(prog)s %(version)s")
def main() -> None:
    """Find and fix async-correctness bugs in FastAPI applications."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--output-format", type=click.Choice(list(OUTPUT_FORMATS)), default="text", show_default=True,
              help="How to print findings.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured set).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition.")
@click.option("--reach", "reach", multiple=True,
              help="Report only findings in code that runs there: request, background, startup, unserved (comma-separated).")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (and show) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--add-noqa", is_flag=True, help="Append `# noqa: CODE` to every line with a finding.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=str), help="Where the cache lives.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--stdin-filename", type=str, help="Read the source from stdin and report it under this path.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--config", "config_path", type=click.Path(path_type=str), help="Use this configuration file.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--verbose", "-v", is_flag=True, help="Log what the linter does to stderr.")
def check(
    paths: Tuple[str, ...],
    output_format: str,
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    reach: Tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    statistics: bool,
    add_noqa: bool,
    no_cache: bool,
    cache_dir: Optional[str],
    jobs: Optional[int],
    stdin_filename: Optional[str],
    exit_zero: bool,
    config_path: Optional[str],
    quiet: bool,
    verbose: bool,
) -> None:
    """Check PATHS (default: the current folder) for async-correctness bugs."""
    from fastapi_asynclint.command import CheckArgs, check as run_check

    sys.exit(
        run_check(
            CheckArgs(
                paths=paths, output_format=output_format, select=select, ignore=ignore,
                extend_select=extend_select, reach=reach, fix=fix, unsafe_fixes=unsafe_fixes, diff=diff,
                show_fixes=show_fixes, statistics=statistics, add_noqa=add_noqa, no_cache=no_cache,
                cache_dir=cache_dir, jobs=jobs, stdin_filename=stdin_filename, exit_zero=exit_zero,
                config_path=config_path, quiet=quiet, verbose=verbose,
                argv=(click.get_current_context().obj or {}).get("argv"),
            )
        )
    )


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Document every rule.")
def rule(code: Optional[str], show_all: bool) -> None:
    """Print the documentation of rule CODE (markdown)."""
    from fastapi_asynclint.command import EXIT_ERROR, error
    from fastapi_asynclint.registry import all_rules, rule_info
    from fastapi_asynclint.rule_docs import rule_markdown

    if show_all:
        click.echo("\n\n".join(rule_markdown(info.code) for info in all_rules().values()))
        return
    if not code:
        error("give a rule code (`fastapi-asynclint rule FAL101`) or --all")
        sys.exit(EXIT_ERROR)
    if rule_info(code) is None:
        error(f"unknown rule `{code}` (see `fastapi-asynclint rule --all`)")
        sys.exit(EXIT_ERROR)
    click.echo(rule_markdown(code.upper()))


@main.command()
def server() -> None:
    """Run the language server (LSP over stdio) for editors."""
    from fastapi_asynclint.server import main as serve

    serve()


def run() -> None:
    """`main` for the console script and `python -m fastapi_asynclint` (__main__.py), with an internal
    error (a bug of the linter) reported as one and exiting 2, never Python's 1, which means "findings"."""
    from fastapi_asynclint.pool import tune_collector

    tune_collector()
    try:
        # The command line as typed, for `check` to key its replay by (cache.replayed).
        main(obj={"argv": tuple(sys.argv[1:])})
    except Exception:  # noqa: BLE001 - whatever escaped the command is the linter's bug
        import traceback

        traceback.print_exc()
        sys.stderr.write(
            "fastapi-asynclint: internal error (a bug of the linter): please report it with the traceback above\n"
        )
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run()
