"""Worker processes: a small pool that runs one task per job in other processes, and can stop them all.

In: a task (a module-level function), optionally a warm-up each worker runs as it starts, and a
list of jobs. Out: (index, "ok" or "error", result or exception, traceback) for each job as it
finishes. Workers die with the main process (Linux
PR_SET_PDEATHSIG), ignore Ctrl-C (the main process acts on it) and end at once on SIGTERM;
`stop()` ends them all, running or idle.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from .interrupts import INTERRUPT_SIGNALS, ignore_signal, interrupts_blocked

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def _worker_init() -> None:
    """In each worker: Ctrl-C reaches the whole process group, but only the main process acts on it;
    SIGTERM, which the main process sends to stop a worker, ends it at once (its default).

    SIGINT is caught and dropped rather than set to SIG_IGN, which programs the worker starts would
    inherit: ctypes.util.find_library runs ldconfig and gcc while WeasyPrint loads, and Ctrl-C must
    end those too (a handler is reset to the default in a started program). SA_RESTART: the signal
    interrupts no system call in the worker.
    """
    signal.signal(signal.SIGINT, ignore_signal)
    if hasattr(signal, "siginterrupt"):
        signal.siginterrupt(signal.SIGINT, False)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPT_SIGNALS)


class WorkerCrashed(Exception):
    """A worker process ended while it ran a job (killed from outside, or a crash)."""


class RemoteTraceback(Exception):
    """The worker's traceback, as the __cause__ of an exception it raised (BRIEFGEN_DEBUG=1 shows it)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the main process dies, even by SIGKILL, so no worker
    goes on writing outputs for a build nobody is waiting for. Elsewhere the workers notice between jobs."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _worker_main(conn: Connection, parent: int, task: Callable[[Any], Any],
                 warm: Callable[[], None] | None = None) -> None:
    """A worker process: run `task` on each job the main process sends, reply with its result or exception.
    `warm` first, if given: what the jobs will need, loaded while the main process prepares them."""
    _die_with_parent(parent)
    _worker_init()
    if warm is not None:
        try:
            warm()
        except Exception:  # only a head start: a job that needs what failed to load says so itself
            pass
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent:  # the main process was killed: nobody wants the rest
                return
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        reply: tuple[str, Any, str | None]
        try:
            reply = ("ok", task(job), None)
        except Exception as exc:
            import traceback

            reply = ("error", exc, traceback.format_exc())
        try:
            conn.send(reply)
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"), reply[2]))


class Workers:
    """`count` worker processes that each run one job at a time, and can all be stopped at once.

    Not concurrent.futures.ProcessPoolExecutor: it cannot stop work that has started (terminate_workers()
    comes in Python 3.14), and terminating its processes from outside trips its own clean-up: on 3.11,
    interpreter exit then prints "Exception ignored in: <module 'threading'> ... OSError: [Errno 9] Bad
    file descriptor" from its exit hook, in about one interrupted build in six. Here the main process
    owns all of it, with no threads: one pipe per worker, a job to each idle worker, results read as they
    come, and on an interrupt SIGTERM to every worker.
    """

    def __init__(self, count: int, task: Callable[[Any], Any], warm: Callable[[], None] | None = None):
        import multiprocessing

        context = multiprocessing.get_context()
        self.processes: list[Any] = []
        self.idle: list[Connection] = []
        self.busy: dict[Connection, int] = {}  # connection → index of the job its worker runs
        with interrupts_blocked():  # each child starts with them blocked (see _worker_init)
            for _ in range(count):
                ours, theirs = context.Pipe()
                process = context.Process(target=_worker_main, args=(theirs, os.getpid(), task, warm),
                                          daemon=True, name="briefgen-worker")
                self.processes.append(process)
                process.start()
                theirs.close()
                self.idle.append(ours)

    def run(self, work: list[Any], describe: Callable[[Any], str]) -> Iterator[tuple[int, str, Any, str | None]]:
        """(index, "ok" or "error", result or exception, traceback) for each job, as they finish;
        `describe(job)` names what a worker was doing should it end unexpectedly."""
        from multiprocessing.connection import wait

        waiting = list(enumerate(work))
        while waiting or self.busy:
            while waiting and self.idle:
                conn = self.idle.pop()
                index, job = waiting.pop(0)
                self.busy[conn] = index
                try:
                    conn.send(job)
                except OSError:  # the worker is gone: recv says so below
                    pass
            for ready in wait(list(self.busy)):
                conn = cast("Connection", ready)
                index = self.busy.pop(conn)
                try:
                    kind, value, trace = conn.recv()
                except (EOFError, OSError):
                    raise WorkerCrashed(f"a worker process ended while {describe(work[index])}") from None
                self.idle.append(conn)
                yield index, kind, value, trace

    def close(self) -> None:
        """All jobs done: let the workers end, and wait for them."""
        for conn in self.idle:
            try:
                conn.send(None)
            except OSError:
                pass
        for process in self.processes:
            process.join(5)
        self.stop()

    def stop(self, grace: float = 0.5) -> None:
        """End every worker now, running or idle: SIGTERM (which a worker does not catch), then SIGKILL
        for any still there after `grace` seconds; wait for each to end."""
        from multiprocessing.connection import wait

        started = [p for p in self.processes if p.pid is not None]
        for process in started:
            if process.exitcode is None:
                try:
                    process.terminate()
                except OSError:  # ended meanwhile
                    pass
        deadline = time.monotonic() + grace
        left = {p.sentinel: p for p in started}
        while left and time.monotonic() < deadline:
            for ended in wait(list(left), timeout=max(0.0, deadline - time.monotonic())):
                left.pop(ended)
        for process in left.values():
            try:
                process.kill()
            except OSError:
                pass
        for process in started:
            process.join(grace)  # reap it
        for conn in [*self.idle, *self.busy]:
            conn.close()
        self.idle, self.busy = [], {}


