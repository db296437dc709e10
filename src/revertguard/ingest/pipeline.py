"""`ingest()`: read inputs, map every record to a table row, store, deduplicate, commit.

Rows flow to the store in Arrow batches, so memory stays flat however much is ingested. Large
inputs are read by worker processes (one per core) while this process writes to the store.
Every record ends up added, a duplicate, or a rejection with file, position and reason.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
from collections.abc import Callable, Iterable, Iterator

from revertguard.errors import RevertguardError
from revertguard.ingest.batches import DEFAULT_BATCH_ROWS, time_range
from revertguard.ingest.reader import Batch, Event, RowReader, SourceDone
from revertguard.ingest.report import IngestReport, Rejection
from revertguard.ingest.sources import Source, discover
from revertguard.store import Store

ProgressCallback = Callable[[SourceDone], None]

# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def ingest(paths: list[str], store: Store, *, strict: bool = False, jobs: int = 1,
           progress: ProgressCallback | None = None, batch_rows: int = DEFAULT_BATCH_ROWS) -> IngestReport:
    """Ingest files, folders (recursively) or `-` (stdin) into the store and report what happened.

    `strict` stops at the first rejected record (what was read before it is kept). `jobs` is the
    number of worker processes for large inputs (1, the default, reads in this process; more
    starts worker processes, which, as with any `multiprocessing` program, needs the calling
    script's code behind `if __name__ == "__main__":`).
    """
    sources, skipped = discover(paths)
    report = IngestReport(skipped=skipped, files=len(sources))
    if strict or jobs < 2 or len(sources) < 2 or _input_bytes(sources) < PARALLEL_MIN_BYTES:
        events = _read_here(sources, batch_rows)
    else:
        events = _read_in_workers(sources, jobs, batch_rows)
    rejections: list[Rejection] = []
    for event in events:
        if isinstance(event, Batch):
            store.append(event.table, event.rows)
            counts = report.counts(event.table)
            counts.read += event.rows.num_rows
            counts.see_times(*time_range(event.rows))
        elif isinstance(event, Rejection):
            rejections.append(event)
            if strict:
                report.stopped_early = True
                break
        else:
            report.notes.extend(f"{event.name}: {note}" for note in event.notes)
            if progress is not None:
                progress(event)
    if hasattr(events, "close"):
        events.close()  # type: ignore[union-attr]
    order = {source.name: i for i, source in enumerate(sources)}
    for rejection in sorted(rejections, key=lambda r: order.get(r.source, -1)):
        report.reject(rejection)
    for result in store.commit():
        counts = report.counts(result.table)
        counts.added += result.added
        counts.duplicates += result.duplicates
    return report


def _input_bytes(sources: Iterable[Source]) -> int:
    total = 0
    for source in sources:
        if source.path is not None:
            with contextlib.suppress(OSError):
                total += source.path.stat().st_size
    return total


def _read_here(sources: list[Source], batch_rows: int) -> Iterator[Event]:
    reader = RowReader(batch_rows)
    for source in sources:
        yield from reader.read(source)
    yield from reader.flush()


def _read_in_workers(sources: list[Source], jobs: int, batch_rows: int) -> Iterator[Event]:
    """Read sources in `jobs` worker processes; events arrive as workers produce them."""
    context = multiprocessing.get_context("spawn")  # fork is unsafe with DuckDB's threads
    tasks = context.Queue()
    # Bounded, so workers wait while the store catches up: memory stays flat.
    results = context.Queue(maxsize=2 * jobs)
    workers = [context.Process(target=_worker, args=(tasks, results, batch_rows), daemon=True)
               for _ in range(jobs)]
    for source in sources:
        tasks.put(source)
    for _ in workers:
        tasks.put(None)
    for worker in workers:
        worker.start()
    finished = 0
    try:
        while finished < len(workers):
            try:
                message = results.get(timeout=1.0)
            except queue.Empty:
                if any(w.exitcode not in (None, 0) for w in workers):
                    raise RevertguardError("an ingest worker process stopped unexpectedly") from None
                continue
            if message is None:
                finished += 1
            elif isinstance(message, str):
                raise RevertguardError(f"an ingest worker failed: {message}")
            else:
                yield from message
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _worker(tasks, results, batch_rows: int) -> None:
    """Worker process: read sources from `tasks`, send lists of events to `results`."""
    try:
        reader = RowReader(batch_rows)
        while (source := tasks.get()) is not None:
            pending: list[Event] = []
            for event in reader.read(source):
                pending.append(event)
                if isinstance(event, Batch):
                    results.put(pending)
                    pending = []
            results.put(pending)
        results.put(list(reader.flush()))
        results.put(None)
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc}")
