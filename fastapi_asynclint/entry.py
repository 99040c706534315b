"""The console script and `python -m fastapi_asynclint`.

A repeated `check` is answered from its record (rerun.py) before click or any analysis is imported; any
other `check` whose command line the replay reads runs without click too, and every other command line
goes to click (cli.py). Either way the process then exits without tearing down the
heap: freeing a large run's objects one by one took longer than some whole cached runs, and everything
the run writes is closed by then but the standard streams, which are flushed. (Tests call `cli.main`.)
"""

import os
import sys


def run() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        from fastapi_asynclint import rerun

        found = rerun.look_up(argv[1:])
        if found.output is not None:
            _leave(rerun.print_output(found.output))
        if found.values is not None:  # a command line the replay reads as click would: click is not needed
            _leave(_check(found))
    from fastapi_asynclint.cli import main

    try:
        main()
    except SystemExit as done:
        code = done.code
        if isinstance(code, str):
            sys.stderr.write(code + "\n")
            code = 2
        _leave(code or 0)


def _check(found) -> int:
    """`check` with the options rerun.look_up read, ended as click's standalone mode ends a command."""
    from fastapi_asynclint.command import CheckArgs, check

    try:
        return check(CheckArgs(**found.values), found.inputs)
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("\nAborted!\n")
        return 1
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        return 1  # the reader went away (`| head`): what it took is all it wanted


def _leave(code: int) -> None:
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its data at interpreter exit
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: what was printed is all that can be
        code = code or 2
    os._exit(code)
