"""Spark: the same KQL, compiled to Spark SQL and run through a SparkSession over Parquet tables.

The tables are a Parquet folder written by revertguard (`export-tables`, `ingest --parquet`),
local or in object storage (`s3a://`, `abfss://`, `gs://`: whatever the session's Hadoop
configuration reads). Each table a query reads becomes a temporary view on first use.

pyspark is imported only when a session is made, so DuckDB users never need it (it is the
`spark` extra: `pip install 'revertguard[spark]'`, plus Java 17 or newer). The session's
time zone is pinned to UTC, which KQL's datetimes assume; everything else (master, memory,
object-store credentials) is the ordinary Spark configuration: `spark-defaults.conf`,
`SPARK_*` variables, `spark-submit` options, or `conf=` here.

Results come back through Arrow and are converted to exactly what `DuckDBEngine` returns
(dynamic values parsed, datetimes naive UTC, strings never None), so callers cannot tell the
engines apart.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp

from revertguard.errors import RevertguardError
from revertguard.kql.catalog import Catalog, EngineCatalog, TableSource, physical_table
from revertguard.kql.engine import QueryResult, compile_query, convert_rows
from revertguard.kql.errors import KqlRuntimeError
from revertguard.parquet.catalog import ParquetCatalog
from revertguard.parquet.layout import Manifest, manifest_path
from revertguard.store import Watchlist, check_watchlist, watchlist_records, watchlist_schema
from revertguard.tables import KqlType, TableSchema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Settings the engine needs whatever else is configured: KQL datetimes are UTC, and the Spark
# dialect's constructions assume ANSI mode (Spark 4's default), as DuckDB's strictness is
# (an integer division by zero or an overflow is an error, not NULL).
PINNED_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "true"}
# pyspark logs every failed query with its Java stack trace; the engine reports it as a KqlError.
_QUERY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")
_view_numbers = itertools.count()


class SparkUnavailableError(RevertguardError):
    """pyspark (or Java) is missing."""


def _pyspark() -> Any:
    try:
        import pyspark.logger
        import pyspark.sql
    except ImportError:
        raise SparkUnavailableError(
            "the Spark engine needs pyspark: pip install 'revertguard[spark]' (and Java 17 or newer)") from None
    return pyspark


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None,
                  app_name: str = "revertguard") -> SparkSession:
    """A SparkSession (the running one, if any) with `conf` applied and the time zone pinned to UTC.

    `master` None leaves the choice to Spark: `spark-submit --master`, `spark.master` in
    spark-defaults.conf, else `local[*]`.
    """
    pyspark = _pyspark()
    builder = pyspark.sql.SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in {**(conf or {}), **PINNED_CONF}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM could not start: no Java, a bad master URL, ...
        raise SparkUnavailableError(f"cannot start Spark: {_first_line(exc)}") from None
    for key, value in PINNED_CONF.items():
        session.conf.set(key, value)  # getOrCreate may have returned a session made elsewhere
    for name in _QUERY_LOGGERS:
        pyspark.logger.PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
    return session


class SparkParquetCatalog(ParquetCatalog):
    """A Parquet folder read by Spark: each table a temporary view, with the schema given (not inferred)."""

    def __init__(self, root: str, session: SparkSession, tables: Mapping[str, TableSchema] | None = None) -> None:
        super().__init__(root, tables)
        self.session = session
        self.views: list[str] = []

    def register(self, path: str, schema: TableSchema) -> exp.Expression:
        view = f"_rg_spark_{next(_view_numbers)}"
        self._frame(path, schema).createOrReplaceTempView(view)
        self.views.append(view)
        return physical_table(view)

    def _frame(self, path: str, schema: TableSchema) -> DataFrame:
        pyspark = _pyspark()
        struct = spark_schema(schema)
        try:
            return self.session.read.schema(struct).option("basePath", path).parquet(path)
        except pyspark.errors.AnalysisException as exc:
            if exc.getCondition() != "PATH_NOT_FOUND":
                raise
            return self.session.createDataFrame([], struct)  # a table with no folder has no rows

    def load_watchlist(self, watchlist: Watchlist) -> TableSource:
        check_watchlist(watchlist)
        schema = watchlist_schema(watchlist.alias, watchlist.columns)
        # The update time with its zone: pyspark reads a naive datetime in the machine's local time.
        rows = watchlist_records(watchlist, datetime.now(UTC).replace(microsecond=0))
        view = f"_rg_spark_{next(_view_numbers)}"
        self.session.createDataFrame(rows, spark_schema(schema)).createOrReplaceTempView(view)
        self.views.append(view)
        return TableSource(schema, physical_table(view))

    def read_manifest(self) -> Manifest | None:
        pyspark = _pyspark()
        path = manifest_path(self.root)
        try:
            rows = self.session.read.text(path, wholetext=True).collect()
        except pyspark.errors.AnalysisException as exc:
            if exc.getCondition() != "PATH_NOT_FOUND":
                raise
            return None
        return Manifest.from_json(rows[0][0], path) if rows else None


def spark_schema(schema: TableSchema) -> Any:
    """A table's Spark schema as its files hold it (dynamic columns are JSON text)."""
    types = _pyspark().sql.types
    by_kql = {
        KqlType.STRING: types.StringType(), KqlType.GUID: types.StringType(), KqlType.DYNAMIC: types.StringType(),
        KqlType.DATETIME: types.TimestampType(), KqlType.BOOL: types.BooleanType(), KqlType.INT: types.IntegerType(),
        KqlType.LONG: types.LongType(), KqlType.REAL: types.DoubleType(), KqlType.DECIMAL: types.DecimalType(38, 10),
        KqlType.TIMESPAN: types.DayTimeIntervalType(),
    }
    return types.StructType([types.StructField(c.name, by_kql[c.type]) for c in schema.columns])


class SparkEngine:
    """Runs queries as Spark SQL on the tables and watchlists of a Parquet folder (the Sentinel
    tables, or `tables`)."""

    name = "spark"

    def __init__(self, root: str, *, session: SparkSession | None = None, master: str | None = None,
                 conf: Mapping[str, str] | None = None, tables: Mapping[str, TableSchema] | None = None) -> None:
        self.session = session if session is not None else spark_session(master, conf)
        self.root = str(root)
        self._catalog = SparkParquetCatalog(self.root, self.session, tables)

    def catalog(self) -> EngineCatalog:
        return self._catalog

    def run(self, query: str, *, now: datetime | None = None, catalog: Catalog | None = None) -> QueryResult:
        compiled = compile_query(query, "spark", catalog=catalog or self.catalog(), now=now)
        try:
            table = self.session.sql(compiled.sql).toArrow()
        except Exception as exc:  # pyspark's errors (and py4j's, from the JVM) share no base class
            raise KqlRuntimeError(f"{_first_line(exc)} (Spark rejected the query while running it)"
                                  ).with_source(query) from None
        return QueryResult(compiled.columns, convert_rows(compiled.columns, arrow_rows(table)), compiled.sql)

    def close(self) -> None:
        """Drop the temporary views this engine made (the session stays, for other engines)."""
        for view in self._catalog.views:
            self.session.catalog.dropTempView(view)
        self._catalog.views.clear()


def arrow_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Arrow columns -> row tuples, with datetimes as naive UTC (Spark sends them zoned in UTC)."""
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit))
        columns.append(column.to_pylist())
    return list(zip(*columns, strict=True)) if columns else []


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
