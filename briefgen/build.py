"""Build stage: checked facts + audiences + formats → files in the out folder.

In: a provenance-checked `FactBase`, the audiences and formats asked for, the
template folders and the out folder. Out: one file per (audience, format),
and a list of `Output` records (audience, format, path, bytes, pages).

Each audience's HTML is rendered once in this process; the backends (the slow
part) run in worker processes, `jobs` at a time. Every file is written with
`atomic.write_atomically`: it gets its name only when complete, so a failed or
killed build leaves earlier outputs intact and no partial file.

Interrupts: Ctrl-C (SIGINT, which a terminal sends to every process in the
group) or SIGTERM stops a build at once. The workers pay no heed to SIGINT; the
main process turns either signal into `Interrupted`, terminates the workers,
removes any temporary file of this build (it names them itself, so another
build's are left alone) and raises `BuildInterrupted`, which counts the
outputs renamed into place before the workers stopped.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import TEMP_PREFIX, temp_name_for, write_atomically
from .errors import BriefgenError, display_path

if TYPE_CHECKING:  # the model (pydantic) is not imported just to install the interrupt handler
    from .model import FactBase

FORMATS = {"pdf": ".pdf", "docx": ".docx", "html": ".html"}


@dataclass
class Output:
    audience: str
    format: str
    path: str
    bytes: int
    pages: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Job:
    audience: str
    format: str
    html: str
    meta: dict[str, str]
    assets: dict[str, bytes]
    template_dirs: list[Path]
    template_name: str
    target: Path
    temp: Path | None = None  # the hidden name on the way into place, chosen by the main process (see atomic.py)
    before: tuple[int, int] | None = None  # the target's (st_dev, st_ino) before this build, if it existed


# --------------------------------------------------------------------------- interrupts


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM, raised in the main thread while `handle_interrupts()` is in force.

    A BaseException, as KeyboardInterrupt is, so no `except Exception` swallows it; but not a
    KeyboardInterrupt, which click and Typer turn into a silent exit: the CLI says what was stopped.
    """

    def __init__(self, message: str = "interrupted", signum: int = signal.SIGINT):
        super().__init__(message)
        self.signum = signum


class BuildInterrupted(Interrupted):
    """A build stopped by an interrupt: its workers have ended and its temporary files are gone."""

    def __init__(self, written: int, total: int, signum: int = signal.SIGINT):
        super().__init__(f"interrupted: {written} of {total} outputs written", signum)
        self.written = written  # outputs renamed into place (complete) before the workers stopped
        self.total = total  # outputs asked for


_INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_ignoring = 0  # > 0 while a failed run is cleaned up: a Ctrl-C then must not cut the clean-up short
# Once an interrupt has been raised, more (a second Ctrl-C) are dropped rather than raised half-way
# through the clean-up or the last message, until the handler is removed (the process is ending).
_raised = False
_count = 0  # interrupts raised so far: one that a library caught and swallowed still shows here


def _raise_interrupted(signum: int, frame: object) -> None:
    global _raised, _count
    if _ignoring or _raised:
        return
    _raised = True
    _count += 1
    raise Interrupted(signum=signum)


def _redeliver_swallowed(unraisable, previous: Callable) -> None:
    """An interrupt raised inside a finalizer or weakref callback is "ignored" by Python (which prints
    "Exception ignored in ..."): say nothing, and raise it again in the main thread's own code."""
    global _raised
    if isinstance(unraisable.exc_value, Interrupted):
        import _thread

        _raised = False
        _thread.interrupt_main(unraisable.exc_value.signum)  # runs _raise_interrupted again, outside it
    else:
        previous(unraisable)


@contextmanager
def handle_interrupts() -> Iterator[None]:
    """While in force, SIGINT and SIGTERM raise `Interrupted` in the main thread.

    Only signals left at their default are taken over (an ignored SIGINT, as in a background job,
    stays ignored). Nests; does nothing outside the main thread.
    """
    global _raised
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    taken = []
    for signum in _INTERRUPT_SIGNALS:
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            taken.append((signum, signal.signal(signum, _raise_interrupted)))
    previous_hook = sys.unraisablehook
    if taken:
        sys.unraisablehook = lambda unraisable: _redeliver_swallowed(unraisable, previous_hook)
    try:
        yield
    finally:
        for signum, handler in taken:
            if signal.getsignal(signum) is _raise_interrupted:  # not changed since: put the default back
                signal.signal(signum, handler)
        if taken:
            sys.unraisablehook = previous_hook
            _raised = False


@contextmanager
def ignoring_interrupts() -> Iterator[None]:
    """Interrupts arriving meanwhile are dropped (the one being handled already stops the work)."""
    global _ignoring
    _ignoring += 1
    try:
        yield
    finally:
        _ignoring -= 1


@contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while worker processes are forked (each child starts with them
    blocked and unblocks them once it ignores SIGINT); a signal that arrives meanwhile is raised after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPT_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ignore(signum: int, frame: object) -> None:
    pass


def _worker_init() -> None:
    """In each worker: Ctrl-C reaches the whole process group, but only the main process acts on it;
    SIGTERM, which the main process sends to stop a worker, ends it at once (its default).

    SIGINT is caught and dropped rather than set to SIG_IGN, which programs the worker starts would
    inherit: ctypes.util.find_library runs ldconfig and gcc while WeasyPrint loads, and Ctrl-C must
    end those too (a handler is reset to the default in a started program). SA_RESTART: the signal
    interrupts no system call in the worker.
    """
    signal.signal(signal.SIGINT, _ignore)
    if hasattr(signal, "siginterrupt"):
        signal.siginterrupt(signal.SIGINT, False)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPT_SIGNALS)


class WorkerCrashed(Exception):
    """A worker process ended while it was writing an output (killed from outside, or a crash)."""


class _RemoteTraceback(Exception):
    """The worker's traceback, as the __cause__ of an exception it raised (BRIEFGEN_DEBUG=1 shows it)."""

    def __str__(self) -> str:
        return self.args[0]


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


def _worker_main(conn, parent: int) -> None:
    """A worker process: run each job the main process sends, reply with its Output or its exception."""
    _die_with_parent(parent)
    _worker_init()
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
        try:
            reply = ("ok", run_job(job), None)
        except Exception as exc:
            import traceback

            reply = ("error", exc, traceback.format_exc())
        try:
            conn.send(reply)
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"), reply[2]))


class _Workers:
    """`count` worker processes that each run one job at a time, and can all be stopped at once.

    Not concurrent.futures.ProcessPoolExecutor: it cannot stop work that has started (terminate_workers()
    comes in Python 3.14), and terminating its processes from outside trips its own clean-up: on 3.11,
    interpreter exit then prints "Exception ignored in: <module 'threading'> ... OSError: [Errno 9] Bad
    file descriptor" from its exit hook, in about one interrupted build in six. Here the main process
    owns all of it, with no threads: one pipe per worker, a job to each idle worker, results read as they
    come, and on an interrupt SIGTERM to every worker.
    """

    def __init__(self, count: int):
        import multiprocessing

        context = multiprocessing.get_context()
        self.processes: list = []
        self.idle: list = []
        self.busy: dict = {}  # connection → index of the job its worker runs
        with _interrupts_blocked():  # each child starts with them blocked (see _worker_init)
            for _ in range(count):
                ours, theirs = context.Pipe()
                process = context.Process(target=_worker_main, args=(theirs, os.getpid()), daemon=True,
                                          name="briefgen-worker")
                self.processes.append(process)
                process.start()
                theirs.close()
                self.idle.append(ours)

    def run(self, work: list[Job]) -> Iterator[tuple[int, str, Any, str | None]]:
        """(index, "ok" or "error", Output or exception, traceback) for each job, as they finish."""
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
            for conn in wait(list(self.busy)):
                index = self.busy.pop(conn)
                try:
                    kind, value, trace = conn.recv()
                except (EOFError, OSError):
                    raise WorkerCrashed(f"a worker process ended while writing {display_path(work[index].target)}"
                                        ) from None
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


def _name_temps(work: list[Job]) -> None:
    """Choose each job's hidden temporary name here in the main process, so it knows every name to
    remove after an interrupt, and note each target as it is before the build (see `_written`).
    The name carries this process's id, so another build leaves the file alone while this one runs."""
    for job in work:
        job.temp = temp_name_for(job.target)
        job.before = _file_id(job.target)


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _remove_temps(work: list[Job]) -> None:
    for job in work:
        if job.temp is not None:
            job.temp.unlink(missing_ok=True)


def _written(work: list[Job]) -> int:
    """How many jobs' files are in place: each replaced target is a new file (a new inode)."""
    return sum(1 for job in work if (now := _file_id(job.target)) is not None and now != job.before)


def _backend(fmt: str) -> Callable[..., tuple[bytes, dict]]:
    """The function that renders HTML to this format's bytes. Imported lazily: WeasyPrint alone costs
    about a second to import."""
    if fmt == "pdf":
        from .backends.pdf import pdf_bytes
        return pdf_bytes
    if fmt == "docx":
        from .backends.docx import docx_bytes
        return docx_bytes
    from .backends.html import html_bytes
    return html_bytes


def output_name(base: FactBase, audience: str, fmt: str) -> str:
    """Safe, descriptive file name: briefing slug, audience, briefing date."""
    name = f"{base.slug}_{audience}_{base.briefing.date.iso()}{FORMATS[fmt]}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def run_job(job: Job) -> Output:
    """Write one output atomically (see atomic.py). Runs in a worker process."""
    render = _backend(job.format)
    kwargs: dict[str, Any] = {"template_dirs": job.template_dirs}  # errors name the template file and line
    if job.format == "docx":
        kwargs["reference"] = next((d / "reference.docx" for d in job.template_dirs
                                    if (d / "reference.docx").is_file()), None)
        # Word follows the PDF's layout of the same HTML: its contents list prints the PDF's page
        # numbers and its tables take the PDF's column widths (see pdf_layout.py; about 1 s of CPU).
        from .pdf_layout import pdf_layout
        layout = pdf_layout(job.html, job.template_dirs)
        kwargs["page_numbers"] = layout.pages
        kwargs["column_widths"] = layout.table_columns
    data, info = render(job.html, job.meta, job.assets, template_name=job.template_name, **kwargs)
    try:
        write_atomically(job.target, data, temp=job.temp)
    except OSError as exc:  # disk full, a read-only folder, a file too large for the system
        raise BriefgenError(f"{display_path(job.target)}: cannot write the output: {exc.strerror or exc}; "
                            "the earlier file, if any, is unchanged") from None
    return Output(job.audience, job.format, display_path(job.target), len(data), info.get("pages"))


def remove_stale_partials(out_dir: Path) -> None:
    """A killed build (SIGKILL, a crash, power off) leaves hidden temp files; clear those before writing
    anew, except the ones a build still running makes (named .briefgen-partial-PID-…)."""
    if out_dir.is_dir():
        for stale in out_dir.glob(f"{TEMP_PREFIX}*"):
            pid = stale.name[len(TEMP_PREFIX):].partition("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
                continue
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process
        return True
    return True


def build(base: FactBase, audiences: list[str], formats: list[str], out_dir: Path, user_templates: Path | None,
          jobs: int = 0, on_written: Callable[[Output], None] | None = None, since=None) -> list[Output]:
    """Write each audience's briefing in each format into `out_dir`; the outputs in the order asked for.

    Raises BriefgenError listing every problem, or BuildInterrupted on Ctrl-C or SIGTERM (raised within
    a second: the workers are terminated and this build's temporary files removed).
    """
    work: list[Job] = []
    count = _count
    with handle_interrupts():
        try:
            work = _plan(base, audiences, formats, out_dir, user_templates, since)
            if _count != count:  # raised while the HTML was rendered, and swallowed there
                raise Interrupted()
            return _run(work, jobs, on_written)
        except BaseException as exc:
            # An error that an interrupt caused (a library that caught it and failed) is that interrupt.
            if not isinstance(exc, (Interrupted, KeyboardInterrupt)) and _count == count:
                raise
            with ignoring_interrupts():
                written = _written(work)
            raise BuildInterrupted(written, len(audiences) * len(formats),
                                   getattr(exc, "signum", signal.SIGINT)) from None


def _plan(base: FactBase, audiences: list[str], formats: list[str], out_dir: Path, user_templates: Path | None,
          since) -> list[Job]:
    """Render each audience's HTML here (templates, chart) and list the jobs for the backends."""
    from .chart import draw_chart
    from .context import build_context
    from .render import AUDIENCE_SUFFIX, render_html, template_dirs

    dirs = template_dirs(user_templates)

    from markupsafe import Markup

    work: list[Job] = []
    drawn = False
    funding_chart = None
    for audience in audiences:
        context = build_context(base, audience, since)
        if not drawn:  # the chart depends on the funding only: draw it once per build
            funding_chart = draw_chart(context["funding"], context["funding_summary"],
                                       base.briefing.funding_title, png="docx" in formats)
            drawn = True
        image = ""
        if funding_chart is not None:
            # An <img> with alt text (not inline SVG) so the tagged PDF carries the alt text too;
            # data-asset tells the Word backend which PNG stands in for the SVG.
            data = base64.b64encode(funding_chart.svg.encode("utf-8")).decode("ascii")
            image = (f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{_attr(funding_chart.alt)}" '
                     f'data-asset="funding-chart">')
        chart = {"img": Markup(image), "alt": funding_chart.alt if funding_chart else "",
                 "caption": funding_chart.caption if funding_chart else "", "title": base.briefing.funding_title}
        html = render_html(context, audience, user_templates, extra={"chart": chart})
        html = add_table_of_contents(html)
        # The page's own <title> names the audience, so each file's title says whom it is for.
        meta = {"title": html_title(html) or base.briefing.title, "subject": base.briefing.subject,
                "author": base.briefing.owner,
                "keywords": f"{audience} briefing, {base.briefing.protective_marking}",
                "language": base.briefing.language, "marking": base.briefing.protective_marking,
                "date": base.briefing.date.iso()}
        assets: dict[str, bytes] = {}
        if "docx" in formats and funding_chart is not None:
            assets["funding-chart"] = funding_chart.png
        template_name = f"templates/{audience}{AUDIENCE_SUFFIX}"
        for fmt in formats:
            work.append(Job(audience, fmt, html, meta, assets, dirs, template_name,
                            out_dir / output_name(base, audience, fmt)))

    targets: dict[Path, Job] = {}
    for job in work:  # two outputs with one name: the second would silently replace the first
        if job.target in targets:
            first = targets[job.target]
            raise BriefgenError(f"{display_path(job.target)}: both the {first.audience} {first.format} and the "
                                f"{job.audience} {job.format} output would be written to this file")
        targets[job.target] = job

    # Only now, with every template rendered, is there something to write: a template error leaves no
    # empty out folder behind.
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefgenError(f"{display_path(out_dir)}: cannot create the out folder: {exc.strerror}") from None
    remove_stale_partials(out_dir)
    return work


def _run(work: list[Job], jobs: int, on_written: Callable[[Output], None] | None) -> list[Output]:
    """Run the jobs in `jobs` worker processes; the outputs in the order of `work`, each announced to
    `on_written` in that order. Whatever stops the run (an error, an interrupt) stops every worker and
    removes every temporary file first.

    Even one job runs in a worker: WeasyPrint catches BaseException while it draws an SVG (a Ctrl-C
    there would become a "Failed to render SVG image" error), and a process that only waits for its
    workers answers an interrupt at once.
    """
    if not work:
        return []
    done: dict[int, Output | None] = {}  # None: failed, its problems are in `errors`
    outputs: list[Output] = []
    errors: list = []
    workers = None
    try:
        _name_temps(work)
        workers = _Workers(min(jobs or os.cpu_count() or 1, len(work)))
        announced = 0
        for index, kind, value, trace in workers.run(work):
            if kind == "ok":
                done[index] = value
            elif isinstance(value, BriefgenError):
                done[index] = None
                errors += value.problems
            else:
                raise value from _RemoteTraceback(trace)
            while announced in done:
                output = done[announced]
                announced += 1
                if output is not None:
                    outputs.append(output)
                    if on_written:
                        on_written(output)
        workers.close()
    except BaseException:
        with ignoring_interrupts():
            if workers is not None:
                workers.stop()
            _remove_temps(work)
        raise
    if errors:
        raise BriefgenError(list(dict.fromkeys(str(e) for e in errors)))
    return outputs


def html_title(html: str) -> str:
    """The text of the page's <title>, entities decoded and white space collapsed ("" if it has none)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError for empty or unparsable input
        return ""
    title = root.find("head/title")
    if title is None:
        title = root.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TOC_PLACEHOLDER = '<nav class="toc" aria-label="Contents"></nav>'


def add_table_of_contents(html: str) -> str:
    """Fill the template's empty <nav class="toc"> with links to every h2/h3 that has an id."""
    if _TOC_PLACEHOLDER not in html:
        return html
    entries = []
    for level, anchor, text in _HEADING.findall(html):
        label = re.sub(r"<[^>]+>", "", text).strip()
        entries.append(f'<li class="level-{int(level) - 1}"><a href="#{anchor}">{label}</a></li>')
    toc = ('<nav class="toc" aria-label="Contents">\n<p class="toc-title"><strong>Contents</strong></p>\n<ol>\n'
           + "\n".join(entries) + "\n</ol>\n</nav>")
    return html.replace(_TOC_PLACEHOLDER, toc, 1)
