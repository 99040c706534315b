"""`check --add-noqa` (as ruff's): a `# noqa: CODE` comment on the row each finding reports as its `noqa_row`,
so that the next check is clean; idempotent; existing codes kept; line endings and untouched files kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List


from conftest import BLOCKING_APP

EXAMPLE_APP = Path(__file__).resolve().parent.parent / "fixtures" / "example_app"


def _findings(cli, *paths: str) -> List[dict]:
    result = cli("check", "--no-cache", "--output-format", "json", *paths)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _snapshot(root: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def _add_noqa(cli, *paths: str):
    result = cli("check", "--no-cache", "--add-noqa", *paths)
    assert result.exit_code == 0, result.output
    return result


def test_adds_a_comment_per_finding_then_check_is_clean(cli):
    cli.write({"app.py": BLOCKING_APP, "clean.py": "async def ok():\n    return 1\n"})
    clean_before = (cli.root / "clean.py").stat()
    result = _add_noqa(cli, ".")
    assert result.stderr.strip() == "Added 1 noqa directive."
    lines = (cli.root / "app.py").read_text().splitlines()
    assert lines[8] == "    time.sleep(1)  # noqa: FAL101"
    # Only that line changed.
    assert lines[:8] + lines[9:] == BLOCKING_APP.splitlines()[:8] + BLOCKING_APP.splitlines()[9:]
    # A file without findings is not rewritten at all (same bytes, same mtime).
    assert (cli.root / "clean.py").read_text() == "async def ok():\n    return 1\n"
    assert (cli.root / "clean.py").stat().st_mtime_ns == clean_before.st_mtime_ns
    check = cli("check", "--no-cache", ".")
    assert check.exit_code == 0, check.stdout
    assert "All checks passed!" in check.stdout


def test_is_idempotent(cli):
    cli.write({"app.py": BLOCKING_APP})
    _add_noqa(cli, "app.py")
    first = (cli.root / "app.py").read_bytes()
    mtime = (cli.root / "app.py").stat().st_mtime_ns
    again = _add_noqa(cli, "app.py")
    assert again.stderr.strip() == "Added 0 noqa directives."
    assert (cli.root / "app.py").read_bytes() == first
    assert (cli.root / "app.py").stat().st_mtime_ns == mtime


def test_existing_noqa_codes_are_kept_and_merged(cli):
    app = BLOCKING_APP.replace("    time.sleep(1)\n", "    time.sleep(1)  # noqa: FAL103\n")
    app = app.replace('    return {"ok": True}\n', '    time.sleep(2)  # noqa:E501 (long line)\n    time.sleep(3)  # wait a bit\n    return {"ok": True}\n')
    cli.write({"app.py": app})
    assert [f["row"] for f in (f["location"] for f in _findings(cli, "app.py"))] == [9, 10, 11]
    _add_noqa(cli, "app.py")
    lines = (cli.root / "app.py").read_text().splitlines()
    assert lines[8] == "    time.sleep(1)  # noqa: FAL101, FAL103"
    # Another tool's code is kept, and so is the explanation after the codes.
    assert lines[9] == "    time.sleep(2)  # noqa: E501, FAL101 (long line)"
    # A comment that is not a noqa directive stays; the directive is appended after it.
    assert lines[10] == "    time.sleep(3)  # wait a bit  # noqa: FAL101"
    assert _findings(cli, "app.py") == []


def test_several_codes_on_one_row_make_one_sorted_comment(cli):
    cli.write(
        {
            "app.py": """\
            import requests
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/")
            async def index():
                return requests.get("https://example.com/prices.json").json()
            """
        }
    )
    codes = sorted({f["code"] for f in _findings(cli, "app.py")})
    assert len(codes) >= 2, codes  # a blocking HTTP call and a constant URL fetched per request
    _add_noqa(cli, "app.py")
    line = (cli.root / "app.py").read_text().splitlines()[8]
    assert line.endswith(f"  # noqa: {', '.join(codes)}")
    assert line.count("# noqa") == 1
    assert _findings(cli, "app.py") == []


def test_crlf_line_endings_are_kept(cli):
    (cli.root / "app.py").write_bytes(BLOCKING_APP.replace("\n", "\r\n").encode())
    _add_noqa(cli, "app.py")
    raw = (cli.root / "app.py").read_bytes()
    assert b"    time.sleep(1)  # noqa: FAL101\r\n" in raw
    assert raw.count(b"\r\n") == BLOCKING_APP.count("\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert _findings(cli, "app.py") == []


def test_bom_and_missing_final_newline_are_kept(cli):
    (cli.root / "app.py").write_bytes(b"\xef\xbb\xbf" + BLOCKING_APP.replace('    return {"ok": True}\n', "").encode()[:-1])
    _add_noqa(cli, "app.py")
    raw = (cli.root / "app.py").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"    time.sleep(1)  # noqa: FAL101")
    assert _findings(cli, "app.py") == []


def test_multi_line_statements_get_the_comment_on_the_noqa_row(cli):
    cli.write(
        {
            "app.py": """\
            import time
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/")
            async def index():
                time.sleep(
                    1,
                )
                value = 1 + \\
                    time.sleep(2)
                return {"ok": value}
            """
        }
    )
    findings = _findings(cli, "app.py")
    rows = sorted((f["location"]["row"], f["noqa_row"]) for f in findings)
    # A bracketed call: the start row; a backslash continuation: the row where the logical line ends.
    assert rows == [(9, 9), (13, 13)]
    _add_noqa(cli, "app.py")
    lines = (cli.root / "app.py").read_text().splitlines()
    assert lines[8] == "    time.sleep(  # noqa: FAL101"
    assert lines[11] == "    value = 1 + \\"
    assert lines[12] == "        time.sleep(2)  # noqa: FAL101"
    assert _findings(cli, "app.py") == []


def test_finding_inside_a_backslash_continued_line_goes_on_its_last_row(cli):
    cli.write(
        {
            "app.py": """\
            import time
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/")
            async def index():
                value = time.sleep(1) or \\
                    2
                return {"ok": value}
            """
        }
    )
    (finding,) = _findings(cli, "app.py")
    assert (finding["location"]["row"], finding["noqa_row"]) == (9, 10)
    _add_noqa(cli, "app.py")
    lines = (cli.root / "app.py").read_text().splitlines()
    assert lines[8] == "    value = time.sleep(1) or \\"  # a comment here would break the continuation
    assert lines[9] == "        2  # noqa: FAL101"
    assert _findings(cli, "app.py") == []


def test_finding_on_the_row_that_closes_a_multi_line_string(cli):
    cli.write(
        {
            "app.py": '''\
            import time
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/")
            async def index():
                text = """
                """ + str(time.sleep(1))
                return {"ok": text}
            '''
        }
    )
    (finding,) = _findings(cli, "app.py")
    assert finding["noqa_row"] == 10
    _add_noqa(cli, "app.py")
    assert (cli.root / "app.py").read_text().splitlines()[9].endswith("  # noqa: FAL101")
    assert _findings(cli, "app.py") == []


def test_noqa_text_inside_a_string_is_not_a_comment(cli):
    app = BLOCKING_APP.replace("    time.sleep(1)\n", '    note = "# noqa: E501"; time.sleep(1)\n')
    cli.write({"app.py": app})
    assert len(_findings(cli, "app.py")) == 1
    _add_noqa(cli, "app.py")
    line = (cli.root / "app.py").read_text().splitlines()[8]
    assert line == '    note = "# noqa: E501"; time.sleep(1)  # noqa: FAL101'
    assert _findings(cli, "app.py") == []


def test_form_feed_and_unicode_line_separators_do_not_shift_rows(cli):
    # str.splitlines() splits on \x0c and \u2028; Python's tokenizer does not: rows must follow the tokenizer.
    app = BLOCKING_APP.replace("async def index():\n", 'async def index():\n    sep = "a\u2028b"  # \x0c page\n')
    (cli.root / "app.py").write_bytes(app.encode())
    (finding,) = _findings(cli, "app.py")
    assert finding["noqa_row"] == 10
    _add_noqa(cli, "app.py")
    expected = app.replace("    time.sleep(1)\n", "    time.sleep(1)  # noqa: FAL101\n")
    assert (cli.root / "app.py").read_bytes() == expected.encode()
    assert _findings(cli, "app.py") == []


def test_files_that_do_not_parse_are_left_alone(cli):
    cli.write({"broken.py": "def broken(:\n    time.sleep(1)\n", "app.py": BLOCKING_APP})
    _add_noqa(cli, ".")
    assert (cli.root / "broken.py").read_text() == "def broken(:\n    time.sleep(1)\n"
    assert [f["code"] for f in _findings(cli, ".")] == ["FAL900"]


def test_stdin_never_annotates_a_file_on_disk(cli):
    # The rows come from stdin's text, not from the file of that name: writing them there would be wrong.
    cli.write({"app.py": "# a different file\n" + BLOCKING_APP})
    before = (cli.root / "app.py").read_bytes()
    result = cli("check", "--no-cache", "--add-noqa", "--stdin-filename", "app.py", "-", input=BLOCKING_APP)
    assert result.exit_code == 2  # a usage error, as in ruff
    assert "--add-noqa" in result.stderr
    assert (cli.root / "app.py").read_bytes() == before
    missing = cli("check", "--no-cache", "--add-noqa", "--stdin-filename", "nowhere.py", "-", input=BLOCKING_APP)
    assert missing.exit_code == 2  # no traceback
    assert not (cli.root / "nowhere.py").exists()


def test_whole_example_app_is_clean_after_add_noqa_and_a_second_run_changes_nothing(cli):
    shutil.copytree(EXAMPLE_APP, cli.root / "example_app")
    root = cli.root / "example_app"
    before = _snapshot(root)
    assert _findings(cli, "example_app"), "the example app has findings"
    _add_noqa(cli, "example_app")
    after = _snapshot(root)
    assert after != before
    # Every change is a noqa comment appended to an existing line.
    for name, old in before.items():
        old_lines, new_lines = old.decode().splitlines(), after[name].decode().splitlines()
        assert len(old_lines) == len(new_lines), name
        for old_line, new_line in zip(old_lines, new_lines):
            assert new_line == old_line or "# noqa: FAL" in new_line[len(old_line.split("# noqa")[0].rstrip()):], (name, new_line)
    assert _findings(cli, "example_app") == []
    assert cli("check", "--no-cache", "example_app").exit_code == 0
    _add_noqa(cli, "example_app")
    assert _snapshot(root) == after
