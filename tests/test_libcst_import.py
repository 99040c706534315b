"""libcst imported with its dataclass methods compiled once per machine (libcst_import.py) behaves as
libcst imported plainly. Each case runs in a fresh interpreter: this one imported libcst long ago."""

from __future__ import annotations

import marshal
import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """\
    import dataclasses, sys
    from pathlib import Path
    from fastapi_asynclint.libcst_import import import_libcst

    import_libcst(Path(sys.argv[1]))
    import libcst as cst
    from libcst.metadata import MetadataWrapper, QualifiedNameProvider

    assert "exec" not in vars(dataclasses), "the lookup must not outlive the import"
    module = cst.parse_module("import time\\nasync def f():\\n    time.sleep(1)\\n")
    assert module.code == "import time\\nasync def f():\\n    time.sleep(1)\\n"
    assert cst.Name("x").deep_equals(cst.Name("x")) and not cst.Name("x").deep_equals(cst.Name("y"))
    assert cst.metadata.CodeRange(cst.metadata.CodePosition(1, 0), cst.metadata.CodePosition(1, 2)) == cst.metadata.CodeRange(
        cst.metadata.CodePosition(1, 0), cst.metadata.CodePosition(1, 2)
    )
    assert repr(cst.Name("x")).startswith("Name(")
    try:
        cst.Name("x").value = "y"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("frozen nodes stay frozen")
    wrapper = MetadataWrapper(module)
    call = wrapper.module.body[1].body.body[0].body[0].value
    assert {name.name for name in wrapper.resolve(QualifiedNameProvider)[call.func]()} == {"time.sleep"}
    print(cst.Name.__init__.__code__.co_filename, cst.Name.__init__.__qualname__)
    """
)


def _probe(folder: Path) -> str:
    run = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _plain() -> str:
    code = "import libcst as cst; print(cst.Name.__init__.__code__.co_filename, cst.Name.__init__.__qualname__)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout


def test_the_compiled_methods_are_kept_and_reused(tmp_path):
    first = _probe(tmp_path)
    stores = list(tmp_path.glob("dataclass-code-*.marshal"))
    assert len(stores) == 1
    compiled = marshal.loads(stores[0].read_bytes())
    assert len(compiled) > 500 and all(source.startswith("def __create_fn__(") for source in compiled)
    before = stores[0].stat().st_mtime_ns
    assert _probe(tmp_path) == first == _plain()
    assert stores[0].stat().st_mtime_ns == before, "nothing new to compile: the store is not written again"


def test_a_damaged_store_is_compiled_again(tmp_path):
    _probe(tmp_path)
    store = next(tmp_path.glob("dataclass-code-*.marshal"))
    store.write_bytes(b"\x00garbage")
    _probe(tmp_path)
    assert len(marshal.loads(store.read_bytes())) > 500


def test_an_unwritable_folder_still_imports(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    _probe(blocked / "cache")
