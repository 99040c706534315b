"""The command line contract of DESIGN.md section 1: commands, flags, exit codes, config handling."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

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
    assert "Found 1 error." in result.stdout
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
    from fastapi_asynclint.index.project import ProjectIndex

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
    original = ProjectIndex.file_fingerprint
    monkeypatch.setattr(
        ProjectIndex,
        "file_fingerprint",
        lambda self, summary, **options: fingerprinted.append(summary.module) or original(self, summary, **options),
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
    compute, fingerprint = ProjectIndex._compute_witnesses, ProjectIndex.file_fingerprint
    monkeypatch.setattr(ProjectIndex, "_compute_witnesses", lambda self: linked.append(1) or compute(self))
    monkeypatch.setattr(
        ProjectIndex,
        "file_fingerprint",
        lambda self, summary, **options: fingerprinted.append(summary.module) or fingerprint(self, summary, **options),
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


def test_first_edit_of_a_large_file_reads_the_resolutions_the_full_run_kept(cli, monkeypatch):
    """A run that links from scratch keeps, per large file, the resolutions its fingerprint asked for. The
    first run after an edit of that file takes them over and resolves nothing again for its fingerprint,
    and finds what an uncached run finds; what it resolved for another file's is kept for the next run.
    A relink keeps them under the new link state's key only."""
    import fastapi_asynclint.index.build as build
    from fastapi_asynclint.cache import Cache, _loads as cache_file
    from fastapi_asynclint.index.project import ProjectIndex

    helpers = (
        "import time\nfrom typing import Annotated\nfrom fastapi import Depends\n\n"
        "def load():\n    time.sleep(1)\n\ndef audit():\n    return 2\n\n"
        "def get_db():\n    yield 1\n\nDb = Annotated[int, Depends(get_db)]\n"
    )
    app = (
        '"""The routes: the one large file of this project."""\n\n'
        "import time\nfrom fastapi import FastAPI\nfrom helpers import load, Db\n\napp = FastAPI()\n\n"
        "@app.get('/')\nasync def route(db: Db):\n    time.sleep(1)\n    return load()\n"
    )
    # Fingerprinted before app.py (path order).
    admin = "from helpers import audit\n\nasync def report():\n    return audit()\n"
    files = {"pyproject.toml": "[tool.fastapi-asynclint]\n", "helpers.py": helpers, "app.py": app, "admin.py": admin}
    cli.write(files)
    monkeypatch.setattr(build, "LAYOUT_MIN_BYTES", max(len(text) for text in files.values() if text is not app) + 1)
    command = ("check", "--output-format", "concise", "--jobs", "1", ".")
    cli(*command)
    cache = Cache(cli.root / ".fastapi_asynclint_cache", cli.root.resolve())
    link_key = lambda: cache_file(cache.file_resolutions_file)["key"]  # the index's

    def kept(key: str) -> dict:
        root = cli.root.resolve()
        return {name: cache.file_resolutions(key, str(root / name)) is not None for name in ("app.py", "helpers.py")}

    full_run = link_key()
    assert kept(full_run) == {"app.py": True, "helpers.py": False}

    made = []
    fingerprint = ProjectIndex.file_fingerprint

    def counted(self, summary, **options):
        before = self.resolution_count()
        found = fingerprint(self, summary, **options)
        made.append((summary.module, self.resolution_count() - before))
        return found

    monkeypatch.setattr(ProjectIndex, "file_fingerprint", counted)
    (cli.root / "app.py").write_text(app.replace("    return load()\n", "    x = 1\n    return load()\n"))
    (cli.root / "admin.py").write_text(admin.replace("    return", "    x = 1\n    return"))
    edited = cli(*command)
    assert [count for module, count in made if module == "app"] == [0, 0], made
    assert "helpers.audit" in (cache.resolutions(full_run) or {}).get("targets", {}), "admin.py's resolutions are kept"
    assert edited.stdout == cli(*command, "--no-cache").stdout
    assert "app.py:11:5: FAL101" in edited.stdout and "app.py:13:12: FAL101" in edited.stdout

    (cli.root / "helpers.py").write_text(helpers.replace("    time.sleep(1)\n", "    return 1\n"))
    relinked = cli(*command)
    assert relinked.stdout == cli(*command, "--no-cache").stdout
    assert link_key() != full_run
    assert kept(link_key()) == {"app.py": True, "helpers.py": False}
    assert kept(full_run) == {"app.py": False, "helpers.py": False}


def test_kept_file_resolutions_are_read_back_only_under_their_key(tmp_path):
    from fastapi_asynclint.cache import Cache

    record = {"targets": {}, "aliases": {"app.Db": "deps.get_db"}}
    one, two = "key-one" * 4, "key-two" * 4
    first = Cache(tmp_path / "cache", tmp_path)
    first.put_file_resolutions(one, "/p/app.py", record)
    first.save()
    assert not first.file_resolutions_file.exists(), "not kept without a link state of their key"
    first.put_link_state(one, {})
    first.put_file_resolutions(one, "/p/app.py", record)
    first.put_file_resolutions(one, "/p/big.py", record)
    first.save()
    second = Cache(tmp_path / "cache", tmp_path)
    assert second.file_resolutions(one, "/p/app.py") == record
    assert second.file_resolutions(two, "/p/app.py") is None
    assert second.file_resolutions(one, "/p/other.py") is None
    second.put_link_state(two, {})
    second.put_file_resolutions(two, "/p/app.py", record)
    second.save()
    third = Cache(tmp_path / "cache", tmp_path)
    assert third.file_resolutions(one, "/p/big.py") is None
    assert third.file_resolutions(two, "/p/app.py") == record
    kept = third.file_resolutions_file.read_bytes()
    for damaged in (b"", b"\xff" * 8 + b"junk", kept[:-5], kept.replace(b"targets", b"targetz")):
        third.file_resolutions_file.write_bytes(damaged)
        assert Cache(tmp_path / "cache", tmp_path).file_resolutions(two, "/p/app.py") is None


def test_last_run_findings_stay_pickled_until_asked_for(tmp_path):
    """A run after an edit reads the last full run's record for its stats and codes, not its findings."""
    from fastapi_asynclint.cache import Cache
    from fastapi_asynclint.diagnostics import Diagnostic, Location

    finding = Diagnostic("FAL101", "m", "a.py", Location(1, 1), Location(1, 2))
    first = Cache(tmp_path / "cache", tmp_path)
    first.put_last_run({"codes": {"a.py": "FAL101"}, "findings": {"a.py": ("FAL101", (finding,))}})
    first.save()
    second = Cache(tmp_path / "cache", tmp_path)
    assert type(second.last_run()["findings"]) is bytes and second.last_run()["codes"] == {"a.py": "FAL101"}
    assert second.last_run_findings() == {"a.py": ("FAL101", (finding,))}
    second.put_last_run({**second.last_run(), "files": {}})
    second.save()
    assert Cache(tmp_path / "cache", tmp_path).last_run_findings() == {"a.py": ("FAL101", (finding,))}
    damaged = Cache(tmp_path / "cache", tmp_path)
    damaged.last_run()["findings"] = b"\x80\x05junk"
    assert damaged.last_run_findings() is None


def test_cache_files_keep_summaries_and_parts_out_of_band_and_read_damage_as_nothing(tmp_path):
    """Each summary and each module's parts are buffers after the main pickle, read back as views of the
    mapped file (no copy); a torn, padded, foreign or old-format file reads as no cache at all."""
    from fastapi_asynclint.cache import Cache
    from fastapi_asynclint.index.build import summarize_bytes

    source = tmp_path / "app.py"
    source.write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    path = str(source)
    summary = summarize_bytes(source.read_bytes(), "app", False)
    parts = memoryview(pickle.dumps(("parts", list(range(500)))))
    first = Cache(tmp_path / "cache", tmp_path)
    first.put_summary(path, "app", False, (1, 2), summary)
    first.put_link_state("key", {})
    first.put_models("key", {"parts": {path: parts}})
    first.save()
    second = Cache(tmp_path / "cache", tmp_path)
    found = second.previous_summary(path, "app", False)
    assert type(found._stored) is memoryview
    assert type(found._stored.obj) is bytes, "a long-lived process reads the file, it does not map it"
    assert found == summary
    mapped = Cache(tmp_path / "cache", tmp_path, freeze_loads=True).previous_summary(path, "app", False)
    assert type(mapped._stored.obj).__name__ == ("bytes" if sys.platform == "win32" else "mmap")
    assert mapped == summary
    kept = second.models("key")["parts"][path]
    assert type(kept) is memoryview and kept == parts

    def buffer_lengths(raw):
        table_at = 20 + int.from_bytes(raw[4:12], "little")
        return pickle.loads(raw[table_at : table_at + int.from_bytes(raw[12:20], "little")])

    raw = first.file.read_bytes()
    assert buffer_lengths(raw) == [len(summary.packed()[1])]
    assert buffer_lengths(first.models_file.read_bytes()) == [len(parts)]
    old_format = pickle.dumps({"format": 25, "summaries": {path: (1, 2, "app", False, summary)}})
    for damaged in (b"", b"FALC", raw[:-3], raw + b"x", raw[:4] + b"\xff" * 16 + raw[20:], old_format):
        first.file.write_bytes(damaged)
        assert Cache(tmp_path / "cache", tmp_path).previous_summary(path, "app", False) is None


def test_cache_journal_holds_small_changes_and_folds_into_the_main_file(tmp_path, monkeypatch):
    import fastapi_asynclint.cache as cache_module
    from fastapi_asynclint.cache import Cache
    from fastapi_asynclint.diagnostics import Diagnostic, Location

    monkeypatch.setattr(cache_module, "_JOURNAL_MIN", 2)
    finding = Diagnostic("FAL101", "m", "a.py", Location(1, 1), Location(1, 2))
    first = Cache(tmp_path / "cache", tmp_path)
    for number in range(50):
        first.put_result(f"f{number}.py", "key", [finding], "own", "project")
    first.save()
    main_bytes = first.file.read_bytes()
    second = Cache(tmp_path / "cache", tmp_path)
    second.put_result("f1.py", "key2", [], "own2", "project")
    second.save()
    assert first.file.read_bytes() == main_bytes and second.journal_file.exists()  # only the journal written
    third = Cache(tmp_path / "cache", tmp_path)
    assert third.result("f1.py", "key2") == () and third.result("f2.py", "key") == (finding,)
    for number in range(10):  # more than 1/20 of the entries: folded into a new main file
        third.put_result(f"g{number}.py", "key", [], "own", "project")
    third.save()
    assert third.file.read_bytes() != main_bytes
    fourth = Cache(tmp_path / "cache", tmp_path)
    assert fourth.result("f1.py", "key2") == () and fourth.result("g9.py", "key") == ()
    assert fourth.fresh_result("f2.py", "own", "project") == (finding,)
    assert fourth.fresh_result("f2.py", "own", "other project") is None


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


def test_code_edit_that_rules_cannot_see_is_answered_without_the_index(cli, monkeypatch):
    """An edit that leaves the file's summary as it was, outside every definition the rules read (a message
    reworded in a helper), keeps the last run's findings without building the index; the same kind of edit
    where a rule reads is linted again, and so is a noqa added anywhere."""
    import fastapi_asynclint.runner as runner

    cli.write({"app.py": FOCUSED_APP, "other.py": "import time\n\nasync def tick():\n    time.sleep(2)\n"})
    command = ("check", "--output-format", "json", "--jobs", "1", ".")
    first = cli(*command)
    assert [f["code"] for f in json.loads(first.stdout)] == ["FAL101", "FAL101"]
    indexed = []
    build_index = runner.build_index
    monkeypatch.setattr(runner, "build_index", lambda *args: indexed.append(1) or build_index(*args))
    app = cli.root / "app.py"

    _edit(app, '"not found", "retry": 3', '"no such item", "retry": 5')
    reworded = cli(*command)
    assert indexed == [] and reworded.stdout == first.stdout
    assert reworded.stdout == cli(*command, "--no-cache").stdout
    indexed.clear()

    _edit(app, "time.sleep(1)", "time.sleep(7)")  # the same summary, but in the route FAL101 reads
    slept = cli(*command)
    assert indexed == [1]
    assert "await asyncio.sleep(7)" in slept.stdout and slept.stdout == cli(*command, "--no-cache").stdout

    indexed.clear()
    _edit(app, "    if code == 404:", "    if code == 404:  # fastapi-asynclint: noqa")
    suppressed = cli(*command)
    assert indexed == [1]
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
    build_index = runner.build_index
    monkeypatch.setattr(runner, "build_index", lambda *args: indexed.append(1) or build_index(*args))
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
