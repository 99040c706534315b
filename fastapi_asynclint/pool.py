"""Fan per-file work out over worker processes, results in order whatever the number of workers.

Workers are forked after the parent has built what they share (the linked index), so it is shared
copy-on-write and never pickled. A worker handles one heavy file or a few chunks of light ones and is
then replaced by a fresh fork: its heap only grows (libcst trees, pages of the shared index it touched).

Replacements are forked by the pool's own thread while the parent reads results: the caller imports
every module the results are made of first (`fan_out`'s `imports`), or the parent could be importing one
as a worker is forked, and the worker would inherit the import's lock, held forever.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48

# Set in the parent before workers fork: what every worker reads (the linked index, the settings).
SHARED: Dict[str, object] = {}


# Work goes to the workers in chunks of so many files or bytes of source, and a worker process is replaced
# after so many chunks (see _tasks): at most 96 files, or about 600 kB of source unless its files are larger.
# A fork costs little; fewer chunks per worker keep its heap, and so the peak memory, smaller.
_CHUNK_FILES = 48
_CHUNK_BYTES = 300_000
_CHUNKS_PER_WORKER = 2
# The cyclic collector's youngest-generation threshold in every process of a run (Python's is 700). A run
# allocates millions of objects and almost no cycles: most live to its end (summaries, the index, cached
# records), the rest die young (libcst and ast nodes). At 700 the collector walks the growing heap
# hundreds of times; on a large project that was a fifth of a run after an edit.
_GC_THRESHOLD = 20_000


def tune_collector() -> None:
    import gc

    gc.set_threshold(_GC_THRESHOLD, 20, 20)


def _worker_count(jobs: Optional[int], tasks: int) -> int:
    available = jobs or os.cpu_count() or 1
    return max(1, min(available, tasks))


def _pool(workers: int, heavy_slots: int) -> Optional[Pool]:
    if workers <= 1:
        return None
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods:
        return None  # without fork the index would have to be pickled to every worker: stay in-process
    import gc

    # Workers share the parent's index copy-on-write; a frozen heap is not walked by their collectors,
    # so those pages stay shared instead of being copied into every worker.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    # A worker's heap only grows (libcst trees, whose freed memory the allocator keeps; pages of the
    # shared index it touched and so copied): each handles one task (one heavy file, or a few chunks)
    # and is replaced by a fresh fork, which starts again from the parent's shared pages.
    return context.Pool(workers, initializer=_start_worker, initargs=(context.Semaphore(heavy_slots),), maxtasksperchild=1)


# In a worker: the slots for heavy files (see _heavy_slots), shared by all the pool's workers.
_HEAVY_SLOTS = None


def _start_worker(heavy_slots) -> None:
    global _HEAVY_SLOTS
    _HEAVY_SLOTS = heavy_slots
    tune_collector()  # the parent may be a caller of the runner that never tuned it (tests)


def _run_task(function: Callable, task: Tuple[bool, Sequence]) -> List:
    heavy, chunk = task
    with _HEAVY_SLOTS if heavy and _HEAVY_SLOTS is not None else nullcontext():
        return [function(item) for item in chunk]


def _heavy_slots(workers: int) -> int:
    """How many workers may hold a heavy file (_CHUNK_BYTES or more) at a time: half of them. Two workers
    each holding the tree of a 20,000-line file were a large project's memory peak."""
    return max(1, workers // 2)


def fan_out(
    function: Callable,
    items: Sequence,
    jobs: Optional[int],
    progress=None,
    weights: Optional[Sequence[int]] = None,
    imports: Sequence[str] = (),
) -> List:
    """`map` over processes when there is enough work, in order. `weights` (bytes of source per item)
    size the chunks, and so how much one worker process handles before it is replaced. `progress(done,
    total)` is told as results come in. `imports`: the modules the results are made of (see above)."""
    import importlib

    for module in imports:
        importlib.import_module(module)
    results: List = []
    workers = _worker_count(jobs, len(items)) if len(items) >= PARALLEL_THRESHOLD else 1
    pool = _pool(workers, _heavy_slots(workers))
    if pool is None:
        for number, item in enumerate(items, 1):
            results.append(function(item))
            if progress:
                progress(number, len(items))
        return results
    from functools import partial

    tasks = _tasks(list(range(len(items))), weights, workers)
    done: Dict[int, object] = {}
    with pool:
        work = [(heavy, [items[number] for number in numbers]) for heavy, numbers in tasks]
        for (_, numbers), task_results in zip(tasks, pool.imap(partial(_run_task, function), work)):
            done.update(zip(numbers, task_results))
            if progress:
                progress(len(done), len(items))
    return [done[number] for number in range(len(items))]


def _tasks(numbers: List[int], weights: Optional[Sequence[int]], workers: int) -> List[Tuple[bool, List[int]]]:
    """What each worker process does before it is replaced: one heavy file, or up to _CHUNKS_PER_WORKER
    chunks of the others. The heavy files come first, largest first, each followed by as much other work
    as the workers that are not on a heavy file can do meanwhile (by bytes), so that a heavy file
    rarely waits for a slot and the heavy files are still spread over the run's first half."""
    heavy: List[int] = []
    light: List[int] = []
    for number in numbers:
        (heavy if weights and weights[number] >= _CHUNK_BYTES else light).append(number)
    chunks = list(_chunks(light, [weights[number] for number in light] if weights else None))
    # The last chunks go one per task, so that no worker is left with a long task at the end. Without
    # weights (summarizing: the parent holds no index yet, so a fork costs little) every chunk does.
    grouped = max(0, len(chunks) - 2 * workers) if weights else 0
    light_tasks = [
        (False, [number for chunk in chunks[start : min(start + _CHUNKS_PER_WORKER, grouped)] for number in chunk])
        for start in range(0, grouped, _CHUNKS_PER_WORKER)
    ] + [(False, list(chunk)) for chunk in chunks[grouped:]]
    tasks: List[Tuple[bool, List[int]]] = []
    pending = iter(light_tasks)
    light_workers = max(1, workers - _heavy_slots(workers))
    for number in heavy:  # (only with weights)
        tasks.append((True, [number]))
        budget = weights[number] * light_workers  # type: ignore[index]
        while budget > 0:
            task = next(pending, None)
            if task is None:
                break
            tasks.append(task)
            budget -= sum(weights[item] for item in task[1])  # type: ignore[index]
    tasks.extend(pending)
    return tasks


def _chunks(items: Sequence, weights: Optional[Sequence[int]]) -> Iterator[Sequence]:
    """Consecutive runs of items, each up to _CHUNK_FILES items or _CHUNK_BYTES of weight."""
    start = weight = 0
    for end in range(len(items)):
        weight += weights[end] if weights else 0
        if end + 1 - start >= _CHUNK_FILES or weight >= _CHUNK_BYTES:
            yield items[start : end + 1]
            start, weight = end + 1, 0
    if start < len(items):
        yield items[start:]
