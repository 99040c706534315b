"""The command line contract of DESIGN.md section 1: commands, flags, exit codes, config handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fastapi_asynclint.findings as findings
from fastapi_asynclint import __version__

from conftest import BLOCKING_APP


def test_version():
    completed = subprocess.run([sys.executable, "-m", "fastapi_asynclint", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"fastapi-asynclint {__version__}"


def test_process_exit_keeps_the_exit_code_and_flushes_all_output(cli):
    """`python -m fastapi_asynclint` leaves through os._exit (entry.run): nothing printed may be lost."""
    files = {f"app{number}.py": BLOCKING_APP for number in range(40)}
    cli.write({**files, "clean.py": "async def ok():\n    return 1\n"})
    command = [sys.executable, "-m", "fastapi_asynclint", "check", "--no-cache", "--output-format", "json"]
    found = subprocess.run([*command, "."], cwd=cli.root, capture_output=True, text=True)
    assert found.returncode == 1
    assert len(json.loads(found.stdout)) == 40
    clean = subprocess.run([*command, "clean.py"], cwd=cli.root, capture_output=True, text=True)
    assert (clean.returncode, json.loads(clean.stdout)) == (0, [])
    missing = subprocess.run([*command, "nowhere.py"], cwd=cli.root, capture_output=True, text=True)
    assert missing.returncode == 2 and "nowhere.py" in missing.stderr


def test_findings_exit_1_and_clean_exit_0(cli):
    cli.write({"app.py": BLOCKING_APP, "clean.py": "async def ok():\n    return 1\n"})
    result = cli("check", "--no-cache", "app.py")
    assert result.exit_code == 1
    assert "app.py:9:5: FAL101" in result.stdout
    assert "Found 1 error: 1 on request paths." in result.stdout
    clean = cli("check", "--no-cache", "clean.py")
    assert clean.exit_code == 0
    assert "All checks passed!" in clean.stdout


def test_default_path_is_current_folder(cli):
    cli.write({"pkg/app.py": BLOCKING_APP})
    result = cli("check", "--no-cache", "--output-format", "concise")
    assert result.exit_code == 1
    assert "pkg/app.py:9:5: FAL101" in result.stdout


def test_exit_zero(cli):
    cli.write({"app.py": BLOCKING_APP})
    assert cli("check", "--no-cache", "--exit-zero", "app.py").exit_code == 0


def test_select_ignore_and_prefixes(cli):
    cli.write({"app.py": BLOCKING_APP})
    assert cli("check", "--no-cache", "--select", "FAL2", "app.py").exit_code == 0
    assert cli("check", "--no-cache", "--select", "FAL1", "app.py").exit_code == 1
    assert cli("check", "--no-cache", "--ignore", "FAL101", "app.py").exit_code == 0
    # the more specific selector wins, as in ruff
    assert cli("check", "--no-cache", "--ignore", "FAL1", "--extend-select", "FAL101", "app.py").exit_code == 1
    assert cli("check", "--no-cache", "--select", "FAL2,FAL101", "app.py").exit_code == 1


METADATA_APP = """
import os

async def handler(path):
    return os.path.exists(path)
"""


def test_opt_in_rule_runs_only_when_a_selector_names_it(cli):
    """FAL111 (file metadata) is outside the default set, as a rule outside ruff's default selection is."""
    cli.write({"app.py": METADATA_APP}, config='ignore = ["FAL103"]\n')
    assert cli("check", "--no-cache", "app.py").exit_code == 0
    for selection in (["--extend-select", "FAL111"], ["--select", "FAL1"], ["--select", "FAL111"], ["--select", "ALL"]):
        assert cli("check", "--no-cache", *selection, "app.py").exit_code == 1, selection
    assert cli("check", "--no-cache", "--select", "FAL10", "app.py").exit_code == 0
    assert cli("check", "--no-cache", "--extend-select", "FAL111", "--ignore", "FAL111", "app.py").exit_code == 0
    cli.write({}, config='extend-select = ["FAL111"]\n')
    result = cli("check", "--no-cache", "--output-format", "concise", "app.py")
    assert result.exit_code == 1 and "app.py:5:12: FAL111" in result.stdout


def test_unknown_code_is_usage_error(cli):
    cli.write({"app.py": BLOCKING_APP})
    result = cli("check", "--no-cache", "--select", "FAL999", "app.py")
    assert result.exit_code == 2
    assert "unknown rule selector `FAL999`" in result.stderr


def test_config_select_and_unknown_keys(cli):
    cli.write({"app.py": BLOCKING_APP}, config='ignore = ["FAL101"]\n')
    assert cli("check", "--no-cache", "app.py").exit_code == 0
    # the command line's --select replaces the configured selection
    assert cli("check", "--no-cache", "--select", "FAL101", "app.py").exit_code == 1
    cli.write({}, config='selct = ["FAL1"]\n')
    result = cli("check", "--no-cache", "app.py")
    assert result.exit_code == 2
    assert "unknown option(s) 'selct'" in result.stderr
    cli.write({}, config='select = ["FAL1", "XYZ1"]\n')
    result = cli("check", "--no-cache", "app.py")
    assert result.exit_code == 2
    assert "unknown rule selector `XYZ1`" in result.stderr
    cli.write({}, config="select = FAL1\n")
    result = cli("check", "--no-cache", "app.py")
    assert result.exit_code == 2
    assert "invalid TOML" in result.stderr
    cli.write({}, config='select = "FAL1"\n')
    assert "must be a list of strings" in cli("check", "--no-cache", "app.py").stderr


def test_explicit_config_file(cli, tmp_path):
    cli.write({"app.py": BLOCKING_APP}, config=None)
    (tmp_path / "lint.toml").write_text('ignore = ["FAL101"]\n')
    assert cli("check", "--no-cache", "--config", "lint.toml", "app.py").exit_code == 0
    result = cli("check", "--no-cache", "--config", "missing.toml", "app.py")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_per_file_ignores_and_exclude(cli):
    cli.write(
        {"app.py": BLOCKING_APP, "legacy/old.py": BLOCKING_APP, "scripts/tool.py": BLOCKING_APP},
        config='exclude = ["scripts/"]\n[tool.fastapi-asynclint.per-file-ignores]\n"legacy/*.py" = ["FAL1"]\n',
    )
    result = cli("check", "--no-cache", "--output-format", "concise", ".")
    assert result.exit_code == 1
    assert "app.py:9:5" in result.stdout
    assert "legacy" not in result.stdout
    assert "scripts" not in result.stdout


def test_gitignore_is_respected(cli):
    cli.write({"app.py": BLOCKING_APP, "generated/app.py": BLOCKING_APP, ".gitignore": "generated/\n"})
    (cli.root / ".git").mkdir()
    result = cli("check", "--no-cache", "--output-format", "concise", ".")
    assert "generated" not in result.stdout
    assert "app.py:9:5" in result.stdout


def test_nested_gitignore_and_symlinked_folders(cli):
    cli.write(
        {
            "app.py": BLOCKING_APP,
            "pkg/app.py": BLOCKING_APP,
            "pkg/build/app.py": BLOCKING_APP,
            "pkg/.gitignore": "build/\n",
            "other/app.py": BLOCKING_APP,
        }
    )
    (cli.root / ".git").mkdir()
    (cli.root / "linked").symlink_to(cli.root / "other", target_is_directory=True)
    result = cli("check", "--no-cache", "--output-format", "concise", ".")
    reported = sorted(line.split(":")[0] for line in result.stdout.splitlines() if ":9:5" in line)
    # pkg/.gitignore applies below pkg/ only; a symlinked folder is not walked (its target is).
    assert reported == ["app.py", "other/app.py", "pkg/app.py"]


def test_noqa_line_and_file(cli):
    cli.write(
        {
            "a.py": BLOCKING_APP.replace("time.sleep(1)", "time.sleep(1)  # noqa: FAL101"),
            "b.py": BLOCKING_APP.replace("time.sleep(1)", "time.sleep(1)  # noqa"),
            "c.py": BLOCKING_APP.replace("time.sleep(1)", "time.sleep(1)  # noqa: FAL102"),
            "d.py": "# fastapi-asynclint: noqa: FAL101\n" + BLOCKING_APP,
            "e.py": BLOCKING_APP.replace("time.sleep(1)", 'time.sleep(1); x = "# noqa"'),
        }
    )
    result = cli("check", "--no-cache", "--output-format", "concise", ".")
    assert "a.py" not in result.stdout
    assert "b.py" not in result.stdout
    assert "c.py:9:5: FAL101" in result.stdout
    assert "d.py" not in result.stdout
    assert "e.py:9:5: FAL101" in result.stdout, "a `# noqa` inside a string is not a comment"


def test_missing_path_is_error_but_others_are_checked(cli):
    cli.write({"app.py": BLOCKING_APP})
    result = cli("check", "--no-cache", "--output-format", "concise", "nope.py", "app.py")
    assert result.exit_code == 2
    assert "nope.py: no such file or directory" in result.stderr
    assert "app.py:9:5: FAL101" in result.stdout
    assert "Traceback" not in result.stderr


def test_stdin_filename(cli):
    cli.write({}, config="")
    result = cli("check", "--no-cache", "--output-format", "concise", "--stdin-filename", "app.py", "-", input=BLOCKING_APP)
    assert result.exit_code == 1
    assert "app.py:9:5: FAL101" in result.stdout
    fixed = cli("check", "--no-cache", "--fix", "--stdin-filename", "app.py", input=BLOCKING_APP)
    assert "await asyncio.sleep(1)" in fixed.stdout
    assert "import asyncio" in fixed.stdout
    assert "FAL101" not in fixed.stdout
    assert not (cli.root / "app.py").exists(), "stdin mode never writes files"


def test_fix_writes_and_diff_does_not(cli):
    cli.write({"app.py": BLOCKING_APP})
    diff = cli("check", "--no-cache", "--diff", "app.py")
    assert diff.exit_code == 1
    assert "-    time.sleep(1)" in diff.stdout
    assert "+    await asyncio.sleep(1)" in diff.stdout
    assert (cli.root / "app.py").read_text() == BLOCKING_APP
    fixed = cli("check", "--no-cache", "--fix", "--show-fixes", "app.py")
    assert fixed.exit_code == 0
    assert "Fixed 1 error:" in fixed.stdout
    assert "1 × FAL101 (blocking-sleep)" in fixed.stdout
    text = (cli.root / "app.py").read_text()
    assert "await asyncio.sleep(1)" in text
    compile(text, "app.py", "exec")
    assert cli("check", "--no-cache", "--diff", "app.py").exit_code == 0


def test_unsafe_fixes_need_the_flag(cli):
    app = BLOCKING_APP.replace("time.sleep(1)", "import requests; requests.get('x')")
    cli.write({"app.py": app})
    assert cli("check", "--no-cache", "--fix", "app.py").exit_code == 1
    assert (cli.root / "app.py").read_text() == app
    assert cli("check", "--no-cache", "--fix", "--unsafe-fixes", "app.py").exit_code == 0
    assert "\ndef index():" in (cli.root / "app.py").read_text()


def test_statistics(cli):
    cli.write({"a.py": BLOCKING_APP, "b.py": BLOCKING_APP})
    result = cli("check", "--no-cache", "--statistics", ".")
    assert result.stdout.splitlines()[0] == "2\tFAL101\t[*] blocking-sleep"
    as_json = json.loads(cli("check", "--no-cache", "--statistics", "--output-format", "json", ".").stdout)
    assert as_json == [{"code": "FAL101", "count": 2, "fixable": True, "fixable_count": 2, "name": "blocking-sleep"}]


def test_quiet(cli):
    cli.write({"app.py": BLOCKING_APP})
    result = cli("check", "--no-cache", "--quiet", "--output-format", "concise", "app.py")
    assert result.stdout.strip().splitlines() == [
        "app.py:9:5: FAL101 [*] Blocking sleep call `time.sleep` in async function `index`; use `await asyncio.sleep(...)`"
        " [request]"
    ]


def test_rule_command(cli):
    result = cli("rule", "FAL101")
    assert result.exit_code == 0
    assert result.stdout.startswith("# blocking-sleep (FAL101)")
    assert "## Why is this bad?" in result.stdout
    everything = cli("rule", "--all")
    assert everything.stdout.count("## What it does") >= 10
    assert cli("rule", "FAL999").exit_code == 2


def test_cache_round_trip(cli):
    cli.write({"app.py": BLOCKING_APP})
    first = cli("check", "--output-format", "json", "app.py")
    assert (cli.root / ".fastapi_asynclint_cache" / ".gitignore").exists()
    second = cli("check", "--output-format", "json", "app.py")
    assert first.stdout == second.stdout
    (cli.root / "app.py").write_text(BLOCKING_APP.replace("time.sleep(1)", "pass"))
    assert cli("check", "app.py").exit_code == 0


def test_cache_notices_a_changed_helper_in_another_module(cli):
    """A run served whole from the cache must still see an edit to a file it was not asked about."""
    cli.write(
        {
            "pyproject.toml": "[tool.fastapi-asynclint]\n",
            "helpers.py": "def load():\n    return 1\n",
            "app.py": "from helpers import load\n\nasync def route():\n    return load()\n",
        }
    )
    assert cli("check", "app.py").exit_code == 0
    assert cli("check", "app.py").exit_code == 0  # served from the cache
    (cli.root / "helpers.py").write_text("import time\n\ndef load():\n    time.sleep(1)\n")
    result = cli("check", "--output-format", "concise", "app.py")
    assert result.exit_code == 1
    assert "load() -> time.sleep" in result.stdout
    again = cli("check", "--output-format", "concise", "app.py")
    assert again.stdout == result.stdout


def test_comment_edit_relints_only_that_file_and_keeps_the_others(cli, monkeypatch):
    """An edit that changes no index fact (a comment) re-lints the edited file only: the other files'
    findings stand without relinking, and the edited file's own comments (a noqa) still count."""

    cli.write(
        {
            "pyproject.toml": "[tool.fastapi-asynclint]\n",
            "helpers.py": "import time\n\ndef load():\n    time.sleep(1)\n",
            "app.py": "from helpers import load\n\nasync def route():\n    return load()\n",
            "other.py": "import time\n\nasync def tick():\n    time.sleep(1)\n",
        }
    )
    full = cli("check", "--output-format", "concise", "--jobs", "1", ".")
    assert full.stdout.count("FAL101") == 2
    fingerprinted = []
    original = findings.function_facts
    monkeypatch.setattr(
        findings, "function_facts", lambda index, summary: fingerprinted.append(summary.module) or original(index, summary)
    )
    (cli.root / "other.py").write_text("import time\n\nasync def tick():\n    time.sleep(1)  # noqa: FAL101\n")
    edited = cli("check", "--output-format", "concise", "--jobs", "1", ".")
    assert edited.stdout.count("FAL101") == 1
    assert "app.py" in edited.stdout and "other.py" not in edited.stdout
    assert set(fingerprinted) == {"other"}


def test_route_body_edit_reuses_the_link_and_keeps_the_other_files(cli, monkeypatch):
    """Editing a coroutine's body changes the project's facts but not what linking reads: the stored
    resolutions and blocking fixpoint are taken over, the other files' findings stand without being
    fingerprinted, and the findings are those of an uncached run. A helper's edit still relinks."""
    from fastapi_asynclint.index.project import ProjectIndex

    app = "from helpers import load\n\nasync def route():\n    return load()\n"
    cli.write(
        {
            "pyproject.toml": "[tool.fastapi-asynclint]\n",
            "helpers.py": "import time\n\ndef load():\n    time.sleep(1)\n",
            "app.py": app,
            "other.py": "import time\n\nasync def tick():\n    time.sleep(1)\n",
        }
    )
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    cli(*command)
    linked, fingerprinted = [], []
    compute, facts = ProjectIndex._compute_witnesses, findings.function_facts
    monkeypatch.setattr(ProjectIndex, "_compute_witnesses", lambda self: linked.append(1) or compute(self))
    monkeypatch.setattr(
        findings, "function_facts", lambda index, summary: fingerprinted.append(summary.module) or facts(index, summary)
    )
    (cli.root / "app.py").write_text(app.replace("async def route():\n", "async def route():\n    x = 1\n"))
    edited = cli(*command)
    assert (linked, set(fingerprinted)) == ([], {"app"})
    uncached = cli(*command, "--no-cache")
    assert edited.stdout == uncached.stdout
    assert "app.py:5:12: FAL101" in edited.stdout and "other.py:4:5: FAL101" in edited.stdout
    linked.clear()
    (cli.root / "helpers.py").write_text("def load():\n    return 1\n")
    relinked = cli(*command)
    assert linked == [1]
    assert relinked.stdout == cli(*command, "--no-cache").stdout
    assert "app.py" not in relinked.stdout


def test_comment_edit_to_a_file_no_rule_wants_is_not_linted_again(cli, monkeypatch):
    """A file the prefilter turned away is stored under its summary: appending a comment settles it
    without linting, while an edit that gives a rule something to see is linted."""
    import fastapi_asynclint.engine as engine

    models = "import time\n\nclass Item:\n    name: str = 'x'\n\ndef helper():\n    return 1\n"
    cli.write({"pyproject.toml": "[tool.fastapi-asynclint]\n", "models.py": models, "app.py": BLOCKING_APP})
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    cli(*command)
    linted = []
    lint_text = engine.lint_text
    monkeypatch.setattr(engine, "lint_text", lambda path, *rest, **options: linted.append(path) or lint_text(path, *rest, **options))
    (cli.root / "models.py").write_text(models + "# a comment\n\n\n")
    edited = cli(*command)
    assert linted == []
    assert edited.stdout == cli(*command, "--no-cache").stdout and "app.py:9:5: FAL101" in edited.stdout
    linted.clear()
    (cli.root / "models.py").write_text(models.replace("    return 1\n", "    return 2\n\nasync def tick():\n    time.sleep(1)\n"))
    changed = cli(*command)
    assert [path.rsplit("/", 1)[-1] for path in linted] == ["models.py"]
    assert "models.py:10:5: FAL101" in changed.stdout
    assert changed.stdout == cli(*command, "--no-cache").stdout


def test_damaged_cache_files_read_as_no_cache(cli):
    """Each cache file emptied, torn or replaced by garbage (by another program: the linter itself only
    replaces them atomically): the run reports what an uncached run reports."""
    cli.write({"pyproject.toml": "[tool.fastapi-asynclint]\n", "app.py": BLOCKING_APP, "helpers.py": "def load():\n    return 1\n"})
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    expected = cli(*command, "--no-cache").stdout
    assert cli(*command).stdout == expected
    files = sorted(path for path in (cli.root / ".fastapi_asynclint_cache").rglob("*") if path.is_file() and path.name != ".gitignore")
    assert {path.parent.name if path.parent.name in ("summaries", "replay") else path.name for path in files} >= {
        "files", "summaries", "findings", "link", "run"
    }
    for path in files:
        kept = path.read_bytes()
        for damaged in (b"", kept[: len(kept) // 2], b"\x80\x05junk", kept + b"x"):
            path.write_bytes(damaged)
            assert cli(*command).stdout == expected, (path.name, damaged[:8])
            path.write_bytes(kept)


def test_a_damaged_findings_record_reads_as_none(cli, monkeypatch):
    """Each file's findings record is kept pickled on its own inside the findings file: one record that
    is garbage, or not a record, is linted again while the others are kept."""
    import pickle

    import fastapi_asynclint.engine as engine

    cli.write({"app.py": BLOCKING_APP, "other.py": BLOCKING_APP})
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    expected = cli(*command, "--no-cache").stdout
    assert cli(*command).stdout == expected
    [findings] = (cli.root / ".fastapi_asynclint_cache").rglob("findings")
    kept = pickle.loads(findings.read_bytes())
    assert sorted(Path(path).name for path in kept) == ["app.py", "other.py"]
    app = next(path for path in kept if path.endswith("app.py"))
    linted = []
    lint_text = engine.lint_text
    monkeypatch.setattr(engine, "lint_text", lambda path, *rest, **options: linted.append(path) or lint_text(path, *rest, **options))
    for damaged in (b"\x80\x05junk", pickle.dumps(42), kept[app][: len(kept[app]) // 2]):
        findings.write_bytes(pickle.dumps({**kept, app: damaged}))
        linted.clear()
        assert cli(*command).stdout == expected, damaged[:8]
        assert [Path(path).name for path in linted] == ["app.py"], damaged[:8]


def test_a_cache_file_truncated_in_place_during_reads_is_no_cache(cli):
    """The cache reads its files whole (no maps): a file truncated in place is as damaged as any other."""
    cli.write({"app.py": BLOCKING_APP})
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    expected = cli(*command).stdout
    for path in (cli.root / ".fastapi_asynclint_cache").rglob("*"):
        if path.is_file() and path.parent.name == "summaries":
            with open(path, "r+b") as handle:
                handle.truncate(10)
    assert cli(*command).stdout == expected


def test_an_edited_linter_module_invalidates_the_cache(cli, tmp_path):
    """The cache is keyed by a digest of the package's own source: a rule's message edited in an editable
    install is printed by the next cached run, even though no checked file changed."""
    import shutil
    import subprocess
    import sys

    import click
    import libcst

    import fastapi_asynclint

    package = Path(fastapi_asynclint.__file__).parent
    copy = tmp_path / "site" / "fastapi_asynclint"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    cli.write({"app.py": BLOCKING_APP})
    # Without `site` (-S), the copy is what imports: not this checkout, even through an editable install.
    dependencies = {str(Path(module.__file__).parent.parent) for module in (click, libcst)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy.parent), *sorted(dependencies)])}
    command = [sys.executable, "-S", "-m", "fastapi_asynclint", "check", "--output-format", "concise", "."]
    first = subprocess.run(command, cwd=cli.root, env=env, capture_output=True, text=True)
    assert "Blocking sleep call" in first.stdout
    rule = copy / "rules" / "_blocking.py"
    rule.write_text(rule.read_text().replace('f"Blocking {label} call', 'f"Stalling {label} call'))
    second = subprocess.run(command, cwd=cli.root, env=env, capture_output=True, text=True)
    assert "Stalling sleep call" in second.stdout and "Blocking sleep call" not in second.stdout


def test_cached_run_does_not_import_the_analysis(cli):
    """With nothing changed, a run is answered from the cache without loading libcst or the index."""
    import subprocess
    import sys

    cli.write({"app.py": BLOCKING_APP})
    command = [sys.executable, "-X", "importtime", "-m", "fastapi_asynclint", "check", "app.py"]
    subprocess.run(command, cwd=cli.root, capture_output=True)
    warm = subprocess.run(command, cwd=cli.root, capture_output=True, text=True)
    assert "FAL101" in warm.stdout
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if "|" in line}
    assert "libcst" not in imported
    assert "fastapi_asynclint.index.project" not in imported


def test_one_file_run_after_a_full_run_reuses_its_findings(cli):
    cli.write({"pyproject.toml": "[tool.fastapi-asynclint]\n", "app.py": BLOCKING_APP, "other.py": "x = 1\n"})
    full = cli("check", "--output-format", "concise", ".")
    one = cli("check", "--output-format", "concise", "app.py")
    assert one.exit_code == full.exit_code == 1
    assert one.stdout.splitlines()[0] == full.stdout.splitlines()[0]
    quiet = cli("check", "--select", "FAL3", "app.py")  # other codes enabled: not served from the full run
    assert quiet.exit_code == 0


def test_no_python_files_is_a_warning_not_a_silent_pass(cli):
    cli.write({"notes.txt": "not python\n"})
    result = cli("check", "--no-cache", ".")
    assert result.exit_code == 0
    assert "No Python files found" in result.stderr


FOCUSED_APP = """\
import time
from fastapi import FastAPI

app = FastAPI()


def describe(code):
    if code == 404:
        return {"error": "not found", "retry": 3}
    return {"error": "unknown", "retry": 0}


@app.get("/")
async def index():
    time.sleep(1)
    return describe(200)
"""


def _edit(path, old: str, new: str) -> None:
    """Rewrite a file with one replacement, making sure its stat changes even within one clock tick."""
    import os

    before = path.stat()
    path.write_text(path.read_text().replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, max(path.stat().st_mtime_ns, before.st_mtime_ns + 1_000_000)))


def test_code_edit_that_rules_cannot_see_is_answered_without_linting(cli, monkeypatch):
    """An edit outside every definition the rules read (a message reworded in a helper) keeps the last
    run's findings without linting the file again; the same kind of edit where a rule reads is linted
    again. A noqa added anywhere is read from the new text, linted again or not."""
    import fastapi_asynclint.engine as engine

    cli.write({"app.py": FOCUSED_APP, "other.py": "import time\n\nasync def tick():\n    time.sleep(2)\n"})
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    first = cli(*command)
    assert [f["code"] for f in json.loads(first.stdout)] == ["FAL101", "FAL101"]
    linted = []
    lint_text = engine.lint_text
    monkeypatch.setattr(engine, "lint_text", lambda path, *rest, **options: linted.append(path) or lint_text(path, *rest, **options))
    app = cli.root / "app.py"

    _edit(app, '"not found", "retry": 3', '"no such item", "retry": 5')
    reworded = cli(*command)
    assert linted == [] and reworded.stdout == first.stdout
    assert reworded.stdout == cli(*command, "--no-cache").stdout
    linted.clear()

    _edit(app, "time.sleep(1)", "time.sleep(7)")  # the same summary, but in the route FAL101 reads
    slept = cli(*command)
    assert [path.rsplit("/", 1)[-1] for path in linted] == ["app.py"]
    assert "await asyncio.sleep(7)" in slept.stdout and slept.stdout == cli(*command, "--no-cache").stdout

    linted.clear()
    _edit(app, "    if code == 404:", "    if code == 404:  # fastapi-asynclint: noqa")
    suppressed = cli(*command)
    assert linted == []
    assert [f["filename"].rsplit("/", 1)[-1] for f in json.loads(suppressed.stdout)] == ["other.py"]
    assert suppressed.stdout == cli(*command, "--no-cache").stdout


def test_code_edit_that_changes_the_summary_builds_the_index(cli, monkeypatch):
    """An edit the summary records (a call added to a helper) may change any file's findings: the index is
    built, and the findings are those of an uncached run."""
    import fastapi_asynclint.runner as runner

    cli.write({"app.py": FOCUSED_APP})
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    cli(*command)
    indexed = []
    link = runner.link
    monkeypatch.setattr(runner, "link", lambda *args: indexed.append(1) or link(*args))
    _edit(cli.root / "app.py", '    return {"error": "unknown", "retry": 0}', '    time.sleep(0)\n    return {}')
    edited = cli(*command)
    assert indexed == [1]
    assert "describe() -> time.sleep" in edited.stdout
    assert edited.stdout == cli(*command, "--no-cache").stdout


# A middleware sets the request id; the route hands `function` to a thread, which FAL402 reports.
_CONTEXT_VAR_APP = """\
import threading
from fastapi import FastAPI, Request
from app.context import request_id
from {module} import {function}

app = FastAPI()

@app.middleware("http")
async def add_request_id(request: Request, call_next):
    request_id.set(request.headers.get("x-request-id", "-"))
    return await call_next(request)

@app.post("/orders/{{order_id}}")
async def create_order(order_id: int):
    threading.Thread(target={function}, args=("started",)).start()
"""


def test_cached_findings_follow_a_moved_context_var_read(cli):
    """FAL402's chain holds the row where a helper in another file reads the request id: when that read
    moves, the route's stored finding must not be served with the old row."""
    cli.write(
        {
            "app/__init__.py": "",
            "app/context.py": 'from contextvars import ContextVar\n\nrequest_id = ContextVar("request_id", default="-")\n',
            "app/logs.py": "from app.context import request_id\n\ndef log(message):\n    print(request_id.get(), message)\n",
            "app/main.py": _CONTEXT_VAR_APP.format(module="app.logs", function="log"),
        }
    )
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    before = json.loads(cli(*command).stdout)
    assert [hop["row"] for finding in before for hop in finding["chain"]] == [4, 4]
    _edit(cli.root / "app/logs.py", "def log(message):\n", "def log(message):\n    prefix = '-'\n")
    after = cli(*command)
    assert [hop["row"] for finding in json.loads(after.stdout) for hop in finding["chain"]] == [5, 5]
    assert after.stdout == cli(*command, "--no-cache").stdout


def test_cached_findings_follow_a_context_var_chain_changed_off_its_path(cli):
    """FAL402's chain runs job -> log -> request_id.get; when `audit`, which `job` calls first and which lay
    off that chain (so its file is not one the finding read rows from), starts reading the request id, the
    chain runs through it instead: the stored finding must not stand (the context vars' model changed)."""
    cli.write(
        {
            "app/__init__.py": "",
            "app/context.py": 'from contextvars import ContextVar\n\nrequest_id = ContextVar("request_id", default="-")\n',
            "app/logs.py": "from app.context import request_id\n\ndef log(message):\n    print(request_id.get(), message)\n",
            "app/audit.py": "from app.context import request_id\n\ndef audit(message):\n    return message\n",
            "app/jobs.py": "from app.audit import audit\nfrom app.logs import log\n\ndef job(message):\n    audit(message)\n    log(message)\n",
            "app/main.py": _CONTEXT_VAR_APP.format(module="app.jobs", function="job"),
        }
    )
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    before = json.loads(cli(*command).stdout)
    assert [hop["name"] for finding in before for hop in finding["chain"]] == ["job", "log", "app.context.request_id.get"]
    _edit(cli.root / "app/audit.py", "    return message\n", "    return request_id.get()\n")
    after = cli(*command)
    assert [hop["name"] for finding in json.loads(after.stdout) for hop in finding["chain"]] == [
        "job", "audit", "app.context.request_id.get"
    ]
    assert after.stdout == cli(*command, "--no-cache").stdout


def test_rows_moved_by_an_edit_the_rules_cannot_see_reuse_the_findings(cli, monkeypatch):
    """A line added to a helper no rule reads changes the summary (so the index is built) and moves the
    route below it; libcst does not read the file again: the stored findings move with the rows."""
    import libcst

    cli.write({"app.py": FOCUSED_APP})
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    first = json.loads(cli(*command).stdout)
    assert [(f["location"]["row"], f["fix"]["edits"][0]["location"]["row"]) for f in first] == [(15, 15)]
    parsed = []
    parse_module = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda *args, **kwargs: parsed.append(1) or parse_module(*args, **kwargs))
    _edit(cli.root / "app.py", "    if code == 404:", "    code = int(code)\n    if code == 404:")
    moved = cli(*command)
    assert parsed == []
    assert [(f["location"]["row"], f["fix"]["edits"][0]["location"]["row"]) for f in json.loads(moved.stdout)] == [(16, 16)]
    assert moved.stdout == cli(*command, "--no-cache").stdout
    parsed.clear()
    _edit(cli.root / "app.py", "    time.sleep(1)", "    time.sleep(1)\n    time.sleep(2)")  # where FAL101 reads
    relinted = cli(*command)
    assert parsed and len(json.loads(relinted.stdout)) == 2
    assert relinted.stdout == cli(*command, "--no-cache").stdout


def test_cached_findings_follow_a_semaphore_added_in_another_file(cli):
    """FAL304 reads whether the coroutine gathered holds a semaphore: adding one to it in another file
    (a coroutine body: no link fact) must clear the route's stored finding."""
    cli.write(
        {
            "work.py": "import asyncio\n\nLIMIT = asyncio.Semaphore(4)\n\nasync def fetch(item):\n    return item\n",
            "app.py": """\
                import asyncio
                from fastapi import FastAPI
                from work import fetch

                app = FastAPI()

                @app.post("/enrich")
                async def enrich(ids: list[int]):
                    return await asyncio.gather(*[fetch(i) for i in ids])
                """,
        }
    )
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    assert "app.py:9:18: FAL304" in cli(*command).stdout
    _edit(cli.root / "work.py", "    return item", "    async with LIMIT:\n        return item")
    limited = cli(*command)
    assert limited.exit_code == 0
    assert limited.stdout == cli(*command, "--no-cache").stdout


def test_a_line_added_above_a_helper_moves_chains_without_relinking(cli, monkeypatch):
    """Rows are not link facts: a line added in a helper above the one that blocks keeps the stored link
    state, and the route's chain reads the helper's new row."""
    from fastapi_asynclint.index.project import ProjectIndex

    helpers = "import time\n\ndef other():\n    return 1\n\ndef load():\n    time.sleep(1)\n"
    cli.write(
        {
            "helpers.py": helpers,
            "app.py": "from helpers import load\n\nasync def route():\n    return load()\n",
            "other.py": "async def tick():\n    return 2\n",
        }
    )
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    before = json.loads(cli(*command).stdout)
    assert [hop["row"] for hop in before[0]["chain"]] == [7, 7]
    linked = []
    compute = ProjectIndex._compute_witnesses
    monkeypatch.setattr(ProjectIndex, "_compute_witnesses", lambda self: linked.append(1) or compute(self))
    _edit(cli.root / "helpers.py", "    return 1\n", "    value = 1\n    return value\n")
    after = cli(*command)
    assert linked == []
    assert [hop["row"] for hop in json.loads(after.stdout)[0]["chain"]] == [8, 8]
    assert after.stdout == cli(*command, "--no-cache").stdout
