"""One site's static fetching in a process of its own, so that a collection run uses a second core.

The collector's event loop is one core of Python: with three sites in one process, the fetching of
the largest site and the Playwright messages of the others wait on each other. A run therefore
hands one site (the first whose only browser step is its wall; see ``collection.run``) to a worker
process, started with the run so that its imports overlap the browser's launch:

* the parent fetches the site's robots.txt and passes its wall in the run's one browser, as for any
  other site, then hands robots.txt, the browser context's cookies and the site's next request slot to
  the worker;
* the worker crawls the listing and the ad pages with the site's politeness (rate limit, concurrency,
  retries, page budget: all of the site's static requests are made here), and streams every page record
  to the parent, whose writer thread compresses and stores it as for any other site;
* its last message is the site's result (or its error). The rate limit spans both processes: the
  parent tells the worker when the site's next request may start (``time.monotonic`` is one clock per
  machine), and the parent's requests for the site are over by then.

Messages are pickled frames (4-byte length, then the pickle) on the worker's stdin and stdout, a pipe
between two processes of the same run. Nothing is written to disk here and no key is needed: the
parent encrypts. A worker that dies fails its site with its exit code; the other sites go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sekswerk_assets.collection.collector import BrowserHub, CollectionResult, SiteCollector

#: records per message from the worker (one message per 64 pages, not per page)
BATCH = 64
#: the worker's exit code when its parent went away before the site was done
PARENT_GONE = 3
_HEAD = struct.Struct(">I")


def _frame(message) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(data)) + data


async def _read(reader: asyncio.StreamReader):
    (size,) = _HEAD.unpack(await reader.readexactly(_HEAD.size))
    return pickle.loads(await reader.readexactly(size))


class WorkerFailed(RuntimeError):
    """The worker process ended without the site's result (it was killed, or crashed)."""


# ------------------------------------------------------------------------------------------------ parent
async def start_worker() -> asyncio.subprocess.Process:
    """A worker process, waiting for its job (started before the sites, so that its imports overlap the browser's launch)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sekswerk_assets.collection.worker",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )


async def run_in_worker(collector: "SiteCollector", hub: "BrowserHub",
                        proc: asyncio.subprocess.Process) -> "CollectionResult":
    """Collect ``collector``'s site with the worker ``proc`` for its static pages; its wall is passed in ``hub``."""
    site = collector.adapter.name
    start = time.perf_counter()
    finished = False  # the worker sent its last message (its result or its error) and exits by itself
    try:
        handed = await collector.run_browser_part(hub)
    except BaseException:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        await proc.wait()
        raise
    try:
        job = {"site": site, "base_url": collector.base, "politeness": collector.p, "headers": collector.headers,
               "handed": handed}
        try:
            proc.stdin.write(_frame(("job", job)))
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):  # it died before its job: read its exit code below
            pass
        while True:
            try:
                kind, payload = await _read(proc.stdout)
            except asyncio.IncompleteReadError:
                code = await proc.wait()
                raise WorkerFailed(f"{site}: its collection worker ended without a result (exit code {code})") from None
            except Exception as exc:  # noqa: BLE001 (a frame that does not unpickle)
                raise WorkerFailed(f"{site}: unreadable message from its collection worker "
                                   f"({type(exc).__name__})") from None
            if kind == "records":
                for rec in payload:
                    collector.emit(site, rec)
            elif kind == "progress":
                collector.progress(payload)
            elif kind == "result":
                finished = True
                result = _merged(collector.result, payload)
                result.duration_s = time.perf_counter() - start
                return result
            elif kind == "failed":
                finished = True
                raise payload
            else:
                raise WorkerFailed(f"{site}: unknown message from its collection worker")
    finally:
        if proc.returncode is None:  # a worker that sent its last message exits at once; any other is killed
            if finished:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(proc.wait(), 5.0)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


def _merged(parent: "CollectionResult", worker: "CollectionResult") -> "CollectionResult":
    """The worker's result with the parent's records of the site (robots.txt, the wall) put first."""
    worker.records = parent.records + worker.records
    return worker


# ------------------------------------------------------------------------------------------------ worker
class _Out(asyncio.Protocol):
    def __init__(self) -> None:
        self.closed = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _serve(out_fd: int) -> None:
    from sekswerk_assets.collection.adapters import ADAPTERS
    from sekswerk_assets.collection.collector import SiteCollector

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), open(0, "rb", buffering=0, closefd=False))
    transport, out = await loop.connect_write_pipe(_Out, open(out_fd, "wb", buffering=0))
    batch: list = []

    def send(message) -> None:
        transport.write(_frame(message))

    def flush() -> None:
        if batch:
            send(("records", batch[:]))
            batch.clear()

    def emit(_site: str, rec) -> None:
        batch.append(rec)
        if len(batch) >= BATCH:
            flush()

    try:
        kind, job = await _read(reader)
        # held in a variable: the event loop keeps only a weak reference to a task
        watch = asyncio.ensure_future(_exit_when_parent_gone(reader))  # noqa: F841
        collector = SiteCollector(ADAPTERS[job["site"]], job["base_url"], job["politeness"],
                                  extra_headers=job["headers"], http_client="aiohttp",
                                  progress=lambda msg: send(("progress", msg)), emit=emit, keep_bodies=False)
        result = await collector.run_static(job["handed"])
        flush()
        send(("result", result))
    except Exception as exc:  # noqa: BLE001 (handed to the parent, which fails the site with it)
        flush()
        send(("failed", _transportable(exc)))
    transport.close()
    await out.closed


async def _exit_when_parent_gone(reader: asyncio.StreamReader) -> None:
    """End this process when its stdin closes: the parent writes nothing after the job, so end of file means
    it is gone (killed, say), and a site must not go on being fetched for nobody."""
    await reader.read()
    os._exit(PARENT_GONE)


def _transportable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a plain error naming its type (never its values)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return WorkerFailed(f"{type(exc).__name__} in the collection worker")


def main() -> None:
    from sekswerk_assets.collection.run import fewer_gc_passes

    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed goes to stderr: stdout carries the frames alone
    with fewer_gc_passes():
        asyncio.run(_serve(out_fd))
    # everything is handed over and stdout is closed: the interpreter's teardown (a heap of page records
    # and parsed listings) would only delay the parent, which waits for this process to end
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    # through the package's module, not this ``__main__`` copy: an error sent to the parent must name
    # classes the parent can unpickle (``sekswerk_assets.collection.worker.WorkerFailed``)
    from sekswerk_assets.collection.worker import main as _main

    _main()
