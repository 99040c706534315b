"""The commands that README.md and docs/ci.md tell users to run, run: against a copy of fixtures/example_app.

What is extracted, explicitly:
- docs/ci.md: every line of every ```sh block, every `run:` of a ```yaml GitHub workflow and every
  `script:` line of a ```yaml GitLab job; a ```yaml block with `repos:` is a pre-commit configuration and
  is validated by pre-commit.
- README.md: the same from every block, except the two set-up commands between the setup markers
  (tests/test_docs.py checks those, and CI runs the test one). Its ```sh block under "## Usage" must hold
  the everyday commands.

Each `fastapi-asynclint ...` command is run (a trailing `# comment` is dropped; `> file` and `< file` are
honoured; `server` gets an empty stdin and must stop cleanly); any other command must be one this test
knows not to run here (installing from the repository, cloning it, pre-commit), so a new kind of command in
the docs breaks the test until someone decides how to check it. Besides commands: the README's example
output must be what the linter prints on the example app, every `[tool.fastapi-asynclint]` table the docs
show must be accepted, and a pre-commit `rev:` must be a tag or commit of this repository.
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

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
README = ROOT / "README.md"
EXAMPLE_APP = ROOT / "fixtures" / "example_app"
SOURCE_URL = re.search(r'^Source = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
# Not on PyPI yet: the docs install from the repository.
INSTALL = f"pip install git+{SOURCE_URL}"
# Commands the docs may show that are not run here: installing the tool or cloning its repository (the test
# uses this checkout's) and pre-commit (tests/test_precommit.py runs the hooks for real).
NOT_RUN_HERE = (INSTALL, f"pipx install git+{SOURCE_URL}", f"git clone {SOURCE_URL}", "pre-commit install",
                "pre-commit run", "pre-commit autoupdate")
SETUP_BLOCK = re.compile(r"<!-- setup:start -->.*?<!-- setup:end -->", re.S)
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
    """The fenced blocks of a page, but the README's set-up commands (between the setup markers)."""
    text = SETUP_BLOCK.sub("", path.read_text(encoding="utf-8"))
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


def _command_blocks() -> List[Block]:
    kinds = ("sh", "bash", "shell", "console", "yaml", "yml")
    return [b for path in (CI_DOC, README) for b in _blocks(path) if b.language in kinds]


def _usage_commands() -> List[Command]:
    usage = [b for b in _blocks(README) if b.section == "Usage" and b.language == "sh"]
    assert usage, "README.md must keep its commands in a ```sh block under '## Usage'"
    lines = [line for line in _shell_lines(usage[0].text) if line.startswith("fastapi-asynclint")]
    return [Command("README.md (Usage)", line) for line in lines]


def _linter_commands() -> List[Command]:
    commands = _usage_commands()
    for command in _commands(_command_blocks()):
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
    argv, redirect, _ = _parse_redirects(line)
    return argv, redirect


def _parse_redirects(line: str) -> Tuple[List[str], Optional[str], Optional[str]]:
    """argv, the file stdout goes to (`> file`) and the file stdin comes from (`< file`), each at the end."""
    tokens = shlex.split(line, comments=True)
    redirect = source = None
    while len(tokens) >= 2 and tokens[-2] in (">", "<"):
        if tokens[-2] == ">":
            redirect = tokens[-1]
        else:
            source = tokens[-1]
        tokens = tokens[:-2]
    for token in tokens:
        assert token not in {"|", "||", "&&", ";", "<", ">", ">>", "2>", "&"} and not token.startswith(("$(", "`")), (
            f"shell syntax this test does not run: {line}"
        )
    return tokens, redirect, source


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


def _run(argv: List[str], cwd: Path, stdin: Optional[Path] = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    with open(stdin, "rb") if stdin is not None else open(os.devnull, "rb") as source:
        return subprocess.run(
            _executable() + argv[1:], cwd=cwd, env=env, stdin=source, capture_output=True, text=True, timeout=300
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
    argv, redirect, source = _parse_redirects(command.line)
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
    completed = _run(argv, project, project / source if source is not None else None)
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
    assert INSTALL in runs
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
    install_at = runs.index(INSTALL)
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
    for block in _blocks(CI_DOC) + _blocks(README):
        if block.language in ("yaml", "yml"):
            document = yaml.safe_load(block.text)
            if isinstance(document, dict) and "repos" in document:
                found.append((block.source, block.text))
    return found


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def _hook_ids_at(rev: str) -> List[str]:
    """The hook ids of .pre-commit-hooks.yaml at `rev`, a tag or a full commit SHA of this repository (the
    only revisions pre-commit can pin for good: no release is tagged yet, so a SHA until one is)."""
    if shutil.which("git") is None or _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: cannot check that the pinned revision exists")
    if re.fullmatch(r"[0-9a-f]{40}", rev):
        if _git("cat-file", "-e", f"{rev}^{{commit}}").returncode != 0:
            if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
                pytest.skip(f"shallow clone: commit {rev} is not in it")
            pytest.fail(f"rev: {rev} is not a commit of this repository")
    else:
        assert _git("rev-parse", "-q", "--verify", f"refs/tags/{rev}").returncode == 0, (
            f"rev: {rev} is neither a tag nor a full commit SHA of this repository (no release is tagged yet: "
            "pin a commit SHA)"
        )
    manifest = _git("show", f"{rev}:.pre-commit-hooks.yaml")
    assert manifest.returncode == 0, f"{rev} has no .pre-commit-hooks.yaml"
    return [hook["id"] for hook in yaml.safe_load(manifest.stdout)]


def test_pre_commit_configurations_are_valid(tmp_path):
    configurations = _pre_commit_configurations()
    assert any(source == "docs/ci.md" for source, _ in configurations)
    assert any(source == "README.md" for source, _ in configurations)
    from pre_commit.clientlib import load_manifest

    hook_ids = {hook["id"] for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    revs = set()
    for number, (source, text) in enumerate(configurations):
        config = tmp_path / f"config-{number}.yaml"
        config.write_text(text)
        completed = subprocess.run(
            [sys.executable, "-m", "pre_commit", "validate-config", str(config)], capture_output=True, text=True
        )
        assert completed.returncode == 0, f"{source}: {completed.stdout}{completed.stderr}"
        (repo,) = yaml.safe_load(text)["repos"]
        assert repo["repo"] == SOURCE_URL, source
        revs.add(str(repo["rev"]))
        ids = {hook["id"] for hook in repo["hooks"]}
        assert ids and ids <= hook_ids, f"{source}: unknown hook ids {ids - hook_ids}"
        # The commented-out alternative must name a real hook too.
        for alternative in re.findall(r"#\s*-\s*id:\s*([\w-]+)", text):
            assert alternative in hook_ids, f"{source}: unknown hook id {alternative}"
    assert len(revs) == 1, f"the snippets pin different revisions: {sorted(revs)}"
    (rev,) = revs
    pinned = set(_hook_ids_at(rev))
    assert hook_ids <= pinned, f"rev {rev} lacks the hooks {sorted(hook_ids - pinned)}"


def test_pre_commit_run_is_documented():
    lines = [c.line for c in _commands([b for b in _blocks(CI_DOC) if b.language == "sh"])]
    assert any(line.startswith("pre-commit run --all-files") for line in lines)


# ------------------------------------------------------------------------------------------ beyond commands
def test_readme_example_output_is_what_the_linter_prints(tmp_path):
    """The README's example output (```text blocks holding a finding) is the linter's text output on the
    example app, line for line; a shown line may stop early (the end of a long line left out)."""
    shown = [b.text for b in _blocks(README) if b.language == "text" and FINDING_LINE.search(b.text)]
    assert shown, "README.md should show what a finding looks like"
    project = tmp_path / "example_app"
    shutil.copytree(EXAMPLE_APP, project)
    completed = _run(["fastapi-asynclint", "check", "--no-cache"], project)
    printed = [line.strip() for line in completed.stdout.splitlines()]
    for text in shown:
        for line in filter(None, (line.strip() for line in text.splitlines())):
            assert any(out.startswith(line) for out in printed), f"not in the output: {line}\n\n{completed.stdout[:3000]}"


def _configurations() -> List[Tuple[str, str]]:
    found = []
    for path in (README, *sorted((ROOT / "docs").glob("*.md"))):
        for block in _blocks(path):
            if block.language == "toml" and "[tool.fastapi-asynclint]" in block.text:
                found.append((path.name, block.text))
    return found


@pytest.mark.parametrize(("source", "text"), _configurations(), ids=lambda value: value if value.endswith(".md") else "")
def test_documented_configuration_is_accepted(source, text, tmp_path):
    """Every `[tool.fastapi-asynclint]` table the docs show is one the linter accepts (unknown keys are an
    error, exit 2)."""
    project = tmp_path / "example_app"
    shutil.copytree(EXAMPLE_APP, project)
    (project / "pyproject.toml").write_text(text)
    completed = _run(["fastapi-asynclint", "check", "--no-cache"], project)
    assert completed.returncode in (0, 1), f"{source}: exit {completed.returncode}\n{completed.stderr[-1500:]}"
