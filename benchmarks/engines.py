"""Benchmark: the rule pack on DuckDB and on Spark, at growing data sizes.

    python benchmarks/engines.py [--events 1000000 10000000 50000000] [--repeat 3]
                                 [--workdir DIR] [--spark-memory 12g] [--spark-master local[*]]

For each size, half the events are AWSCloudTrail rows and half AzureActivity rows (the
synthetic generator of benchmarks/kql.py), written to a DuckDB store file and exported as
Parquet (`export_tables`). Each engine then runs every query of the rule pack (the seed
detection, the two join-heavy correlations, and every shipped rule) in a process of its own:

* duckdb (store)    the embedded engine on the store file, as `revertguard kql --db` runs it;
* duckdb (parquet)  DuckDB on the Parquet folder (`--parquet DIR`);
* spark (parquet)   Spark in local mode on the same folder (`--engine spark --parquet DIR`).

It prints, per engine and query, the median time of `--repeat` runs (rows fetched into
Python included) and the first run's, the rows returned (which must agree), the peak memory
of the engine's process (for Spark: the Python driver plus the JVM), and how the time grows
with the data; then where Spark overtakes DuckDB, if it does on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from synthetic import NOW, QUERIES, fill

from revertguard.parquet import export_tables
from revertguard.rules import load_rules
from revertguard.rules.watchlist import shipped_watchlists
from revertguard.store import Store

ENGINES = ("duckdb (store)", "duckdb (parquet)", "spark (parquet)")


def rule_pack() -> dict[str, str]:
    """The benchmark queries, then every shipped rule the benchmark does not have already."""
    pack = dict(QUERIES)
    for rule in load_rules("all"):
        if rule.query not in pack.values():
            pack[f"rule: {rule.name[:40]}"] = rule.query
    return pack


def prepare(events: int, folder: Path) -> tuple[Path, Path]:
    """A store file and a Parquet folder holding `events` synthetic events (made once, then kept)."""
    db, parquet = folder / "store.duckdb", folder / "parquet"
    if (folder / "ready").exists():
        return db, parquet
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    with Store(db, memory_limit="8GB") as store:
        fill(store, events // 2)
        for definition in shipped_watchlists().values():
            store.put_watchlist(definition.to_store())
        store.con.execute("CHECKPOINT")
        generated = time.perf_counter() - start
        start = time.perf_counter()
        export_tables(store, parquet)
        exported = time.perf_counter() - start
    (folder / "ready").write_text("")
    print(f"  generated in {generated:.1f} s (store {_size(db):,.0f} MiB), exported as Parquet in {exported:.1f} s "
          f"({_size(parquet):,.0f} MiB)")
    return db, parquet


def _size(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


# -- one engine, in a process of its own -------------------------------------------------------

def worker(engine_name: str, db: str, parquet: str, repeat: int, spark_memory: str, spark_master: str) -> None:
    from revertguard.kql.engines import EngineOptions, open_engine

    if engine_name == "duckdb (store)":
        options = EngineOptions(db=db)
    elif engine_name == "duckdb (parquet)":
        options = EngineOptions(parquet=parquet)
    else:
        options = EngineOptions(engine="spark", parquet=parquet, spark_master=spark_master,
                                spark_conf={"spark.driver.memory": spark_memory, "spark.ui.enabled": "false"})
    results = {}
    with open_engine(options) as engine:
        for name, query in rule_pack().items():
            times, rows = [], 0
            for _ in range(repeat + 1):  # the first run warms caches (and Spark's JIT); reported apart
                start = time.perf_counter()
                rows = len(engine.run(query, now=NOW).rows)
                times.append(time.perf_counter() - start)
            results[name] = {"first": times[0], "median": sorted(times[1:])[len(times[1:]) // 2], "rows": rows}
        memory = _peak_mib(os.getpid())
        if engine.name == "spark":
            memory += _peak_mib(engine.session.sparkContext._jvm.java.lang.ProcessHandle.current().pid())
    print(json.dumps({"results": results, "peak_mib": memory}))


def _peak_mib(pid: int) -> float:
    """A process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_worker(engine_name: str, db: Path, parquet: Path, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--worker", engine_name, "--db", str(db), "--parquet", str(parquet),
               "--repeat", str(args.repeat), "--spark-memory", args.spark_memory, "--spark-master", args.spark_master]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": _path()})
    if done.returncode != 0:
        raise SystemExit(f"{engine_name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _path() -> str:
    return os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])


# -- the report ---------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query, after one warm-up run")
    parser.add_argument("--workdir", default="benchmark-data", help="where the stores and Parquet folders are kept")
    parser.add_argument("--spark-memory", default="12g", help="spark.driver.memory (local mode runs in the driver)")
    parser.add_argument("--spark-master", default="local[*]")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.db, args.parquet, args.repeat, args.spark_memory, args.spark_master)
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, Spark master {args.spark_master} "
          f"(driver memory {args.spark_memory}), now pinned at {NOW}Z; times are medians of {args.repeat} runs "
          "after a warm-up run (the warm-up in brackets)")
    timings: dict[int, dict[str, dict]] = {}
    for events in args.events:
        print(f"\n{events:,} events ({events // 2:,} AWSCloudTrail + {events // 2:,} AzureActivity)")
        db, parquet = prepare(events, Path(args.workdir) / str(events))
        timings[events] = {}
        for engine_name in ENGINES:
            timings[events][engine_name] = run_worker(engine_name, db, parquet, args)
        print_size(timings[events])
    print_growth(timings)
    print_crossover(timings)
    return 0


def print_size(by_engine: dict[str, dict]) -> None:
    queries = list(next(iter(by_engine.values()))["results"])
    print(f"  {'query':42}" + "".join(f"{name:>24}" for name in by_engine) + "  rows")
    for query in queries:
        cells, rows = [], set()
        for entry in by_engine.values():
            result = entry["results"][query]
            cells.append(f"{result['median']:8.2f} s [{result['first']:6.2f}]")
            rows.add(result["rows"])
        agree = str(rows.pop()) if len(rows) == 1 else f"DIFFER {sorted(rows)}"
        print(f"  {query:42}" + "".join(f"{c:>24}" for c in cells) + f"  {agree}")
    print(f"  {'peak memory':42}" + "".join(f"{e['peak_mib']:>20,.0f} MiB" for e in by_engine.values()))


def print_growth(timings: dict[int, dict[str, dict]]) -> None:
    sizes = sorted(timings)
    if len(sizes) < 2:
        return
    print(f"\nhow time grows with the data (total of the rule pack, relative to {sizes[0]:,} events)")
    for engine_name in ENGINES:
        totals = [sum(r["median"] for r in timings[s][engine_name]["results"].values()) for s in sizes]
        steps = "  ".join(f"{s:,}: {t:.2f} s ({t / totals[0]:.1f}x)" for s, t in zip(sizes, totals, strict=True))
        print(f"  {engine_name:18} {steps}")


def print_crossover(timings: dict[int, dict[str, dict]]) -> None:
    print("\nSpark against DuckDB (store), total of the rule pack:")
    for size in sorted(timings):
        duck = sum(r["median"] for r in timings[size]["duckdb (store)"]["results"].values())
        spark = sum(r["median"] for r in timings[size]["spark (parquet)"]["results"].values())
        verdict = "Spark faster" if spark < duck else "DuckDB faster"
        ratio = max(duck, spark) / min(duck, spark)
        print(f"  {size:>12,} events: DuckDB {duck:.2f} s, Spark {spark:.2f} s: {verdict} ({ratio:.1f}x)")


if __name__ == "__main__":
    raise SystemExit(main())
