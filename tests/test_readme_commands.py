"""The commands that docs/ci.md and the README tell users to run, run: against a copy of fixtures/example_app.

What is extracted, explicitly:
- docs/ci.md: every line of every ```sh block, every `run:` of a ```yaml GitHub workflow and every
  `script:` line of a ```yaml GitLab job; a ```yaml block with `repos:` is a pre-commit configuration and
  is validated by pre-commit.
- README.md: the `fastapi-asynclint` lines of the ```sh block under "## Usage", and the blocks of the
  "## pre-commit" and "## Continuous integration" sections, handled as docs/ci.md's.

Each `fastapi-asynclint ...` command is run (a trailing `# comment` is dropped; `> file` is honoured;
`server` gets an empty stdin and must stop cleanly); any
other command must be one this test knows not to run here (installing, pre-commit), so a new kind of
command in the docs breaks the test until someone decides how to check it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml

from fastapi_asynclint import __version__

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
README = ROOT / "README.md"
EXAMPLE_APP = ROOT / "fixtures" / "example_app"
# Commands the docs may show that are not run here: installing the tool (the test uses this checkout's) and
# pre-commit (tests/test_precommit.py runs the hooks for real).
NOT_RUN_HERE = ("pip install fastapi-asynclint", "pre-commit install", "pre-commit run")
OPTIONS_WITH_VALUES = {"--output-format", "--select", "--ignore", "--extend-select", "--stdin-filename",
                       "--config", "--cache-dir", "--jobs", "-j"}
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$", re.M)


@dataclass(frozen=True)
class Block:
    source: str  # "docs/ci.md" or "README.md"
    section: str  # the nearest level-2 heading above the block
    language: str
    text: str


@dataclass(frozen=True)
class Command:
    where: str
    line: str

    def __str__(self) -> str:
        return f"{self.where}: {self.line}"


def _blocks(path: Path) -> List[Block]:
    text = path.read_text(encoding="utf-8")
    # Headings inside fenced blocks (a `# comment` in a sh block) are not headings.
    fences = [(m.start(), m.end()) for m in FENCE.finditer(text)]
    headings = [(m.start(), len(m.group(1)), m.group(2)) for m in HEADING.finditer(text)
                if not any(start <= m.start() < end for start, end in fences)]
    blocks = []
    for match in FENCE.finditer(text):
        section = ""
        for position, level, title in headings:
            if position < match.start() and level <= 2:
                section = title
        blocks.append(Block(path.name if path == README else "docs/ci.md", section, match.group(1), match.group(2)))
    return blocks


def _shell_lines(text: str) -> Iterator[str]:
    """Commands of a sh block: backslash continuations joined, blank and comment-only lines skipped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


def _yaml_commands(value: Any) -> Iterator[str]:
    """Every `run:` string (GitHub Actions) and `script:` item (GitLab CI), anywhere in a YAML document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "run" and isinstance(item, str):
                yield from _shell_lines(item)
            elif key == "script" and isinstance(item, list):
                for entry in item:
                    yield from _shell_lines(str(entry))
            else:
                yield from _yaml_commands(item)
    elif isinstance(value, list):
        for item in value:
            yield from _yaml_commands(item)


def _commands(blocks: List[Block]) -> List[Command]:
    found = []
    for block in blocks:
        where = f"{block.source} ({block.section or 'top'})"
        if block.language in ("sh", "bash", "shell", "console"):
            found.extend(Command(where, line) for line in _shell_lines(block.text))
        elif block.language in ("yaml", "yml"):
            document = yaml.safe_load(block.text)
            if isinstance(document, dict) and "repos" in document:
                continue  # a pre-commit configuration: see test_pre_commit_configurations_are_valid
            found.extend(Command(where, line) for line in _yaml_commands(document))
    return found


def _ci_blocks() -> List[Block]:
    blocks = [b for b in _blocks(CI_DOC) if b.language in ("sh", "bash", "shell", "console", "yaml", "yml")]
    readme = [b for b in _blocks(README) if b.section.lower() in ("pre-commit", "continuous integration")]
    return blocks + readme


def _usage_commands() -> List[Command]:
    usage = [b for b in _blocks(README) if b.section == "Usage" and b.language == "sh"]
    assert usage, "README.md must keep its commands in a ```sh block under '## Usage'"
    lines = [line for line in _shell_lines(usage[0].text) if line.startswith("fastapi-asynclint")]
    return [Command("README.md (Usage)", line) for line in lines]


def _linter_commands() -> List[Command]:
    commands = _usage_commands()
    for command in _commands(_ci_blocks()):
        if command.line.startswith("fastapi-asynclint"):
            # The same command in two places (comments aside) runs once.
            if shlex.split(command.line, comments=True) not in [shlex.split(c.line, comments=True) for c in commands]:
                commands.append(command)
        else:
            assert command.line.startswith(NOT_RUN_HERE), (
                f"{command}: not a fastapi-asynclint command and not one this test knows to skip; "
                "teach tests/test_readme_commands.py how to check it"
            )
    return commands


# ------------------------------------------------------------------------------------------ running
def _parse(line: str) -> Tuple[List[str], Optional[str]]:
    """argv and the file stdout is redirected to (`> file`); other shell syntax is refused."""
    tokens = shlex.split(line, comments=True)
    redirect = None
    if ">" in tokens:
        position = tokens.index(">")
        assert position == len(tokens) - 2, f"only a final `> file` is supported: {line}"
        redirect = tokens[-1]
        tokens = tokens[:position]
    for token in tokens:
        assert token not in {"|", "||", "&&", ";", "<", ">>", "2>", "&"} and not token.startswith(("$(", "`")), (
            f"shell syntax this test does not run: {line}"
        )
    return tokens, redirect


def _option(argv: List[str], name: str, default: Optional[str] = None) -> Optional[str]:
    for position, token in enumerate(argv):
        if token == name and position + 1 < len(argv):
            return argv[position + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return default


def _paths(argv: List[str]) -> List[str]:
    paths, skip = [], False
    for token in argv[2:]:
        if skip:
            skip = False
        elif token in OPTIONS_WITH_VALUES:
            skip = True
        elif not token.startswith("-"):
            paths.append(token)
    return paths


def _executable() -> List[str]:
    script = Path(sys.executable).parent / "fastapi-asynclint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fastapi_asynclint"]


def _run(argv: List[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    return subprocess.run(
        _executable() + argv[1:], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300
    )


def _snapshot(root: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


FINDING_LINE = re.compile(r"^\S+:\d+:\d+: FAL\d{3} ", re.M)
STATISTICS_LINE = re.compile(r"^ *\d+\tFAL\d{3}\t\[[ *]\] [a-z0-9-]+$", re.M)


def _check_output(argv: List[str], output: str) -> None:
    """The output is what the command's format promises."""
    if argv[1] == "rule":
        assert output.startswith("# ") and "## What it does" in output
        return
    output_format = _option(argv, "--output-format", "text")
    statistics = "--statistics" in argv
    if "--diff" in argv:
        assert re.search(r"^--- .*\n\+\+\+ ", output, re.M), output[:500]
        assert "+    await asyncio.sleep(" in output
        return
    if output_format == "json":
        document = json.loads(output)
        assert isinstance(document, list) and document
        keys = {"code", "count", "name", "fixable"} if statistics else {"code", "message", "filename", "location", "end_location", "fix", "noqa_row"}
        assert all(keys <= set(item) for item in document)
    elif output_format == "sarif":
        document = json.loads(output)
        assert document["version"] == "2.1.0" and len(document["runs"]) == 1
        assert document["runs"][0]["results"]
        assert document["runs"][0]["tool"]["driver"]["name"] == "fastapi-asynclint"
    elif output_format == "lsp":
        document = json.loads(output)
        assert isinstance(document, dict) and all(uri.startswith("file://") for uri in document)
    elif output_format == "github":
        lines = output.splitlines()
        assert lines and all(re.match(r"::error file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=FAL\d{3}::FAL\d{3} ", l) for l in lines), output[:500]
    elif statistics:
        assert STATISTICS_LINE.search(output), output[:500]
        assert not FINDING_LINE.search(output)
    else:
        assert output_format in ("text", "concise"), f"unknown output format {output_format}"
        assert FINDING_LINE.search(output), output[:500]


def _exercise(command: Command, workdir: Path) -> None:
    argv, redirect = _parse(command.line)
    assert argv[0] == "fastapi-asynclint"
    project = workdir / "example_app"
    shutil.copytree(EXAMPLE_APP, project)
    # Paths the docs use as examples that the example app lacks are created empty, so the command runs on
    # them rather than failing on a missing path (that is tested in test_cli.py).
    if argv[1:2] == ["check"]:
        for path in _paths(argv):
            target = project / path
            if not target.exists():
                if path.endswith(".py"):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text("")
                else:
                    target.mkdir(parents=True)
    before = _snapshot(project)
    completed = _run(argv, project)
    if argv[1] == "server":
        # The language server (tests/test_server.py speaks LSP to it): it starts, and stops at the end of
        # its input without an error.
        assert completed.returncode == 0 and "Traceback" not in completed.stderr, completed.stderr[-1500:]
        assert completed.stdout == ""
        return
    output = completed.stdout
    if redirect is not None:
        # What the shell's `> file` does; the report must then be alone on stdout (it is the file).
        (project / redirect).write_text(completed.stdout, encoding="utf-8")
    report = f"{command}\nexit {completed.returncode}\nstdout: {completed.stdout[:1500]}\nstderr: {completed.stderr[:1500]}"
    assert completed.returncode in (0, 1), report
    assert "Traceback" not in completed.stderr, report

    if argv[1] == "rule" or "--exit-zero" in argv:
        assert completed.returncode == 0, report
    elif "--add-noqa" in argv:
        # Adoption: every finding is recorded as a noqa comment, so the next check is clean.
        assert completed.returncode == 0, report
        assert _snapshot(project) != before, f"{command}: added no noqa comment to the example app"
        after = _run(["fastapi-asynclint", "check", "--no-cache", *_paths(argv)], project)
        assert after.returncode == 0, after.stdout[-1500:]
        return
    elif "--fix" in argv and "--diff" not in argv:
        fixed = _snapshot(project)
        assert fixed != before, f"{command}: --fix changed nothing in the example app"
        # The exit code says whether findings remain, as a plain check of the fixed files does.
        after = _run(["fastapi-asynclint", "check", "--no-cache", *_paths(argv)], project)
        assert completed.returncode == after.returncode, report + f"\nfollow-up check exited {after.returncode}"
        assert _snapshot(project) == fixed, "a plain check changed files"
        return
    else:
        assert completed.returncode == 1, f"the example app has findings: {report}"
    if "--diff" in argv or "--fix" not in argv:
        assert _snapshot(project) == before, f"{command}: changed files without --fix"
    _check_output(argv, output)


LINTER_COMMANDS = _linter_commands()


def test_the_docs_have_the_commands_this_test_runs():
    lines = [c.line for c in LINTER_COMMANDS]
    assert len([c for c in LINTER_COMMANDS if c.where.startswith("README.md (Usage)")]) >= 5
    ci = [c.line for c in LINTER_COMMANDS if c.where.startswith("docs/ci.md")]
    # The recipes the CI page promises: annotations, SARIF for code scanning, JSON.
    assert any("--output-format github" in line for line in ci)
    assert any("--output-format sarif" in line and "> " in line for line in ci)
    assert any("--output-format json" in line for line in ci)
    assert len(lines) >= 10


@pytest.mark.parametrize("command", LINTER_COMMANDS, ids=lambda c: f"{c.where.split()[0]}: {c.line.split('#')[0].strip()}")
def test_documented_command_runs_on_the_example_app(command, tmp_path):
    _exercise(command, tmp_path)


# ------------------------------------------------------------------------------------------ structure
def _ci_yaml(predicate) -> List[Any]:
    documents = [yaml.safe_load(b.text) for b in _blocks(CI_DOC) if b.language in ("yaml", "yml")]
    return [d for d in documents if predicate(d)]


def test_github_workflow_uploads_the_sarif_it_writes():
    (workflow,) = _ci_yaml(lambda d: isinstance(d, dict) and "jobs" in d)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "pip install fastapi-asynclint" in runs
    sarif_at = next(i for i, run in enumerate(runs) if "--output-format sarif" in run)
    _, written = _parse(runs[sarif_at])
    upload_at = next(i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert steps[upload_at]["uses"] == "github/codeql-action/upload-sarif@v3"
    assert steps[upload_at]["with"]["sarif_file"] == written
    assert sarif_at < upload_at
    # The upload must run although there are findings: the SARIF step cannot fail the job before it.
    assert "--exit-zero" in runs[sarif_at] or "always()" in str(steps[upload_at].get("if", ""))
    # And the job still fails on findings: the annotation step has no --exit-zero.
    annotate = next(run for run in runs if "--output-format github" in run)
    assert "--exit-zero" not in annotate
    install_at = runs.index("pip install fastapi-asynclint")
    assert install_at < sarif_at


def test_gitlab_job_keeps_its_report():
    (pipeline,) = _ci_yaml(lambda d: isinstance(d, dict) and any(isinstance(v, dict) and "script" in v for v in d.values()))
    (job,) = pipeline.values()
    reports = [_parse(line)[1] for line in job["script"] if line.startswith("fastapi-asynclint") and ">" in line]
    assert reports and set(reports) <= set(job["artifacts"]["paths"])
    assert job["artifacts"]["when"] == "always"
    assert any(line.startswith("fastapi-asynclint") and "--exit-zero" not in line for line in job["script"])


def _pre_commit_configurations() -> List[Tuple[str, str]]:
    found = []
    for block in _blocks(CI_DOC) + [b for b in _blocks(README) if b.section.lower() in ("pre-commit", "continuous integration")]:
        if block.language in ("yaml", "yml"):
            document = yaml.safe_load(block.text)
            if isinstance(document, dict) and "repos" in document:
                found.append((block.source, block.text))
    return found


def test_pre_commit_configurations_are_valid(tmp_path):
    configurations = _pre_commit_configurations()
    assert any(source == "docs/ci.md" for source, _ in configurations)
    from pre_commit.clientlib import load_manifest

    hook_ids = {hook["id"] for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    source_url = re.search(r'^Source = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    for number, (source, text) in enumerate(configurations):
        config = tmp_path / f"config-{number}.yaml"
        config.write_text(text)
        completed = subprocess.run(
            [sys.executable, "-m", "pre_commit", "validate-config", str(config)], capture_output=True, text=True
        )
        assert completed.returncode == 0, f"{source}: {completed.stdout}{completed.stderr}"
        (repo,) = yaml.safe_load(text)["repos"]
        assert repo["repo"] == source_url, source
        assert repo["rev"] == f"v{__version__}", f"{source}: the snippet should pin the current release"
        ids = {hook["id"] for hook in repo["hooks"]}
        assert ids and ids <= hook_ids, f"{source}: unknown hook ids {ids - hook_ids}"
        # The commented-out alternative must name a real hook too.
        for alternative in re.findall(r"#\s*-\s*id:\s*([\w-]+)", text):
            assert alternative in hook_ids, f"{source}: unknown hook id {alternative}"


def test_pre_commit_run_is_documented():
    lines = [c.line for c in _commands([b for b in _blocks(CI_DOC) if b.language == "sh"])]
    assert any(line.startswith("pre-commit run --all-files") for line in lines)
