"""Long work as jobs a page can watch: queued, running (with a stage and a count), done or failed.

A page posts its request to ``/api/jobs/{view}`` and polls ``/api/jobs/{id}``
until the job is done, showing the stage, the elapsed time and, where the work
has a count (runs scored, scenarios estimated), how far it has got. Jobs run on
a small pool of threads; finished jobs are kept for a while, a bounded number.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dojosim.errors import DojosimError
from dojosim.web.inputs import error_body

log = logging.getLogger("dojosim.web")


@dataclass
class Job:
    """One piece of work and what a page sees of it."""

    id: str
    view: str
    state: str = "queued"  # queued | running | done | failed
    stage: str = "waiting for a worker"
    done: int | None = None
    total: int | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    status_code: int = 200

    def progress(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        """Called by the work as it goes."""
        self.stage, self.done, self.total = stage, done, total

    def as_dict(self) -> dict[str, Any]:
        end = self.finished if self.finished is not None else time.monotonic()
        out: dict[str, Any] = {
            "id": self.id,
            "view": self.view,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "elapsed_s": round(end - self.started, 3),
        }
        if self.state == "done":
            out["result"] = self.result
        if self.state == "failed":
            out["error"] = self.error
            out["status_code"] = self.status_code
        return out


Progress = Callable[[str, int | None, int | None], None]


class JobRunner:
    """A bounded thread pool and the last ``keep`` jobs."""

    def __init__(self, workers: int = 2, keep: int = 200) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = (
            None  # started on the first job, again after shutdown
        )
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, view: str, work: Callable[[Progress], Any]) -> Job:
        job = Job(id=uuid.uuid4().hex, view=view)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="dojosim-job"
                )
            self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    @staticmethod
    def _run(job: Job, work: Callable[[Progress], Any]) -> None:
        job.state, job.stage = "running", "starting"
        try:
            job.result = work(job.progress)
            job.state = "done"
        except DojosimError as exc:
            job.error, job.status_code, job.state = error_body(exc), 422, "failed"
        except Exception as exc:  # a bug, not bad input: logged, and reported without a traceback
            log.exception("job %s (%s) failed", job.id, job.view)
            job.error = {"error": f"internal error ({type(exc).__name__}); see the server log"}
            job.status_code, job.state = 500, "failed"
        finally:
            job.finished = time.monotonic()

    def shutdown(self) -> None:
        """Stop the workers (queued jobs are dropped); a later job starts new ones."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
