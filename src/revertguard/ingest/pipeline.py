"""`ingest()`: read inputs, map every record to a table row, store, deduplicate, commit.

Two paths lead to the store:
- CloudTrail S3 delivery files, the bulk of most inputs, are read and mapped by DuckDB itself,
  a group of files per query (`cloudtrail.load_files`). When a group cannot be read (malformed
  JSON, a truncated gzip), halving it finds the files at fault; only those fall back to the
  second path, which finds the exact problem.
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
# S3 delivery files per DuckDB query, up to this many bytes on disk (about 80 MB of JSON when
# gzipped) or this many files: every query costs some milliseconds of its own, and real trails
# deliver many small files, so a group is as large as memory comfortably allows.
GROUP_BYTES = 8 << 20
GROUP_FILES = 256
# Files this large on average (about 500 records gzipped) are parsed once (`parse_once`), which
# is faster per record; smaller ones are read the lenient way, which costs less per file.
PARSE_ONCE_MIN_BYTES = 64 << 10
# DuckDB's memory while ingesting: with chunked commits this keeps memory flat, whatever the input.
# (Under 1 GB, a query over a group of hundreds of small files spills and runs twice as slowly.)
INGEST_MEMORY_LIMIT = "2GB"


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
        # The delivery-file groups in the store's open chunk: (paths, gzip, parse_once).
        self.pending: list[tuple[list[str], bool, bool]] = []

    def delivery_files(self, sources: list[Source]) -> list[Source]:
        """Load CloudTrail S3 delivery files through DuckDB; return the sources left for the record path."""
        groups: dict[str, list[Source]] = {"gzip": [], "none": []}
        rest: list[Source] = []
        for source in sources:
            compression = delivery_file_compression(source)
            (groups[compression] if compression else rest).append(source)
        for compression, files in groups.items():
            for group in _groups(files):
                rest.extend(self._load_group(group, compression == "gzip"))
        self.pending = []
        return rest

    def _load_group(self, group: list[Source], gzip: bool) -> list[Source]:
        """Load a group of delivery files; return those DuckDB cannot read, found by halving."""
        paths = [str(s.path) for s in group]
        large = sum(_file_size(s) for s in group) >= PARSE_ONCE_MIN_BYTES * len(group)
        for parse_once in (True, False) if large else (False,):
            try:
                loaded = cloudtrail.load_files(self.store, paths, gzip=gzip, parse_once=parse_once)
                break
            except duckdb.Error:
                self._restore_chunk()
        else:  # neither reader could read the group: find the files at fault
            unreadable = self._unreadable(group, gzip)
            at_fault = {id(s) for s in unreadable}
            readable = [s for s in group if id(s) not in at_fault]
            if not unreadable or not readable:  # no one file is at fault, or every one is
                return group
            return unreadable + self._load_group(readable, gzip)
        if self.store.chunk_open:
            self.pending.append((paths, gzip, parse_once))
        else:  # the load committed the chunk: nothing before it needs loading again
            self.pending = []
        self._loaded(loaded)
        for source in group:
            if self.progress is not None:
                self.progress(SourceDone(source.name, 0))
        return []

    def _unreadable(self, group: list[Source], gzip: bool) -> list[Source]:
        """The files of a group that DuckDB cannot read, found by halving it, on a connection of
        their own so that the failures abort nothing in the store."""
        with self.store.con.cursor() as con:
            def bad(part: list[Source]) -> list[Source]:
                try:
                    cloudtrail.check_files(con, [str(s.path) for s in part], gzip=gzip)
                    return []
                except duckdb.Error:
                    if len(part) == 1:
                        return part
                    half = len(part) // 2
                    return bad(part[:half]) + bad(part[half:])
            return bad(group)

    def _restore_chunk(self) -> None:
        """After a failed query, which aborts the store's open chunk: roll the chunk back and load
        the groups it held again (they loaded before, so they load the same way now)."""
        if not self.store.chunk_open:  # it failed before the chunk began: nothing to undo
            self.pending = []
            return
        self.store.rollback_chunk()
        try:
            for paths, gzip, parse_once in self.pending:
                cloudtrail.load_files(self.store, paths, gzip=gzip, parse_once=parse_once)
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


def _groups(files: list[Source]) -> Iterator[list[Source]]:
    """Consecutive files, up to GROUP_BYTES on disk or GROUP_FILES files a group."""
    group: list[Source] = []
    size = 0
    for source in files:
        length = _file_size(source)
        if group and (size + length > GROUP_BYTES or len(group) >= GROUP_FILES):
            yield group
            group, size = [], 0
        group.append(source)
        size += length
    if group:
        yield group


def _input_bytes(sources: Iterable[Source]) -> int:
    return sum(_file_size(source) for source in sources)


def _file_size(source: Source) -> int:
    """Bytes on disk (0 for stdin, or a file that cannot be read: it is rejected later)."""
    if source.path is not None:
        with contextlib.suppress(OSError):
            return source.path.stat().st_size
    return 0


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
