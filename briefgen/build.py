"""Build stage: checked facts + audiences + formats → files in the out folder.

In: a provenance-checked `FactBase`, the audiences and formats asked for, the
template folders and the out folder. Out: one file per (audience, format),
and a list of `Output` records (audience, format, path, bytes, pages).

Each audience's HTML is rendered once in this process; the backends (the slow
part) run in worker processes, `jobs` at a time. Every file is written with
`atomic.write_atomically`: it gets its name only when complete, so a failed or
killed build leaves earlier outputs intact and no partial file.

Interrupts: Ctrl-C (SIGINT, which a terminal sends to every process in the
group) or SIGTERM stops a build at once. The workers (workers.py) pay no heed
to SIGINT; the main process turns either signal into `Interrupted`
(interrupts.py), terminates the workers,
removes any temporary file of this build (it names them itself, so another
build's are left alone) and raises `BuildInterrupted`, which counts the
outputs renamed into place before the workers stopped.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .atomic import TEMP_PREFIX, temp_name_for, write_atomically
from .build_cache import BuildCache, Output, fresh_outputs
from .errors import BriefgenError, Problem, display_path
from .interrupts import Interrupted, handle_interrupts, ignoring_interrupts, raised_count
from .page_parts import html_title
from .plan import FORMATS, Job, output_name, plan_jobs
from .workers import RemoteTraceback, Workers

__all__ = ["FORMATS", "BuildInterrupted", "Interrupted", "Job", "Output", "build", "handle_interrupts",
           "html_title", "output_name", "remove_stale_partials", "run_job"]

if TYPE_CHECKING:  # the model (pydantic) is not imported just to install the interrupt handler
    from .model import FactBase, FactDate


class BuildInterrupted(Interrupted):
    """A build stopped by an interrupt: its workers have ended and its temporary files are gone."""

    def __init__(self, written: int, total: int, signum: int = signal.SIGINT):
        super().__init__(f"interrupted: {written} of {total} outputs written", signum)
        self.written = written  # outputs renamed into place (complete) before the workers stopped
        self.total = total  # outputs asked for



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


def _handover_files(count: int) -> list[IO[bytes]]:
    """`count` nameless temporary files for layout hand-overs (O_TMPFILE on Linux: nothing for a kill to
    leave behind); none where workers are not forked, as they would not inherit the descriptors."""
    import multiprocessing
    import tempfile

    if multiprocessing.get_start_method() != "fork":
        return []
    return [tempfile.TemporaryFile() for _ in range(count)]  # closed by _run (or Pool.stop)


def _share_layouts(work: list[Job], premade: list[IO[bytes]] | None = None) -> list[IO[bytes]]:
    """Where one briefing's PDF and Word jobs both run (the same file name but for its suffix), let the
    Word job take the PDF job's layout, through a nameless temporary file. Returns the files, to close
    once the jobs are done. The workers must be forked after the files are made, to inherit the
    descriptors: `premade` are files made before a `Pool` was started, used in turn (once they run out,
    a Word job lays out on its own, as it does where workers are not forked)."""
    pairs = []
    pdf_jobs = {job.target.with_suffix(""): job for job in work if job.format == "pdf"}
    for job in work:
        pdf_job = pdf_jobs.get(job.target.with_suffix(""))
        if job.format == "docx" and pdf_job is not None:
            pairs.append((pdf_job, job))
    handovers = list(premade) if premade is not None else _handover_files(len(pairs))
    for (pdf_job, docx_job), handover in zip(pairs, handovers, strict=False):
        docx_job.layout_fd = pdf_job.layout_fd = handover.fileno()
    return handovers


def warm_backends(formats: tuple[str, ...]) -> None:
    """In a worker started early (`start_pool`): import what these formats' jobs will need — WeasyPrint
    alone takes about 0.7 s — while the main process checks the facts and renders the HTML."""
    for fmt in formats:
        _backend(fmt)
    if "pdf" in formats or "docx" in formats:  # Word lays the HTML out with WeasyPrint too (pdf_layout.py)
        import warnings

        with warnings.catch_warnings():  # as pdf_bytes does: a missing font is its error to report
            warnings.filterwarnings("ignore", message=".*FontConfig.*")
            import weasyprint  # noqa: F401
        from .backends import pdf_structure  # noqa: F401 - pikepdf, for the PDF's tag tree


@dataclass
class Pool:
    """Worker processes started before the facts are checked (`start_pool`), and the hand-over files
    made before they were forked. Give it to `build_all`, which uses it up; `stop` it if not built."""

    workers: Workers
    handovers: list[IO[bytes]]
    used: bool = False

    def stop(self) -> None:
        """Not needed after all (the check failed, or an interrupt): end the workers, close the files."""
        if not self.used:
            self.used = True
            with ignoring_interrupts():
                self.workers.stop()
            for handover in self.handovers:
                handover.close()


def start_pool(count: int, formats: list[str], handovers: int) -> Pool:
    """`count` workers, each importing what `formats` need as it starts, and `handovers` hand-over files
    (one per audience that gets both a PDF and a Word file), made first so that the workers inherit them."""
    import functools

    files = _handover_files(handovers)
    return Pool(Workers(count, run_job, functools.partial(warm_backends, tuple(formats))), files)


def _written(work: list[Job]) -> int:
    """How many jobs' files are in place: each replaced target is a new file (a new inode)."""
    return sum(1 for job in work if (now := _file_id(job.target)) is not None and now != job.before)


def _backend(fmt: str) -> Callable[..., tuple[bytes, dict[str, Any]]]:
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


def run_job(job: Job) -> Output:
    """Write one output atomically (see atomic.py). Runs in a worker process."""
    render = _backend(job.format)
    kwargs: dict[str, Any] = {"template_dirs": job.template_dirs}  # errors name the template file and line
    if job.format == "docx":
        kwargs["reference"] = next((d / "reference.docx" for d in job.template_dirs
                                    if (d / "reference.docx").is_file()), None)
        # Word follows the PDF's layout of the same HTML: its contents list prints the PDF's page
        # numbers and its tables take the PDF's column widths (see pdf_layout.py). The layout costs
        # as much as the PDF itself: taken from the PDF job when the build makes one.
        from .pdf_layout import await_layout, pdf_layout
        layout = await_layout(job.layout_fd) if job.layout_fd is not None else None
        if layout is None:
            layout = pdf_layout(job.html, job.template_dirs)
        kwargs["page_numbers"] = layout.pages
        kwargs["column_widths"] = layout.table_columns
    elif job.format == "pdf" and job.layout_fd is not None:
        from .pdf_layout import layout_of, publish_layout
        layout_fd = job.layout_fd
        kwargs["on_layout"] = lambda document: publish_layout(layout_of(document), layout_fd)
    try:
        data, info = render(job.html, job.meta, job.assets, template_name=job.template_name, **kwargs)
    finally:
        if job.format == "pdf" and job.layout_fd is not None:
            from .pdf_layout import is_published, publish_layout
            if not is_published(job.layout_fd):
                publish_layout(None, job.layout_fd)  # the Word job waits for an answer: it lays out alone
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


@dataclass
class Request:
    """One briefing to build: its checked facts, what to make of them and where to put it."""

    base: FactBase
    audiences: list[str]
    formats: list[str]
    out_dir: Path
    user_templates: Path | None
    since: FactDate | None = None
    cache_inputs: str | None = None  # build_cache.inputs_key; None: no cache


def build(base: FactBase, audiences: list[str], formats: list[str], out_dir: Path, user_templates: Path | None,
          jobs: int = 0, on_written: Callable[[Output], None] | None = None,
          since: FactDate | None = None, cache_inputs: str | None = None, force: bool = False) -> list[Output]:
    """Write each audience's briefing in each format into `out_dir`; the outputs in the order asked for.

    With `cache_inputs` (build_cache.inputs_key), an output whose inputs are unchanged and whose file is
    still the one written is not rebuilt (it comes back with up_to_date=True) unless `force`; what is
    written is recorded for next time.

    Raises BriefgenError listing every problem, or BuildInterrupted on Ctrl-C or SIGTERM (raised within
    a second: the workers are terminated and this build's temporary files removed).
    """
    request = Request(base, audiences, formats, out_dir, user_templates, since, cache_inputs)
    return build_all([request], jobs, on_written, force)[0]


def build_all(requests: list[Request], jobs: int = 0, on_written: Callable[[Output], None] | None = None,
              force: bool = False, pool: Pool | None = None) -> list[list[Output]]:
    """`build` for several briefings at once, sharing one set of worker processes; each request's
    outputs in the order asked for. Every briefing's templates are rendered before anything is written.
    With `pool` (started before the facts were checked), its workers run the jobs, and it is used up."""
    work: list[Job] = []
    count = raised_count()
    with handle_interrupts():
        try:
            planned: list[tuple[Request, BuildCache | None, dict[tuple[str, str], Output], list[Job]]] = []
            for request in requests:
                cache = BuildCache(request.out_dir) if request.cache_inputs is not None else None
                fresh = {} if cache is None or request.cache_inputs is None or force else fresh_outputs(
                    cache, request.cache_inputs, request.out_dir, request.audiences, request.formats)
                for output in fresh.values():
                    if on_written:
                        on_written(output)
                stale = [a for a in request.audiences if any((a, f) not in fresh for f in request.formats)]
                jobs_of_request = plan_jobs(request.base, stale, request.formats, request.out_dir,
                                            request.user_templates, request.since, skip=set(fresh))
                planned.append((request, cache, fresh, jobs_of_request))
                work += jobs_of_request
            _refuse_collisions(work)
            # Only now, with every template rendered, is there something to write: a template error
            # leaves no empty out folder behind.
            for out_dir in dict.fromkeys(job.target.parent for job in work):
                try:
                    out_dir.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise BriefgenError(f"{display_path(out_dir)}: cannot create the out folder: "
                                        f"{exc.strerror}") from None
                remove_stale_partials(out_dir)
            if raised_count() != count:  # raised while the HTML was rendered, and swallowed there
                raise Interrupted()
            # _run returns one output per job, in order (or raises): each request takes its jobs' outputs.
            outputs = _run(work, jobs, on_written, pool)
            output_of = {id(job): output for job, output in zip(work, outputs, strict=True)}
            results = []
            for request, cache, fresh, jobs_of_request in planned:
                written = [output_of[id(job)] for job in jobs_of_request]
                if cache is not None and request.cache_inputs is not None:
                    _remember(cache, request.cache_inputs, jobs_of_request, written, request.base.briefing.audiences)
                by_output = {(o.audience, o.format): o for o in written} | fresh
                results.append([by_output[(a, f)] for a in request.audiences for f in request.formats
                                if (a, f) in by_output])
            return results
        except BaseException as exc:
            # An error that an interrupt caused (a library that caught it and failed) is that interrupt.
            if not isinstance(exc, (Interrupted, KeyboardInterrupt)) and raised_count() == count:
                raise
            with ignoring_interrupts():
                written_count = _written(work)
            asked = sum(len(r.audiences) * len(r.formats) for r in requests)
            raise BuildInterrupted(written_count, asked, getattr(exc, "signum", signal.SIGINT)) from None
        finally:
            if pool is not None:
                pool.stop()  # nothing once _run has taken it; else (nothing to build, an error) its workers end


def _refuse_collisions(work: list[Job]) -> None:
    """Two outputs with one name: the second would silently replace the first."""
    targets: dict[Path, Job] = {}
    for job in work:
        if job.target in targets:
            first = targets[job.target]
            raise BriefgenError(f"{display_path(job.target)}: both the {first.audience} {first.format} and the "
                                f"{job.audience} {job.format} output would be written to this file")
        targets[job.target] = job


def _remember(cache: BuildCache, inputs: str, work: list[Job], written: list[Output],
              briefing_audiences: list[str]) -> None:
    """Record each output written (with the template files its rendering read) for the next build."""
    done = {(o.audience, o.format): o for o in written}
    for job in work:
        output = done.get((job.audience, job.format))
        if output is not None:
            cache.record(job.target, inputs, job.audience, job.format, job.templates_read, output.pages)
    cache.audiences = {inputs: list(briefing_audiences)}
    cache.save()


def _run(work: list[Job], jobs: int, on_written: Callable[[Output], None] | None,
         pool: Pool | None = None) -> list[Output]:
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
    # Problems by job, reported in the order the outputs were asked for, whichever worker finished first.
    outputs: list[Output] = []
    errors: dict[int, list[Problem | str]] = {}
    workers = None
    handovers: list[IO[bytes]] = []
    try:
        _name_temps(work)
        if pool is not None:  # started before the facts were checked: its workers have warmed up meanwhile
            pool.used = True
            workers = pool.workers
            handovers = _share_layouts(work, pool.handovers)
        else:
            handovers = _share_layouts(work)
        # Every PDF job starts before any Word job, so a Word job waiting for its PDF job's layout
        # waits only for one already running, never for one queued behind it.
        order = sorted(range(len(work)), key=lambda i: (work[i].format != "pdf", i))
        if workers is None:
            workers = Workers(min(jobs or os.cpu_count() or 1, len(work)), run_job)
        announced = 0
        for position, kind, value, trace in workers.run([work[i] for i in order],
                                                        lambda job: f"writing {display_path(job.target)}"):
            index = order[position]
            if kind == "ok":
                done[index] = value
            elif isinstance(value, BriefgenError):
                done[index] = None
                errors[index] = value.problems
            else:
                raise value from RemoteTraceback(trace)
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
    finally:
        for handover in handovers:
            handover.close()
    if errors:
        in_order = [str(problem) for index in sorted(errors) for problem in errors[index]]
        raise BriefgenError(list(dict.fromkeys(in_order)))  # one line per problem, each once
    return outputs
