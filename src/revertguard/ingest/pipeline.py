"""`ingest()`: read inputs, map every record to a table row, store, deduplicate, commit.

Two paths lead to the store:
- CloudTrail S3 delivery files, the bulk of most inputs, are read and mapped by DuckDB itself,
  a group of files per query (`cloudtrail.load_files`). A group DuckDB cannot read (malformed
  JSON, a truncated gzip) falls back to the second path, which finds the exact problem.
- Everything else is read record by record (`reader.RowReader`), in this process or, for large
  inputs, in worker processes; Azure, GCP and Sentinel-export rows are mapped in Python and
  CloudTrail records are handed to DuckDB as JSON text.

Rows reach the store in batches, so memory stays flat however much is ingested. Every record
ends up added, a duplicate, or a rejection with file, position and reason.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
from collections.abc import Callable, Iterable, Iterator

import duckdb

from revertguard.errors import RevertguardError
from revertguard.ingest import cloudtrail
from revertguard.ingest.batches import DEFAULT_BATCH_ROWS, time_range
from revertguard.ingest.formats import RawRecord, delivery_file_compression
from revertguard.ingest.reader import Batch, CloudTrailBatch, Event, RowReader, SourceDone
from revertguard.ingest.report import IngestReport, Rejection
from revertguard.ingest.sources import Source, discover
from revertguard.store import Store

ProgressCallback = Callable[[SourceDone], None]

# Below this much record-by-record input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
# S3 delivery files per DuckDB query: large enough to keep DuckDB busy, small enough that a bad
# file sends only a few others down the slower path with it.
FILES_PER_QUERY = 32
# DuckDB's memory while ingesting: with chunked commits this keeps memory flat, whatever the input.
INGEST_MEMORY_LIMIT = "1GB"


class _Stop(Exception):
    """Raised in strict mode at the first rejection."""


def ingest(paths: list[str], store: Store, *, strict: bool = False, jobs: int = 1,
           progress: ProgressCallback | None = None, batch_rows: int = DEFAULT_BATCH_ROWS) -> IngestReport:
    """Ingest files, folders (recursively) or `-` (stdin) into the store and report what happened.

    `strict` stops at the first rejected record and stores nothing of the run. `jobs` is the
    number of worker processes for large record-by-record inputs (1, the default, reads in this
    process; more starts worker processes, which, as with any `multiprocessing` program, needs
    the calling script's code behind `if __name__ == "__main__":`).
    """
    sources, skipped = discover(paths)
    report = IngestReport(skipped=skipped, files=len(sources))
    run = _Run(store, report, strict, progress)
    with store.memory_limit(INGEST_MEMORY_LIMIT), store.without_vacuum():
        try:
            _read_all(run, sources, strict, jobs, batch_rows)
        except BaseException:
            store.rollback()  # an interrupted run stores nothing
            raise
        order = {source.name: i for i, source in enumerate(sources)}
        for rejection in sorted(run.rejections, key=lambda r: (order.get(r.source, -1), r.ordinal)):
            report.reject(rejection)
        if report.stopped_early:
            store.rollback()
            return report
        _count_commit(report, store)
    return report


def _count_commit(report: IngestReport, store: Store) -> None:
    for result in store.commit():
        counts = report.counts(result.table)
        counts.added += result.added
        counts.duplicates += result.duplicates


def ingest_records(records: Iterable[RawRecord], store: Store) -> IngestReport:
    """Ingest records held in memory (e.g. generated ones) exactly as if read from a file."""
    report = IngestReport()
    run = _Run(store, report, strict=False, progress=None)
    reader = RowReader()
    run.consume(reader.read_items("<records>", records))
    run.consume(reader.flush())
    for rejection in run.rejections:
        report.reject(rejection)
    _count_commit(report, store)
    return report


def _read_all(run: _Run, sources: list[Source], strict: bool, jobs: int, batch_rows: int) -> None:
    try:
        rest = run.delivery_files(sources)
        if jobs < 2 or strict or len(rest) < 2 or _input_bytes(rest) < PARALLEL_MIN_BYTES:
            run.consume(_read_here(rest, batch_rows))
        else:
            run.consume(_read_in_workers(rest, jobs, batch_rows))
    except _Stop:
        run.report.stopped_early = True


class _Run:
    """The state of one ingest run: where events go, and what has been counted."""

    def __init__(self, store: Store, report: IngestReport, strict: bool,
                 progress: ProgressCallback | None) -> None:
        self.store = store
        self.report = report
        self.strict = strict
        self.progress = progress
        self.rejections: list[Rejection] = []
        # The delivery-file groups in the store's open chunk: (loader, paths, gzip).
        self.pending: list[tuple[Callable[..., cloudtrail.Loaded], list[str], bool]] = []

    def delivery_files(self, sources: list[Source]) -> list[Source]:
        """Load CloudTrail S3 delivery files through DuckDB; return the sources left for the record path."""
        groups: dict[str, list[Source]] = {"gzip": [], "none": []}
        rest: list[Source] = []
        for source in sources:
            compression = delivery_file_compression(source)
            (groups[compression] if compression else rest).append(source)
        for compression, files in groups.items():
            for start in range(0, len(files), FILES_PER_QUERY):
                group = files[start:start + FILES_PER_QUERY]
                loaded = self._load_group([str(s.path) for s in group], compression == "gzip")
                if loaded is None:
                    rest.extend(group)  # read record by record, which pinpoints the problem
                    continue
                self._loaded(loaded)
                for source in group:
                    if self.progress is not None:
                        self.progress(SourceDone(source.name, 0))
        self.pending = []
        return rest

    def _load_group(self, paths: list[str], gzip: bool) -> cloudtrail.Loaded | None:
        """Load a group of delivery files, parsed once, else leniently; None if DuckDB cannot read it."""
        for load in (cloudtrail.load_files, cloudtrail.load_files_leniently):
            try:
                loaded = load(self.store, paths, gzip=gzip)
            except duckdb.Error:
                self._restore_chunk()
                continue
            if self.store.chunk_open:
                self.pending.append((load, paths, gzip))
            else:  # the load committed the chunk: nothing before it needs loading again
                self.pending = []
            return loaded
        return None

    def _restore_chunk(self) -> None:
        """After a failed query, which aborts the store's open chunk: roll the chunk back and load
        the groups it held again (they loaded before, so they load the same way now)."""
        if not self.store.chunk_open:  # it failed before the chunk began: nothing to undo
            self.pending = []
            return
        self.store.rollback_chunk()
        try:
            for load, paths, gzip in self.pending:
                load(self.store, paths, gzip=gzip)
        except duckdb.Error as exc:
            raise RevertguardError(f"CloudTrail files could not be read again (changed while ingesting?): "
                                   f"{str(exc).splitlines()[0]}") from None

    def consume(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, Batch):
                self.store.append(event.table, event.rows)
                counts = self.report.counts(event.table)
                counts.read += event.rows.num_rows
                counts.see_times(*time_range(event.rows))
            elif isinstance(event, CloudTrailBatch):
                self._loaded(cloudtrail.load_records(self.store, event.records))
            elif isinstance(event, Rejection):
                self._reject([event])
            else:
                self.report.notes.extend(f"{event.name}: {note}" for note in event.notes)
                if self.progress is not None:
                    self.progress(event)

    def _loaded(self, loaded: cloudtrail.Loaded) -> None:
        counts = self.report.counts(cloudtrail.TABLE)
        counts.read += loaded.rows
        counts.see_times(loaded.first, loaded.last)
        self._reject(loaded.rejections or [])

    def _reject(self, rejections: list[Rejection]) -> None:
        for rejection in rejections:
            self.rejections.append(rejection)
            if rejection.table:
                self.report.counts(rejection.table)
        if rejections and self.strict:
            raise _Stop


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
                if isinstance(event, Batch | CloudTrailBatch):
                    results.put(pending)
                    pending = []
            results.put(pending)
        results.put(list(reader.flush()))
        results.put(None)
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc}")
