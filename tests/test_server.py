"""The language server end to end: pytest-lsp starts `python -m fastapi_asynclint server` as a subprocess and
talks LSP to it over stdio, the way an editor does, on a project in a temporary folder."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

from fastapi_asynclint.rule_docs import rule_markdown

from conftest import BLOCKING_APP, Cli

pytestmark = pytest.mark.asyncio

SERVER = [sys.executable, "-m", "fastapi_asynclint", "server"]
# The real server with one lint that raises, to prove a crash is logged and the server keeps serving.
CRASHING_SERVER = [
    sys.executable,
    "-c",
    textwrap.dedent(
        """
        import fastapi_asynclint.workspace as workspace
        real_lint_text = workspace.lint_text
        def lint_text(path, *args, **kwargs):
            if path.endswith("crash.py"):
                raise RuntimeError("a rule exploded")
            return real_lint_text(path, *args, **kwargs)
        workspace.lint_text = lint_text
        from fastapi_asynclint.server import main
        main()
        """
    ),
]
TIMEOUT = 20.0
Expectation = Callable[[Sequence[types.Diagnostic]], bool]

HELPER_CLEAN = """\
def fetch():
    return 1
"""
HELPER_BLOCKING = """\
import time


def fetch():
    time.sleep(1)
    return 1
"""
ROUTE_USING_HELPER = """\
from fastapi import FastAPI

from services import fetch

app = FastAPI()


@app.get("/indirect")
async def indirect():
    return fetch()
"""
CACHED_COROUTINE = """\
import functools


@functools.lru_cache
async def rates():
    return {}
"""
CLEAN_APP = BLOCKING_APP.replace("import time\n", "").replace("    time.sleep(1)\n", "")


def make_client() -> LanguageClient:
    """pytest-lsp's client, plus what VS Code does with `client/registerCapability`: accept and remember."""
    client = make_test_lsp_client()
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    return client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    return tmp_path


def _initialize_params(root: Path, capabilities: Optional[types.ClientCapabilities] = None) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities or client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(_initialize_params(project))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def utf8_client(lsp_client: LanguageClient, project: Path):
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general.position_encodings = [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
    await lsp_client.initialize_session(_initialize_params(project, capabilities))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=CRASHING_SERVER, client_factory=make_client))
async def crashing_client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(_initialize_params(project))
    yield
    await lsp_client.shutdown_session()


class Editor:
    """What an editor does with documents: open, edit, save, close; and wait for what the server says."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.versions: Dict[str, int] = {}
        self.texts: Dict[str, str] = {}

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def write(self, name: str, text: str) -> str:
        (self.root / name).write_text(text)
        return self.uri(name)

    def open(self, name: str, text: Optional[str] = None, language_id: str = "python") -> str:
        uri = self.uri(name)
        text = (self.root / name).read_text() if text is None else text
        self.versions[uri], self.texts[uri] = 1, text
        item = types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=document, content_changes=[change])
        )

    def save(self, uri: str) -> None:
        Path(uri[len("file://"):]).write_text(self.texts[uri])
        document = types.TextDocumentIdentifier(uri=uri)
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=document))

    def close(self, uri: str) -> None:
        document = types.TextDocumentIdentifier(uri=uri)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=document))

    async def diagnostics(self, uri: str, until: Expectation) -> List[types.Diagnostic]:
        """The published diagnostics of `uri`, once they satisfy `until`."""

        def published() -> Optional[Sequence[types.Diagnostic]]:
            return self.client.diagnostics.get(uri)

        await wait_until(lambda: published() is not None and until(published()), lambda: f"{uri}: {published()}")
        return list(published())

    async def code_actions(
        self, uri: str, where: types.Range, only: Optional[List[str]] = None
    ) -> List[types.CodeAction]:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
        return await self.client.text_document_code_action_async(params) or []

    def apply(self, uri: str, edit: types.WorkspaceEdit) -> str:
        """The document's text after a workspace edit (ASCII text: UTF-16 columns are code points)."""
        (change,) = edit.document_changes
        assert change.text_document.uri == uri and change.text_document.version == self.versions[uri]
        lines = self.texts[uri].splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))

        def offset(position: types.Position) -> int:
            return starts[min(position.line, len(lines))] + position.character

        text = self.texts[uri]
        for found in sorted(change.edits, key=lambda e: offset(e.range.start), reverse=True):
            text = text[: offset(found.range.start)] + found.new_text + text[offset(found.range.end):]
        return text


async def wait_until(condition: Callable[[], bool], state: Callable[[], str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last state: {state()}")
        await asyncio.sleep(0.02)


def codes(found: Sequence[types.Diagnostic]) -> List[str]:
    return sorted(str(d.code) for d in found)


def has(*wanted: str) -> Expectation:
    return lambda found: codes(found) == sorted(wanted)


async def test_open_publishes_what_the_cli_reports(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("app.py", BLOCKING_APP)
    uri = editor.open("app.py")
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    assert found.source == "fastapi-asynclint"
    assert found.severity == types.DiagnosticSeverity.Warning
    assert found.code_description.href.endswith("/FAL101.md")
    # 0-based: `time.sleep(1)` is on line 9, column 5 in the CLI's 1-based text output.
    assert found.range == types.Range(
        start=types.Position(line=8, character=4),
        end=types.Position(line=8, character=17),
    )
    cli = Cli(project)
    printed = json.loads(cli("check", "--no-cache", "--output-format", "lsp", "app.py").stdout)
    assert printed == {uri: [default_converter().unstructure(found)]}


async def test_indirect_finding_points_at_the_helper(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("services.py", HELPER_BLOCKING)
    editor.write("main.py", ROUTE_USING_HELPER)
    uri = editor.open("main.py")
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    assert "fetch()" in found.message
    (related,) = found.related_information
    assert related.location.uri == editor.uri("services.py")
    assert related.location.range.start.line == 4  # `time.sleep(1)` in `fetch`, 0-based
    assert "time.sleep" in related.message


async def test_change_that_removes_the_bug_clears_it_and_no_stale_result_follows(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    uri = editor.open("app.py", BLOCKING_APP)
    await editor.diagnostics(uri, has("FAL101"))
    editor.change(uri, BLOCKING_APP.replace("    time.sleep(1)\n", "    time.sleep(1)\n    time.sleep(2)\n"))
    editor.change(uri, CLEAN_APP)
    await editor.diagnostics(uri, has())
    await asyncio.sleep(0.5)
    assert codes(client.diagnostics[uri]) == []


async def test_close_clears(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    uri = editor.open("app.py", BLOCKING_APP)
    await editor.diagnostics(uri, has("FAL101"))
    editor.close(uri)
    await editor.diagnostics(uri, has())


async def test_quick_fix_noqa_and_fix_all(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    uri = editor.open("app.py", BLOCKING_APP)
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    actions = await editor.code_actions(uri, found.range)
    fix, noqa = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert fix.title == "FAL101: Replace with `await asyncio.sleep(...)`"
    assert fix.is_preferred and fix.diagnostics[0].code == "FAL101"
    fixed = editor.apply(uri, fix.edit)
    assert "    await asyncio.sleep(1)\n" in fixed and "import asyncio\n" in fixed
    assert "    time.sleep(1)  # noqa: FAL101\n" in editor.apply(uri, noqa.edit)

    (fix_all,) = await editor.code_actions(uri, found.range, only=[types.CodeActionKind.SourceFixAll])
    assert fix_all.kind == "source.fixAll.fastapi-asynclint"
    resolved = await client.code_action_resolve_async(fix_all)
    assert editor.apply(uri, resolved.edit) == fixed


async def test_noqa_action_merges_with_an_existing_comment(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    uri = editor.open("app.py", BLOCKING_APP.replace("time.sleep(1)\n", "time.sleep(1)  # noqa: FAL102\n"))
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    (noqa,) = [a for a in await editor.code_actions(uri, found.range) if "noqa" in a.title]
    assert "    time.sleep(1)  # noqa: FAL101, FAL102\n" in editor.apply(uri, noqa.edit)


async def test_unsafe_fixes_are_labelled_and_display_only_fixes_not_offered(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("services.py", HELPER_BLOCKING)
    uri = editor.open("main.py", ROUTE_USING_HELPER)
    (indirect,) = await editor.diagnostics(uri, has("FAL101"))
    fix = next(a for a in await editor.code_actions(uri, indirect.range) if "noqa" not in a.title)
    assert fix.title.endswith("(unsafe)") and not fix.is_preferred
    assert "async def" not in editor.apply(uri, fix.edit)
    # fixAll applies safe fixes only: an unsafe fix alone offers nothing.
    assert await editor.code_actions(uri, indirect.range, only=[types.CodeActionKind.SourceFixAll]) == []

    cached = editor.open("cached.py", CACHED_COROUTINE)
    (display_only,) = await editor.diagnostics(cached, has("FAL501"))
    titles = [a.title for a in await editor.code_actions(cached, display_only.range)]
    assert titles == ["FAL501: ignore on this line (`# noqa: FAL501`)"]


async def test_hover_shows_the_rule_documentation(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    uri = editor.open("app.py", BLOCKING_APP)
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    document = types.TextDocumentIdentifier(uri=uri)
    on_finding = types.HoverParams(text_document=document, position=found.range.start)
    hover = await client.text_document_hover_async(on_finding)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert rule_markdown("FAL101").strip() in hover.contents.value
    assert hover.range == found.range
    elsewhere = types.HoverParams(text_document=document, position=types.Position(line=0, character=0))
    assert await client.text_document_hover_async(elsewhere) is None


async def test_helper_changed_on_disk_rediagnoses_open_importer(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("services.py", HELPER_CLEAN)
    uri = editor.open("main.py", ROUTE_USING_HELPER)
    await editor.diagnostics(uri, has())
    assert [r.method for r in client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    helper = editor.write("services.py", HELPER_BLOCKING)
    change = types.FileEvent(uri=helper, type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    await editor.diagnostics(uri, has("FAL101"))


async def test_helper_edited_and_saved_rediagnoses_open_importer(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("services.py", HELPER_BLOCKING)
    uri = editor.open("main.py", ROUTE_USING_HELPER)
    await editor.diagnostics(uri, has("FAL101"))
    helper = editor.open("services.py")
    editor.change(helper, HELPER_CLEAN)
    editor.save(helper)
    await editor.diagnostics(uri, has())


async def test_syntax_error_is_fal900_and_the_server_keeps_serving(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    broken = editor.open("broken.py", "async def index(:\n    pass\n")
    (found,) = await editor.diagnostics(broken, has("FAL900"))
    assert found.severity == types.DiagnosticSeverity.Error
    uri = editor.open("app.py", BLOCKING_APP)
    await editor.diagnostics(uri, has("FAL101"))


async def test_a_crashing_lint_is_logged_and_the_server_keeps_serving(crashing_client: LanguageClient, project: Path):
    editor = Editor(crashing_client, project)
    editor.open("crash.py", BLOCKING_APP)
    uri = editor.open("app.py", BLOCKING_APP)
    await editor.diagnostics(uri, has("FAL101"))
    errors = [m.message for m in crashing_client.log_messages if m.type == types.MessageType.Error]
    assert any("crash.py failed" in message and "a rule exploded" in message for message in errors)
    assert editor.uri("crash.py") not in crashing_client.diagnostics


async def test_positions_follow_the_negotiated_encoding(utf8_client: LanguageClient, project: Path):
    editor = Editor(utf8_client, project)
    uri = editor.open("app.py", BLOCKING_APP.replace("    time.sleep(1)", '    label = "é"; time.sleep(1)'))
    (found,) = await editor.diagnostics(uri, has("FAL101"))
    # `é` is two UTF-8 code units: `time` starts at byte 18 of the line, code point 17.
    assert (found.range.start.character, found.range.end.character) == (18, 31)


async def test_configuration_error_is_shown_and_a_saved_fix_applies(client: LanguageClient, project: Path):
    editor = Editor(client, project)
    editor.write("pyproject.toml", '[tool.fastapi-asynclint]\nselekt = ["FAL1"]\n')
    uri = editor.open("app.py", BLOCKING_APP)
    await wait_until(lambda: any("selekt" in m.message for m in client.messages), lambda: str(client.messages))
    assert uri not in client.diagnostics
    config = editor.open("pyproject.toml", '[tool.fastapi-asynclint]\nselect = ["FAL1"]\n', language_id="toml")
    editor.save(config)
    await editor.diagnostics(uri, has("FAL101"))
    assert config not in client.diagnostics  # not Python: never linted

