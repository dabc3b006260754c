"""Fleet batches on Dask (``triage fleet --scheduler local|tcp://HOST:PORT``).

Optional: needs ``pip install 'triagebench[dask]'``; ``DaskMissing`` carries the one-line
message when it is not installed. The library is scattered to every worker once (by
value); each batch is one task returning ``BatchResult``; only its records come back to
the driver (they go straight to the store), while the partials are merged *on the
workers* by ``merge_partials`` tasks in the same binary tree as the process pool
(``fleet.TreeReducer``), so results are identical and the driver holds only futures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from triagebench.services.fleet import (
    BatchResult,
    FileRecord,
    Partial,
    ScanOptions,
    WorkItem,
    merge_partials,
    scan_batch,
)

if TYPE_CHECKING:
    from triagebench.heuristics.format import Library

INSTALL_HINT = "pip install 'triagebench[dask]'"


class DaskMissing(Exception):
    """dask.distributed is not installed (one line, with the install command)."""


class SchedulerError(Exception):
    """The Dask scheduler could not be reached or started (one line)."""


def _records(result: BatchResult) -> list[FileRecord]:
    return result.records


def _partial(result: BatchResult) -> Partial:
    return result.partial


class DaskBackend:
    """Batches on a Dask cluster: ``local`` starts a ``LocalCluster``, else an address."""

    def __init__(self, options: ScanOptions, library: Library, scheduler: str,
                 jobs: int | None = None, processes: bool = True,
                 connect_timeout: float = 10.0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskMissing(f"--scheduler {scheduler} needs Dask: {INSTALL_HINT}") from None
        self.options = options
        self._cluster: Any = None
        self.client: Any = None
        try:
            if scheduler == "local":
                self._cluster = LocalCluster(n_workers=jobs or None, threads_per_worker=1,
                                             processes=processes, dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(scheduler, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise SchedulerError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._library = self.client.scatter(library, broadcast=True, hash=False)
        self._pending: list[Any] = []

    def map(self, batches: Sequence[Sequence[WorkItem]]) -> Iterator[tuple[list[FileRecord],
                                                                              Any]]:
        window = self.workers * 4  # batches in flight
        pending: dict[int, tuple[Any, Any]] = {}
        submitted = 0
        for index in range(len(batches)):
            while submitted < len(batches) and submitted < index + window:
                result = self.client.submit(scan_batch, list(batches[submitted]), self.options,
                                            self._library, pure=False)
                pending[submitted] = (self.client.submit(_records, result),
                                      self.client.submit(_partial, result))
                submitted += 1
            records_future, partial_future = pending.pop(index)
            self._pending = [f for pair in pending.values() for f in pair]
            records = records_future.result()
            records_future.release()
            yield records, partial_future
        self._pending = []

    def merge(self, a: Any, b: Any) -> Any:
        return self.client.submit(merge_partials, a, b, self.options.max_examples)

    def result(self, handle: Any) -> Partial:
        value: Partial = handle.result()
        return value

    def cancel(self) -> None:
        if self._pending:
            self.client.cancel(self._pending)
            self._pending = []

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


__all__ = ["INSTALL_HINT", "DaskBackend", "DaskMissing", "SchedulerError"]
