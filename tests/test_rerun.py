"""A repeated `check` answered from its record (rerun.py): the same bytes and exit code as the full run,
and never an answer once anything it depends on has changed."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time

import click
import pytest

from fastapi_asynclint import cli as cli_module
from fastapi_asynclint import rerun
from fastapi_asynclint.command import CheckArgs

from conftest import BLOCKING_APP

HELPER_APP = """\
from helpers import load
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index():
    return load()
"""


@pytest.fixture
def project(cli, monkeypatch, tmp_path):
    """A project below a folder of its own (so that files can be added above it), recorded in-process.
    The racy-edit margin is off: the files were all written before the runs start."""
    root = tmp_path / "outer" / "project"
    root.mkdir(parents=True)
    cli.root = root
    cli.write(
        {
            "app.py": BLOCKING_APP,
            "api/routes.py": HELPER_APP.replace("from helpers", "from api.helpers"),
            "api/helpers.py": "def load():\n    return 1\n",
            "api/__init__.py": "",
        },
        config="",
    )
    # A first run creates the cache folder in the root, which it has listed: that run is never recorded.
    (root / ".fastapi_asynclint_cache").mkdir()
    monkeypatch.setattr(rerun, "_RACY_NS", 0)
    monkeypatch.chdir(root)
    return cli


def replayed(argv):
    """What a replay of `check ARGV` prints and returns here, or None when it declines."""
    return rerun.look_up(list(argv)).output


ARGVS = [
    (".",),
    ("--output-format", "json", "."),
    ("--output-format=concise", "app.py", "api"),
    ("--statistics", "."),
    ("--select", "FAL1", "--ignore=FAL102", "-q", "."),
    ("--output-format", "sarif", "--exit-zero", "api/routes.py"),
    ("--output-format", "github", "--unsafe-fixes", "--show-fixes", "-j", "1", "."),
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_a_replay_prints_what_the_full_run_printed(project, argv):
    full = project("check", *argv)
    found = replayed(argv)
    assert found is not None, "the full run left no record"
    out, err, code = found
    assert (out, err, code) == (full.stdout, full.stderr, full.exit_code)


def _settled_project(tmp_path):
    """A project whose files are older than the racy-edit margin; the console script's command to check it."""
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    (tmp_path / "app.py").write_text(BLOCKING_APP)
    (tmp_path / ".fastapi_asynclint_cache").mkdir()
    time.sleep(rerun._RACY_NS / 1e9 + 0.1)
    return [sys.executable, "-m", "fastapi_asynclint", "check", "--output-format", "concise", "."]


def test_the_console_script_replays_byte_for_byte(tmp_path):
    """End to end through `python -m fastapi_asynclint` (entry.run), with the real racy-edit margin."""
    command = _settled_project(tmp_path)
    runs = [subprocess.run(command, cwd=tmp_path, capture_output=True) for _ in range(2)]
    assert list((tmp_path / ".fastapi_asynclint_cache").glob("*/records/*.marshal")), "no record written"
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout and b"FAL101" in runs[0].stdout
    assert runs[0].stderr == runs[1].stderr
    imported = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], cwd=tmp_path, capture_output=True)
    assert imported.stdout == runs[0].stdout
    assert b"click" not in imported.stderr and b"fastapi_asynclint.settings" not in imported.stderr


def test_a_run_after_a_content_edit_starts_without_click(tmp_path):
    """Through the console script: the run the record hands its file lists to prints what click's does."""
    command = _settled_project(tmp_path)
    subprocess.run(command, cwd=tmp_path, capture_output=True)
    (tmp_path / "app.py").write_text(BLOCKING_APP + "\n\nasync def more():\n    time.sleep(2)\n")
    imported = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], cwd=tmp_path, capture_output=True)
    assert b"click" not in imported.stderr and b"fastapi_asynclint.runner" in imported.stderr
    through_click = subprocess.run(
        [sys.executable, "-c", "from fastapi_asynclint.cli import main; main()", *command[3:-1], "--no-cache", "."],
        cwd=tmp_path, capture_output=True,
    )
    assert imported.stdout == through_click.stdout and imported.stdout.count(b"FAL101") == 2
    assert imported.returncode == through_click.returncode == 1


def _edit(path, text):
    path.write_text(text)


CHANGES = {
    "a target edited": lambda root: _edit(root / "app.py", BLOCKING_APP.replace("time.sleep(1)", "pass")),
    "a helper edited": lambda root: _edit(root / "api/helpers.py", "import time\ndef load():\n    time.sleep(1)\n"),
    "a file added to a subfolder": lambda root: _edit(root / "api/more.py", BLOCKING_APP),
    "a file removed": lambda root: (root / "api/helpers.py").unlink(),
    "a .gitignore added": lambda root: _edit(root / "api/.gitignore", "routes.py\n"),
    "the config edited": lambda root: _edit(root / "pyproject.toml", "[tool.fastapi-asynclint]\nignore = ['FAL101']\n"),
    "a config added above the root": lambda root: _edit(root.parent / "pyproject.toml", "[tool.fastapi-asynclint]\n"),
    "a .gitignore added above the root": lambda root: _edit(root.parent / ".gitignore", "app.py\n"),
    "a git top appears above": lambda root: (root.parent / ".git").mkdir(),
    "a file's mode changed": lambda root: os.chmod(root / "app.py", 0o600),
}


# Changes to what files hold, not to which files there are: the record's file lists still stand.
CONTENT_CHANGES = {"a target edited", "a helper edited", "a file's mode changed"}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_the_run_read_declines_the_replay(project, change):
    argv = ("--output-format", "concise", ".")
    project("check", *argv)
    assert replayed(argv) is not None
    CHANGES[change](project.root)
    assert replayed(argv) is None
    inputs = rerun.look_up(list(argv)).inputs
    assert (inputs is not None) == (change in CONTENT_CHANGES)
    after = project("check", *argv)  # the full run, whose answer is then the one recorded
    found = replayed(argv)
    assert found is not None and found[0] == after.stdout


def _record(root):
    (found,) = (root / ".fastapi_asynclint_cache").glob("*/records/*.marshal")
    import marshal

    return marshal.loads(found.read_bytes())


def test_after_a_content_edit_the_run_takes_the_record_file_lists_and_walks_nothing(project, monkeypatch, capsys):
    """The lists handed over are those a walk finds (the record the run leaves is the walk's, byte for
    byte), and the findings are the walk's too. A .gitignore in the tree is among them."""
    import fastapi_asynclint.runner as runner_module
    from fastapi_asynclint.command import check

    project.write({"api/.gitignore": "generated.py\n", "api/generated.py": BLOCKING_APP}, config=None)
    argv = ["--output-format", "json", "--select", "FAL1", "."]
    first = project("check", *argv)
    CHANGES["a helper edited"](project.root)
    found = rerun.look_up(argv)
    assert found.output is None and found.inputs is not None
    assert str(project.root / "api" / ".gitignore") in found.inputs.ignore_files
    assert str(project.root / "api" / "generated.py") not in found.inputs.project_files
    assert found.inputs.stats[str(project.root / "api" / "helpers.py")][1] == (project.root / "api/helpers.py").stat().st_size

    def walk(*args, **kwargs):
        raise AssertionError("the run walked the tree")

    monkeypatch.setattr(runner_module, "discover", walk)
    capsys.readouterr()
    code = check(CheckArgs(**found.values), found.inputs)
    handed_over = capsys.readouterr().out
    record_after_hand_over = _record(project.root)
    monkeypatch.undo()
    monkeypatch.setattr(rerun, "_RACY_NS", 0)
    for record in (project.root / ".fastapi_asynclint_cache").glob("*/records/*"):
        record.unlink()
    walked = project("check", *argv)
    assert (handed_over, code) == (walked.stdout, walked.exit_code)
    assert handed_over != first.stdout  # the edit is seen: load() now sleeps
    assert record_after_hand_over == _record(project.root)


def test_a_gitignore_edited_in_place_declines_the_replay_and_the_hand_over(project):
    """Rewriting a .gitignore leaves its folder's mtime alone: the file itself is probed."""
    project.write({"api/.gitignore": "nothing.py\n"}, config=None)
    argv = ("--output-format", "concise", ".")
    assert "app.py" in project("check", *argv).stdout
    assert replayed(argv) is not None
    folder = project.root / "api"
    folder_stat = folder.stat()
    (folder / ".gitignore").write_text("routes.py\nhelpers.py\n")
    assert folder.stat() == folder_stat
    assert replayed(argv) is None
    assert rerun.look_up(list(argv)).inputs is None


def test_a_change_that_cannot_matter_keeps_the_record(project):
    """Files above the project that decide nothing (a sibling, a log) do not spoil it."""
    argv = ("--output-format", "json", ".")
    project("check", *argv)
    (project.root.parent / "notes.txt").write_text("x")
    (project.root.parent / "sibling").mkdir()
    assert replayed(argv) is not None


def test_another_command_line_or_environment_is_another_record(project, monkeypatch):
    project("check", "--output-format", "json", ".")
    assert replayed(("--output-format", "json", ".")) is not None
    assert replayed(("--output-format", "json", "--select", "FAL1", ".")) is None
    assert replayed(("--output-format", "concise", ".")) is None
    monkeypatch.setenv("NO_COLOR", "1")
    assert replayed(("--output-format", "json", ".")) is None


@pytest.mark.parametrize(
    "argv",
    [
        ("--fix", "."), ("--diff", "."), ("--add-noqa", "."), ("--no-cache", "."), ("-v", "."), ("--verbose", "."),
        ("-",), ("--stdin-filename", "x.py"), ("--", "."), ("-qj2", "."), ("-j2", "."), ("--jobs", "0", "."),
        ("--jobs", "x", "."), ("--output-format", "xml", "."), ("--select", "--quiet", "."), ("--quiet=1", "."),
        ("--help",), ("-h",), ("--unknown", "."), ("--select",), ("-q=1", "."),
    ],
    ids=" ".join,
)
def test_anything_unusual_is_left_to_click(argv):
    assert rerun.parse(list(argv)) is None


def _click_args(argv):
    """The CheckArgs that cli.check would build from `check ARGV`."""
    built = {}

    def capture(args):
        built["args"] = args
        return 0

    command = cli_module.main.commands["check"]
    original = command.callback
    context = command.make_context("check", list(argv))
    import fastapi_asynclint.command as command_module

    saved = command_module.check
    command_module.check = capture
    try:
        with pytest.raises(SystemExit):
            with context:
                original(**context.params)
    finally:
        command_module.check = saved
    return built["args"]


@pytest.mark.parametrize("argv", [*ARGVS, ("--cache-dir", "c", "--config=x.toml", "a.py", "-q", "b.py")], ids=" ".join)
def test_the_replay_reads_a_command_line_as_click_does(argv):
    args = _click_args(argv)
    parsed = rerun.parse(list(argv))
    assert parsed == {name: getattr(args, name) for name in rerun.DEFAULTS}


def test_the_replay_knows_every_default_of_check():
    defaults = {field.name: field.default for field in dataclasses.fields(CheckArgs)}
    assert {name: defaults[name] for name in rerun.DEFAULTS} == rerun.DEFAULTS
    options = {param.name for param in cli_module.main.commands["check"].params if isinstance(param, click.Option)}
    assert set(defaults) == options | {"paths"}


def test_a_file_changed_while_the_run_read_it_leaves_no_record(project, monkeypatch):
    monkeypatch.setattr(rerun, "_RACY_NS", 2_000_000_000)
    (project.root / "app.py").write_text(BLOCKING_APP)  # just now: it may have changed after it was read
    project("check", "--output-format", "json", ".")
    assert replayed(("--output-format", "json", ".")) is None


def test_a_run_after_an_edit_declines_its_record_before_a_stat_of_every_file(project, tmp_path, monkeypatch):
    """The run's own stats show the file edited within the racy margin: nothing more is stat'ed."""
    monkeypatch.setattr(rerun, "_RACY_NS", 2_000_000_000)
    values = rerun.parse(["."])
    before = rerun.surroundings(values)
    stated = []
    monkeypatch.setattr(rerun, "_stat", lambda path: stated.append(path))
    started = time.time_ns()
    files = [str(project.root / "app.py"), str(project.root / "api" / "helpers.py")]
    stats = {files[0]: (started - 10**10, 1), files[1]: (started - 10**6, 1)}
    rerun.save(values, str(tmp_path / "records"), before, files, [str(project.root)], started, "", "", 0, stats=stats)
    assert stated == [] and not (tmp_path / "records").exists()


def test_a_config_appearing_during_the_run_leaves_no_record(project, tmp_path):
    values = rerun.parse(["."])
    before = rerun.surroundings(values)
    (project.root.parent / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    record_dir = tmp_path / "records"
    rerun.save(values, str(record_dir), before, (), (), time.time_ns(), "", "", 0)
    assert not record_dir.exists()


def test_records_are_pruned_to_the_newest_few(project):
    from fastapi_asynclint.registry import all_rules

    codes = sorted(all_rules())[: rerun._MAX_RECORDS + 4]
    assert len(codes) == rerun._MAX_RECORDS + 4
    for code in codes:
        assert project("check", "--ignore", code, ".").exit_code in (0, 1)
    records = list((project.root / ".fastapi_asynclint_cache").glob("*/records/*"))
    assert len(records) == rerun._MAX_RECORDS


def test_a_torn_record_declines(project):
    argv = ("--output-format", "json", ".")
    project("check", *argv)
    (record,) = (project.root / ".fastapi_asynclint_cache").glob("*/records/*")
    record.write_bytes(record.read_bytes()[:40])
    assert rerun.look_up(list(argv)).output is None


def test_records_go_where_a_replay_looks_and_not_to_a_configured_cache_folder(project, tmp_path):
    """A replay reads no configuration: a `cache-dir` set there gets no record; `--cache-dir` does."""
    (project.root / "pyproject.toml").write_text('[tool.fastapi-asynclint]\ncache-dir = "elsewhere"\n')
    (project.root / "elsewhere").mkdir()
    for _ in range(2):  # the first run creates the cache folder inside the root, which it lists
        project("check", "--output-format", "json", ".")
    assert list((project.root / "elsewhere").glob("*/*.pickle")), "the configured cache folder is not in use"
    assert not list((project.root / "elsewhere").glob("*/records/*"))
    assert replayed(("--output-format", "json", ".")) is None
    given = tmp_path / "given"
    project("check", "--output-format", "json", "--cache-dir", str(given), ".")
    assert list(given.glob("*/records/*.marshal"))
    assert replayed(("--output-format", "json", "--cache-dir", str(given), ".")) is not None
