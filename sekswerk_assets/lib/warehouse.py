"""The DuckDB warehouse: lock-aware connections, and SQL reads where an IO-manager input does not fit.

DuckDB locks its file per process: while any other process has it open (even an analyst's read-only
session), a writer cannot open it. Dagster's own DuckDB resource and IO manager then retry silently
for about 100 s. Here a connection that meets such a lock says so in the log at once, waits up to
``lock_timeout_s`` for the other process to close it, and then fails with :class:`WarehouseLocked`,
naming the holder's process id (never its command line, which may contain a user name).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import contextmanager

import dagster as dg
import duckdb
import pandas as pd
from dagster._core.storage.db_io_manager import DbIOManager
from dagster_duckdb import DuckDBResource
from dagster_duckdb.io_manager import DuckDbClient
from dagster_duckdb_pandas import DuckDBPandasIOManager
from pydantic import Field

LOCK_TIMEOUT_S = 120.0
LOCK_POLL_S = 1.0
LOCK_LOG_EVERY_S = 30.0


class WarehouseLocked(RuntimeError):
    """The warehouse file stayed locked by another process for longer than the lock timeout."""


def lock_holder(exc: BaseException) -> str:
    """'PID 1234' from DuckDB's lock error (the rest of the message names the holder's executable path)."""
    text = str(exc)
    start = text.find("(PID ")
    if start < 0:
        return "another process"
    digits = "".join(c for c in text[start + 5 : start + 20].split(")")[0] if c.isdigit())
    return f"process {digits}" if digits else "another process"


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect_warehouse(
    database: str,
    *,
    read_only: bool = False,
    config: dict | None = None,
    timeout_s: float = LOCK_TIMEOUT_S,
    log: logging.Logger | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a lock held by another process is logged, waited for, then a clear error."""
    log = log or dg.get_dagster_logger()
    deadline = time.monotonic() + timeout_s
    waited_since, last_log = None, 0.0
    while True:
        try:
            conn = duckdb.connect(database, read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            holder, now = lock_holder(exc), time.monotonic()
            if now >= deadline:
                raise WarehouseLocked(
                    f"DuckDB warehouse {database} is locked by {holder}: waited {timeout_s:.0f} s for it to "
                    "close. DuckDB allows one writing process, and an open read-only connection (an analyst's "
                    "session, a notebook) also blocks writers: close it and run again."
                ) from None
            if waited_since is None:
                waited_since = now
                log.warning(
                    f"DuckDB warehouse {database} is locked by {holder} (e.g. an open read-only connection): "
                    f"waiting up to {timeout_s:.0f} s for it to close"
                )
                last_log = now
            elif now - last_log >= LOCK_LOG_EVERY_S:
                log.warning(f"still waiting for {holder} to release the DuckDB warehouse ({now - waited_since:.0f} s)")
                last_log = now
            time.sleep(min(LOCK_POLL_S, max(0.0, deadline - now)))
            continue
        if waited_since is not None:
            log.info(f"DuckDB warehouse {database} opened after waiting {time.monotonic() - waited_since:.1f} s")
        return conn


def _user_agent(config: dict) -> dict:
    return {"custom_user_agent": "dagster", **config}


class WarehouseResource(DuckDBResource):
    """DuckDB connections to the warehouse that report, wait for and then fail on another process's lock."""

    lock_timeout_s: float = Field(default=LOCK_TIMEOUT_S, description="how long to wait for another process's lock")

    @contextmanager
    def get_connection(self):
        conn = connect_warehouse(self.database, config=_user_agent(self.connection_config),
                                 timeout_s=self.lock_timeout_s)
        try:
            yield conn
        finally:
            conn.close()


class _LockAwareClient(DuckDbClient):
    @staticmethod
    @contextmanager
    def connect(context, _):
        cfg = context.resource_config
        conn = connect_warehouse(cfg["database"], config=_user_agent(cfg.get("connection_config") or {}),
                                 timeout_s=float(cfg.get("lock_timeout_s", LOCK_TIMEOUT_S)), log=context.log)
        try:
            yield conn
        finally:
            conn.close()


class WarehouseIOManager(DuckDBPandasIOManager):
    """The pandas DuckDB IO manager with lock-aware connections (see :func:`connect_warehouse`)."""

    lock_timeout_s: float = Field(default=LOCK_TIMEOUT_S, description="how long to wait for another process's lock")

    def create_io_manager(self, context) -> DbIOManager:
        return DbIOManager(
            db_client=_LockAwareClient(),
            database=self.database,
            schema=self.schema_,
            type_handlers=self.type_handlers(),
            default_load_type=self.default_load_type(),
            io_manager_name="DuckDBIOManager",
        )


def read_sql(db: DuckDBResource, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    """Run a query; a table that does not exist yet reads as an empty frame."""
    with db.get_connection() as con:
        try:
            return con.execute(sql, params or []).df()
        except duckdb.CatalogException:
            return pd.DataFrame()


def in_list(values: Sequence[str]) -> str:
    """A SQL ``IN (...)`` list of quoted keys (partition keys only: dates and years, validated upstream)."""
    for v in values:
        if not all(c.isdigit() or c == "-" for c in v):
            raise ValueError(f"not a partition key: {v!r}")
    return "(" + ",".join(f"'{v}'" for v in values) + ")" if values else "('')"
