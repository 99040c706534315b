"""A run that took over the last run's link state and resolutions answers the edited file's fingerprint
without unpickling the modules its calls and parameters lead into, and gets the fingerprint an index
built from scratch gets: an undecorated callee is neither offloaded nor dispatched (FunctionRef.decorated),
and dependency aliases followed before are kept with the resolutions."""


from fastapi_asynclint.cache import read_back
from fastapi_asynclint.catalog import build_catalog
from fastapi_asynclint.index.build import summarize_bytes
from fastapi_asynclint.index.project import ProjectIndex, SummaryTable

SOURCES = {
    "helpers": "def load(path):\n    return path.upper()\n",
    "offload": (
        "from starlette.concurrency import run_in_threadpool\n\n"
        "def to_thread(function):\n    return function\n\n"
        "@to_thread\ndef render(name):\n    return open(name).read()\n"
    ),
    "deps": "def get_db():\n    yield 1\n",
    "unrelated": "import time\n\ndef nap():\n    time.sleep(1)\n",
    "aliases": "from typing import Annotated\nfrom fastapi import Depends\nfrom deps import get_db\n\nDb = Annotated[int, Depends(get_db)]\n",
    "app": (
        "from fastapi import FastAPI\nfrom helpers import load\nfrom offload import render\nfrom aliases import Db\n\n"
        "app = FastAPI()\n\n@app.get('/')\nasync def index(db: Db):\n    render('x')\n    return load('x')\n"
    ),
}


def _files(stored: bool):
    files = {f"{name}.py": summarize_bytes(text.encode(), name, False) for name, text in SOURCES.items()}
    if stored:  # as the cache gives them back: each summary pickled until read
        files = read_back(files)
    return files


def _index(files) -> ProjectIndex:
    table = SummaryTable(files, {path: path[:-3] for path in files})
    facts = {path: found.facts for path, found in files.items()}
    shapes = {path: found.shape for path, found in files.items()}
    return ProjectIndex(table, build_catalog((), ()), facts=facts, shapes=shapes)


def test_a_kept_link_answers_the_fingerprint_without_reading_the_callees():
    first = _index(_files(stored=False))
    app = first.summaries["app.py"]
    expected = first.file_fingerprint(app)
    first.witnesses
    # What the cache keeps (the link state, the models and their parts, the resolutions), read back.
    state = read_back(first.link_state())
    models = read_back(first.stored_models())
    resolutions = read_back(first.resolutions())
    assert resolutions["aliases"], "the fingerprint followed the Db alias"

    files = _files(stored=True)
    later = _index(files)
    later.adopt_link_state(state)
    later.adopt_resolutions(resolutions)
    assert later.adopt_models(models)
    assert later.file_fingerprint(later.summaries["app.py"]) == expected
    assert files["helpers.py"]._stored is not None, "an undecorated callee's module stays pickled"
    assert files["aliases.py"]._stored is not None, "a dependency alias followed before is not followed again"
    assert files["offload.py"]._stored is None, "a decorated callee's decorators are read"


def test_a_recorded_fingerprint_keeps_what_answering_it_again_needs_and_no_more():
    first = _index(_files(stored=False))
    expected = first.file_fingerprint(first.summaries["app.py"])
    fresh = _index(_files(stored=False))
    found, record = fresh.recorded_fingerprint(fresh.summaries["app.py"])
    assert found == expected
    assert "helpers.load" in record["targets"] and record["aliases"]
    assert "time.sleep" not in record["targets"], "the fixpoint's resolutions are not the file's"
    state = read_back(fresh.link_state())
    models = read_back(fresh.stored_models())

    files = _files(stored=True)
    later = _index(files)
    later.adopt_link_state(state)
    assert later.adopt_models(models)
    later.adopt_resolutions(read_back(record))
    before = later.resolution_count()
    assert later.file_fingerprint(later.summaries["app.py"]) == expected
    assert later.resolution_count() == before, "nothing resolved again"
    assert files["helpers.py"]._stored is not None and files["aliases.py"]._stored is not None


def test_decorated_names_the_definition_the_index_reads():
    """A name defined twice: the index reads the last definition (functions_of), so does `decorated`."""
    source = (
        "import os\n\nif os.environ.get('X'):\n    def work():\n        pass\n"
        "else:\n    @staticmethod\n    def work():\n        pass\n"
    )
    found = summarize_bytes(source.encode(), "twice", False)
    index = _index({"twice.py": found})
    summary = index.summaries["twice.py"]
    first = next(function for function in summary.functions if function.qualname == "work")
    assert not first.decorators
    assert index.ref(summary, first).decorated
