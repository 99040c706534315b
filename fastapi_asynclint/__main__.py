"""The console script and `python -m fastapi_asynclint`.

A `check` command line is first answered from its replay (cache.replayed: the output of the same command
line, kept while nothing it was made from has changed) before click or any analysis is imported; anything
else goes to the command line (cli.py).
"""

import sys


def run() -> None:
    if sys.argv[1:2] == ["check"]:
        from fastapi_asynclint.cache import replayed

        output = replayed(sys.argv[1:])
        if output is not None:
            sys.stdout.write(output.stdout)
            sys.stderr.write(output.stderr)
            sys.exit(output.code)
    from fastapi_asynclint.cli import run as run_command_line

    run_command_line()


if __name__ == "__main__":
    run()
