"""`fastapi-asynclint server`: the language server (LSP over stdio, built on pygls).

Diagnostics come from the same engine and configuration as `fastapi-asynclint check`, run on the editor's
unsaved buffers through a long-lived `Workspace` per project (the nearest pyproject.toml), and are shaped
by the same code as `--output-format lsp`. Code actions offer each finding's fix (safe ones preferred,
unsafe ones labelled, display-only ones never as an edit), a `# noqa: CODE` comment, and
`source.fixAll.fastapi-asynclint` (safe fixes, the CLI's fix loop). Hovering a finding shows its rule's
documentation.

Linting runs on one worker thread, off the event loop: the workspace index is shared state, and one
worker finishes lints in the order they were started. A result is published only if the document is
still at the version that was linted; a newer version's lint is already queued.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from fastapi_asynclint import __version__
from fastapi_asynclint.add_noqa import add_noqa_to_text
from fastapi_asynclint.diagnostics import Applicability, Diagnostic, Edit, Location
from fastapi_asynclint.fixes import fix_text
from fastapi_asynclint.output.common import SourceLines
from fastapi_asynclint.output.lsp_format import SOURCE, lsp_diagnostic, text_edit
from fastapi_asynclint.rule_docs import rule_markdown
from fastapi_asynclint.settings import ConfigError, Settings, build_settings
from fastapi_asynclint.source import split_lines
from fastapi_asynclint.workspace import Workspace

log = logging.getLogger("fastapi_asynclint.server")

# Long enough to skip the keystrokes of a burst of typing, short enough to feel immediate.
DEBOUNCE_SECONDS = 0.1
FIX_ALL_KIND = f"source.fixAll.{SOURCE}"
CONFIG_FILE = "pyproject.toml"
_UTF16 = PositionCodec(types.PositionEncodingKind.Utf16)
T = TypeVar("T")


# ---------------------------------------------------------------------------- projects (worker thread only)
def _is_under(path: str, root: Path) -> bool:
    try:
        Path(path).relative_to(root)
        return True
    except ValueError:
        return False


def _cache_for(settings: Settings):
    if settings.cache_dir is None:
        return None
    from fastapi_asynclint.cache import Cache

    return Cache(settings.cache_dir, settings.root)


class Projects:
    """One `Workspace` per project root, configured as the CLI would be for a file in it."""

    def __init__(self) -> None:
        self._workspaces: Dict[Path, Workspace] = {}

    def for_document(self, path: str, open_texts: Dict[str, str]) -> Workspace:
        # Settings are re-read every time (a few stat calls and one small TOML file), so an edited
        # pyproject.toml applies at the next lint even in editors that do not report file changes.
        settings = build_settings(Path(path))
        workspace = self._workspaces.get(settings.root)
        if workspace is None or workspace.settings != settings:
            workspace = self._workspaces[settings.root] = Workspace(settings, _cache_for(settings))
            for other, text in open_texts.items():
                if other != path and _is_under(other, settings.root):
                    workspace.set_text(other, text)  # a fresh index must see the other unsaved buffers
        return workspace

    def _containing(self, path: str) -> List[Workspace]:
        return [workspace for root, workspace in self._workspaces.items() if _is_under(path, root)]

    def file_changed(self, path: str) -> Set[str]:
        """A file changed on disk; the files whose findings may change."""
        return {affected for workspace in self._containing(path) for affected in workspace.file_changed(path)}

    def closed(self, path: str) -> Set[str]:
        """A buffer was closed: its file on disk counts again."""
        return {affected for workspace in self._containing(path) for affected in workspace.set_text(path, None)}


@dataclass
class LintResult:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    # Other files whose findings may have changed with this text (its importers).
    affected: Set[str] = field(default_factory=set)
    problems: List[Tuple[types.MessageType, str]] = field(default_factory=list)
    config_error: Optional[str] = None
    failed: bool = False


def lint_buffer(projects: Projects, path: str, text: str, open_texts: Dict[str, str]) -> LintResult:
    """Lint one buffer; any failure becomes a problem to log, never an exception that stops the server."""
    result = LintResult()
    try:
        workspace = projects.for_document(path, open_texts)
        result.affected = workspace.set_text(path, text)
        outcome = workspace.lint(path, text)
    except ConfigError as exc:
        result.failed = True
        result.config_error = f"configuration error: {exc}"
        result.problems.append((types.MessageType.Error, result.config_error))
        return result
    except Exception:  # noqa: BLE001 - one bad lint must not take the editor's linter down
        result.failed = True
        result.problems.append((types.MessageType.Error, f"linting {path} failed:\n{traceback.format_exc()}"))
        return result
    result.diagnostics = outcome.diagnostics
    result.problems.extend((types.MessageType.Error, error) for error in outcome.errors)
    return result


def fix_all_text(projects: Projects, path: str, text: str, open_texts: Dict[str, str]) -> str:
    """The buffer with every safe fix applied, by the fix loop `check --fix` uses."""
    workspace = projects.for_document(path, open_texts)
    # Candidates are linted without becoming the buffer: it changes only when the client applies the edit.
    return fix_text(text, lambda candidate: workspace.lint_candidate(path, candidate).diagnostics, False, path).text


# ---------------------------------------------------------------------------- positions and edits
def _before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) <= (b.line, b.character)


def _overlaps(found: types.Range, wanted: types.Range) -> bool:
    return _before(found.start, wanted.end) and _before(wanted.start, found.end)


def _end_of(text: str, codec: PositionCodec) -> types.Position:
    lines = split_lines(text)
    return types.Position(line=len(lines) - 1, character=codec.client_num_units(lines[-1]))


def _noqa_edit(text: str, diagnostic: Diagnostic) -> Optional[Edit]:
    """Replace the reported line (or the one its noqa belongs on) by itself plus `# noqa: CODE`."""
    row = diagnostic.noqa_row or diagnostic.location.row
    lines = split_lines(text)
    if diagnostic.code.startswith("FAL9") or not 0 < row <= len(lines):
        return None  # a file that does not parse cannot be annotated line by line
    # The whole text, not the line alone: whether a `#` starts a comment depends on the lines around it.
    annotated = split_lines(add_noqa_to_text(text, {row: {diagnostic.code}}))
    line = lines[row - 1]
    if len(annotated) != len(lines) or annotated[row - 1] == line:
        return None
    return Edit(annotated[row - 1], Location(row, 1), Location(row, len(line) + 1))


def _is_python(document: TextDocument) -> bool:
    """Only Python files on disk are linted, whatever else the client opens (pyproject.toml, untitled buffers)."""
    return document.uri.startswith("file:") and (document.language_id == "python" or document.path.endswith(".py"))


def _kind_value(kind: Any) -> str:
    return str(getattr(kind, "value", kind))  # CodeActionKind members format as "CodeActionKind.QuickFix"


def _kind_wanted(kind: Any, only: Optional[Sequence[Any]]) -> bool:
    """Whether a code action kind was asked for: `only` holds kinds or their prefixes ("source.fixAll")."""
    kind = _kind_value(kind)
    return not only or any(kind == _kind_value(w) or kind.startswith(f"{_kind_value(w)}.") for w in only)


@dataclass
class Linted:
    """What was published for one version of a document, kept for code actions and hover."""

    version: Optional[int]
    path: str
    text: str
    findings: List[Tuple[Diagnostic, types.Diagnostic]]


# ---------------------------------------------------------------------------- the server
class AsyncLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.projects = Projects()
        self.linted: Dict[str, Linted] = {}
        self._debouncing: Dict[str, asyncio.Task] = {}
        self._tasks: Set[asyncio.Task] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fastapi-asynclint-lint")
        self._converter = default_converter()
        self._config_error_shown: Optional[str] = None
        # Whether the client asked to shut down, and to exit: the exit code the LSP spec asks for.
        self.shut_down = False
        self.exit_asked = False

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    # ------------------------------------------------------------------ plumbing
    async def in_worker(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, functools.partial(function, *args))

    def spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    def log(self, kind: types.MessageType, message: str) -> None:
        (log.error if kind == types.MessageType.Error else log.info)("%s", message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def show_config_error(self, message: Optional[str]) -> None:
        """A broken pyproject.toml stops linting: say so in the editor, once per distinct error."""
        if message and message != self._config_error_shown:
            shown = types.ShowMessageParams(type=types.MessageType.Error, message=f"{SOURCE}: {message}")
            self.window_show_message(shown)
        self._config_error_shown = message

    def document(self, uri: str) -> Optional[TextDocument]:
        """An open Python document."""
        document = self.workspace.text_documents.get(uri)
        return document if document is not None and _is_python(document) else None

    def documents(self) -> Dict[str, TextDocument]:
        return {uri: document for uri, document in self.workspace.text_documents.items() if _is_python(document)}

    def open_texts(self) -> Dict[str, str]:
        return {document.path: document.source for document in self.documents().values()}

    # ------------------------------------------------------------------ diagnostics
    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """Lint a document after `delay` seconds; a newer change restarts the wait (the debounce)."""
        self.cancel_pending(uri)
        task = asyncio.ensure_future(self._diagnose_after(uri, delay))
        self._debouncing[uri] = task

    def cancel_pending(self, uri: str) -> None:
        waiting = self._debouncing.pop(uri, None)
        if waiting is not None:
            waiting.cancel()

    async def _diagnose_after(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._debouncing.get(uri) is asyncio.current_task():
            del self._debouncing[uri]  # from here on a newer change no longer cancels this lint
        await self.diagnose(uri)

    async def diagnose(self, uri: str) -> None:
        """Lint an open document's current text and publish the findings if it is still at that version."""
        document = self.document(uri)
        if document is None:
            return
        version, text, path = document.version, document.source, document.path
        result = await self.in_worker(lint_buffer, self.projects, path, text, self.open_texts())
        for kind, message in result.problems:
            self.log(kind, message)
        self.show_config_error(result.config_error)
        self.rediagnose(result.affected - {path})
        current = self.document(uri)
        if result.failed or current is None or current.version != version:
            return
        self.publish(uri, version, path, text, result.diagnostics)

    def rediagnose(self, paths: Set[str]) -> None:
        """Lint again the open documents among `paths` (their findings depend on a file that changed)."""
        for uri, document in self.documents().items():
            if document.path in paths:
                self.schedule(uri)

    def publish(self, uri: str, version: Optional[int], path: str, text: str, diagnostics: List[Diagnostic]) -> None:
        lines = SourceLines({path: text})
        buffer_lines = split_lines(text)
        findings = [(d, self.lsp_diagnostic(d, lines, buffer_lines)) for d in diagnostics]
        self.linted[uri] = Linted(version, path, text, findings)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[found for _, found in findings])
        )

    def clear(self, uri: str) -> None:
        self.cancel_pending(uri)
        self.linted.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def current(self, uri: str) -> Optional[Linted]:
        """The findings for the document's current version, linting it now if a lint is still pending."""
        document = self.document(uri)
        if document is None:
            return None
        linted = self.linted.get(uri)
        if linted is None or linted.version != document.version:
            self.cancel_pending(uri)
            await self.diagnose(uri)
            linted = self.linted.get(uri)
        return linted if linted is not None and linted.version == document.version else None

    # ------------------------------------------------------------------ LSP shapes
    def to_client(self, found: types.Range, lines: Sequence[str]) -> types.Range:
        """lsp_format speaks UTF-16 (the LSP default); re-encode if the client negotiated UTF-8 or UTF-32."""
        codec = self.workspace.position_codec
        if codec.encoding == types.PositionEncodingKind.Utf16:
            return found
        return codec.range_to_client_units(lines, _UTF16.range_from_client_units(lines, found))

    def lsp_diagnostic(self, d: Diagnostic, lines: SourceLines, buffer_lines: Sequence[str]) -> types.Diagnostic:
        published = self._converter.structure(lsp_diagnostic(d, lines), types.Diagnostic)
        published.range = self.to_client(published.range, buffer_lines)
        return published

    def text_edit(self, edit: Edit, path: str, text: str) -> types.TextEdit:
        found = self._converter.structure(text_edit(SourceLines({path: text}), path, edit), types.TextEdit)
        found.range = self.to_client(found.range, split_lines(text))
        return found

    def workspace_edit(self, uri: str, version: Optional[int], edits: List[types.TextEdit]) -> types.WorkspaceEdit:
        if self._client_supports("workspace.workspace_edit.document_changes"):
            # Versioned: the client refuses the edit if the buffer changed since these ranges were computed.
            document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])
        return types.WorkspaceEdit(changes={uri: edits})

    def _client_supports(self, dotted: str) -> bool:
        value: Any = self.client_capabilities
        for name in dotted.split("."):
            value = getattr(value, name, None)
            if value is None:
                return False
        return bool(value)

    def resolves_edits(self) -> bool:
        support = self._client_supports("text_document.code_action.resolve_support")
        properties = support and self.client_capabilities.text_document.code_action.resolve_support.properties
        return bool(properties) and "edit" in properties

    # ------------------------------------------------------------------ code actions
    def quick_fix(
        self, uri: str, linted: Linted, d: Diagnostic, published: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        if d.fix is None or d.fix.applicability is Applicability.DISPLAY_ONLY:
            return None
        unsafe = d.fix.applicability is Applicability.UNSAFE
        edits = [self.text_edit(edit, d.filename, linted.text) for edit in d.fix.edits]
        return types.CodeAction(
            title=f"{d.code}: {d.fix.message}" + (" (unsafe)" if unsafe else ""),
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[published],
            is_preferred=not unsafe,
            edit=self.workspace_edit(uri, linted.version, edits),
        )

    def noqa_action(
        self, uri: str, linted: Linted, d: Diagnostic, published: types.Diagnostic
    ) -> Optional[types.CodeAction]:
        edit = _noqa_edit(linted.text, d)
        if edit is None:
            return None
        return types.CodeAction(
            title=f"{d.code}: ignore on this line (`# noqa: {d.code}`)",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[published],
            edit=self.workspace_edit(uri, linted.version, [self.text_edit(edit, d.filename, linted.text)]),
        )

    async def fix_all_edit(self, uri: str, linted: Linted) -> Optional[types.WorkspaceEdit]:
        try:
            fixed = await self.in_worker(fix_all_text, self.projects, linted.path, linted.text, self.open_texts())
        except Exception:  # noqa: BLE001 - no edit is offered, and the server keeps serving
            self.log(types.MessageType.Error, f"fixing {linted.path} failed:\n{traceback.format_exc()}")
            return None
        if fixed == linted.text:
            return None
        end = _end_of(linted.text, self.workspace.position_codec)
        whole = types.Range(start=types.Position(line=0, character=0), end=end)
        return self.workspace_edit(uri, linted.version, [types.TextEdit(range=whole, new_text=fixed)])

    async def fix_all_action(self, uri: str, linted: Linted) -> Optional[types.CodeAction]:
        fixable = any(d.fix is not None and d.fix.applicability is Applicability.SAFE for d, _ in linted.findings)
        if not fixable:
            return None
        action = types.CodeAction(
            title="fastapi-asynclint: fix all safely fixable problems",
            kind=FIX_ALL_KIND,
            data={"uri": uri, "version": linted.version},
        )
        if not self.resolves_edits():
            # The client cannot ask for the edit later, so the fix loop runs now.
            action.edit = await self.fix_all_edit(uri, linted)
            if action.edit is None:
                return None
        return action

    async def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri, only = params.text_document.uri, params.context.only
        linted = await self.current(uri)
        if linted is None:
            return []
        actions: List[Optional[types.CodeAction]] = []
        if _kind_wanted(types.CodeActionKind.QuickFix, only):
            for d, published in linted.findings:
                if _overlaps(published.range, params.range):
                    actions += [self.quick_fix(uri, linted, d, published), self.noqa_action(uri, linted, d, published)]
        if _kind_wanted(FIX_ALL_KIND, only):
            actions.append(await self.fix_all_action(uri, linted))
        return [action for action in actions if action is not None]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        linted = await self.current(uri) if action.kind == FIX_ALL_KIND and uri else None
        if linted is not None and linted.version == data.get("version"):
            action.edit = await self.fix_all_edit(uri, linted)
        return action

    # ------------------------------------------------------------------ hover
    async def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        linted = await self.current(params.text_document.uri)
        if linted is None:
            return None
        here = types.Range(start=params.position, end=params.position)
        hits = [(d, published) for d, published in linted.findings if _overlaps(published.range, here)]
        if not hits:
            return None
        messages = [f"**{d.code}** {d.message}" for d, _ in hits]
        docs = [rule_markdown(code) for code in dict.fromkeys(d.code for d, _ in hits)]
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(messages + docs)),
            range=hits[0][1].range,
        )

    # ------------------------------------------------------------------ file changes
    async def after_close(self, path: str) -> None:
        self.rediagnose(await self.in_worker(self.projects.closed, path))

    async def files_changed(self, paths: List[str]) -> None:
        if any(Path(path).name == CONFIG_FILE for path in paths):
            self.rediagnose({document.path for document in self.documents().values()})
        affected: Set[str] = set()
        for path in paths:
            if path.endswith(".py"):
                affected |= await self.in_worker(self.projects.file_changed, path)
        self.rediagnose(affected)

    async def watch_files(self) -> None:
        """Ask the client to report changes to Python files and configuration made outside the editor."""
        if not self._client_supports("workspace.did_change_watched_files.dynamic_registration"):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in ("**/*.py", f"**/{CONFIG_FILE}")]
        registration = types.Registration(
            id=f"{SOURCE}-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as exc:  # noqa: BLE001 - without watchers, saves in the editor still re-lint
            log.info("the client did not register file watchers: %s", exc)


# ---------------------------------------------------------------------------- handlers
def create_server() -> AsyncLintServer:
    server = AsyncLintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: AsyncLintServer, params: types.InitializedParams) -> None:
        ls.spawn(ls.watch_files())

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AsyncLintServer, params: None) -> None:
        ls.shut_down = True

    @server.feature(types.EXIT)
    def exit_asked(ls: AsyncLintServer, params: None) -> None:
        ls.exit_asked = True

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AsyncLintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and Path(path).name == CONFIG_FILE:
            ls.spawn(ls.files_changed([path]))  # the configuration changed: every open file may lint differently
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)
        path = to_fs_path(params.text_document.uri)
        if path and path.endswith(".py"):
            ls.spawn(ls.after_close(path))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: AsyncLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path for path in (to_fs_path(change.uri) for change in params.changes) if path]
        ls.spawn(ls.files_changed(paths))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True),
    )
    async def code_action(ls: AsyncLintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: AsyncLintServer, params: types.CodeAction) -> types.CodeAction:
        return await ls.resolve(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: AsyncLintServer, params: types.HoverParams) -> Optional[types.Hover]:
        return await ls.hover(params)

    return server


def main() -> None:
    # stdout carries the protocol: every log line goes to stderr (editors show it in their LSP log).
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=f"{SOURCE} server: %(levelname)s %(message)s")
    server = create_server()
    server.start_io()
    # The LSP spec: 0 after `shutdown` then `exit`, 1 for an `exit` without it (pygls ends its loop either
    # way). The end of the input without `exit` is no error of the client's.
    sys.exit(1 if server.exit_asked and not server.shut_down else 0)
