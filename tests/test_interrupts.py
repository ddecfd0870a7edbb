"""Interrupting a build: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM
(to the main process) stops every worker within a second, removes the build's temporary files, prints
one line, `interrupted: N of M outputs written`, and exits 130; every output already in the folder is
either the earlier build's file, untouched, or a complete new one.

Each run is `python -m briefgen build --format all --audience all --out DIR --jobs 2` on the shipped
example, started in a session of its own (so the test can signal its process group) over the outputs
of a first complete build. Builds are reproducible, so every file must end up byte-identical to that
first build's; the first build's files are dated 2001 beforehand, so the files a run renamed into
place are the ones with a new date, and there must be exactly N of them.

Timing. A build checks the facts, renders each audience's HTML in the main process (the "build stage"
starts here, when it clears stale temporary files), then runs the workers (importing WeasyPrint, then
writing outputs). The signal times count from the start of the build stage, which the test sees as a
planted `.briefgen-partial-x.pdf` (what a SIGKILL'd build leaves) disappearing. Every build runs on one
CPU, so the two workers share it and the outputs come out spread over the run, whatever the number of
cores. Such a build takes about REFERENCE_SECONDS here (2 cores), and 0.5 s, 2 s and 4 s fall in three
stages: the main process rendering HTML (nothing written yet), the workers starting (nothing written
yet), and the workers part-way (some outputs written, others in progress). On a faster machine the
first build's own duration scales the times down, so that no run finishes before its signal and each
signal still falls in its stage; on a slower (or busy) one they stay as they are, and the 4 s signal
also waits for a first output, so that it still falls part-way. A run of this file takes about 27 s.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

REFERENCE_SECONDS = 6.0  # build stage to exit of a complete build on one CPU, on the machine the times are for
OLD = 978_307_200 * 10**9  # 2001-01-01, in ns: the first build's files are dated so
STALE = ".briefgen-partial-x.pdf"  # a temporary file as a SIGKILL'd build leaves it
ALL = ("--format", "all", "--audience", "all", "--jobs", "2", "--force")  # --force: rebuild, though up to date


def _env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("BRIEFGEN_DEBUG", None)
    return env


def _as_from_a_terminal() -> None:
    """SIGINT and SIGTERM at their defaults, as a command typed at a terminal has them. Where the tests
    run matters otherwise: pytest-xdist's workers, or a script's background job, ignore SIGINT, and a
    program inherits that, so briefgen (which leaves an ignored SIGINT ignored) would not stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start(out: Path, args: tuple[str, ...] = ALL) -> tuple[subprocess.Popen, float]:
    """Start a build into `out` in a new session, on one CPU; return it and when its build stage began."""
    out.mkdir(exist_ok=True)
    (out / STALE).write_bytes(b"")
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", "--out", str(out), *args],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_from_a_terminal)
    if hasattr(os, "sched_setaffinity"):  # before the workers are forked (a second or so from now): they inherit it
        try:
            os.sched_setaffinity(process.pid, {min(os.sched_getaffinity(0))})
        except ProcessLookupError:  # it failed at once: the loop below says how
            pass
    deadline = time.monotonic() + 60
    while (out / STALE).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _kill(process)
            pytest.fail(f"the build never started: {process.communicate()[1]}")
        time.sleep(0.005)
    return process, time.monotonic()


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _running_in_session(sid: int) -> list[str]:
    """The processes of session `sid` still running (a zombie has ended: only its reaping is left)."""
    if not Path("/proc/self/stat").exists():
        try:
            os.killpg(sid, 0)
        except ProcessLookupError:
            return []
        return [f"process group {sid}"]
    running = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, _ppid, _pgrp, session = stat[stat.rindex(")") + 2:].split()[:4]
        if int(session) == sid and state not in "ZX":
            running.append(f"{entry} {stat[stat.index('('):stat.rindex(')') + 1]} {state}")
    return running


def _at(began: float, at: float, took: float) -> float:
    """When to signal: `at` s into the build stage, scaled down on a machine faster than REFERENCE_SECONDS."""
    return began + at * min(1.0, took / REFERENCE_SECONDS)


def _files(folder: Path) -> dict[str, bytes]:
    """The outputs in `folder` (the build cache's record aside)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.name != ".briefgen-cache.json"}


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """A complete build: its files, and how long its build stage took (the machine's speed)."""
    out = tmp_path_factory.mktemp("first-build")
    process, began = _start(out)
    _, stderr = process.communicate(timeout=300)
    took = time.monotonic() - began
    assert process.returncode == 0, stderr
    files = _files(out)
    assert len(files) == 9 and STALE not in files, sorted(files)
    return out, files, took


def test_a_killed_builds_temporary_file_is_removed_by_the_next_build(first_build):
    # _start planted a 0-byte .briefgen-partial-x.pdf, as a SIGKILL leaves it, in the first build's folder.
    out, files, _ = first_build
    assert not list(out.glob(".briefgen-partial-*")) and len(files) == 9


def _interrupt(first_build, tmp_path, signum, at, args=ALL, total=9, once_written=False) -> int:
    """Run a build over the first build's files, signal it `at` s (scaled) into its build stage (or, if
    `once_written`, as soon as an output has been written), check every promise; return N."""
    reference, files, took = first_build
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    for path in out.iterdir():
        os.utime(path, ns=(OLD, OLD))
    process, began = _start(out, args)
    due = _at(began, at, took)
    # once_written: signal as soon as a first output is in place, so the signal falls part-way (waiting
    # for `at` as well, a fast build could end before it).
    while ((not once_written and time.monotonic() < due)
           or (once_written and all((out / n).stat().st_mtime_ns == OLD for n in files))):
        if process.poll() is not None:
            break
        time.sleep(0.01)
    sent = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)  # as Ctrl-C in a terminal: every process in the group
    else:
        os.kill(process.pid, signum)  # as a service manager or `kill`: the main process only
    try:
        stdout, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        _kill(process)
        pytest.fail(f"still running 10 s after {signum.name}: {process.communicate()}")
    exited = time.monotonic() - sent
    print(f"{signum.name} at {sent - began:.2f} s into the build stage (the first build's took {took:.2f} s): "
          f"exit {process.returncode} after {exited:.3f} s; {stderr.strip()}")

    assert process.returncode == 130, stderr
    assert exited < 1.0
    line = re.fullmatch(rf"interrupted: (\d+) of {total} outputs written\n", stderr)
    assert line, stderr  # that one line: no traceback, no "Exception ignored"
    written = int(line.group(1))
    assert not list(out.glob(".briefgen-partial-*"))
    assert _files(out) == files  # each file the earlier build's, or a complete new one (the same bytes)
    rewritten = sorted(p.name for p in out.iterdir() if p.stat().st_mtime_ns != OLD and p.name in files)
    assert written == len(rewritten), rewritten
    assert stdout.count("wrote ") <= written, stdout

    while (running := _running_in_session(process.pid)) and time.monotonic() < sent + 1.0:
        time.sleep(0.02)
    assert not running, f"still running 1 s after {signum.name}: {running}"
    return written


@pytest.mark.parametrize("at, stage", [(0.5, "main process rendering the HTML"), (2.0, "workers starting"),
                                       (4.0, "workers part-way")], ids=["0.5s", "2s", "4s"])
def test_ctrl_c(first_build, tmp_path, at, stage):
    written = _interrupt(first_build, tmp_path, signal.SIGINT, at, once_written=stage == "workers part-way")
    if stage == "workers part-way":
        assert 0 < written < 9, f"the signal missed the stage it is for ({stage})"
    else:
        assert written == 0, f"the signal missed the stage it is for ({stage})"


def test_sigterm_to_the_main_process(first_build, tmp_path):
    _interrupt(first_build, tmp_path, signal.SIGTERM, 2.5)


def test_ctrl_c_in_a_single_output_build(first_build, tmp_path):
    # One output, --jobs 1: the backend runs in one worker all the same (never in the main process).
    # 0.6 s: the worker is still loading WeasyPrint (about a second), so even a fast machine is mid-build;
    # at 1.5 s a loaded CI machine had already written the one PDF and was exiting.
    _interrupt(first_build, tmp_path, signal.SIGINT, 0.6,
               ("--format", "pdf", "--audience", "official", "--jobs", "1", "--force"), total=1)


@pytest.mark.parametrize(("at", "once_written"), [(1.0, False), (2.5, False), (3.5, False), (0.0, True)])
def test_sigkill_to_the_group_leaves_no_partial_file(first_build, tmp_path, at, once_written):
    """SIGKILL to every process of the build (nothing can clean up): outputs are written to nameless
    files that get a name only when complete (atomic.py), so the folder holds the earlier build's files
    and complete new ones (byte-identical, builds being reproducible), and nothing else."""
    reference, files, took = first_build
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    for path in out.iterdir():
        os.utime(path, ns=(OLD, OLD))
    process, began = _start(out)
    # once_written: kill as soon as a first output is in place, so the kill falls part-way (waiting for
    # `at` as well, a fast build could end before it).
    while ((not once_written and time.monotonic() < _at(began, at, took))
           or (once_written and all(p.stat().st_mtime_ns == OLD for p in out.iterdir() if p.name in files))):
        if process.poll() is not None:
            pytest.fail(f"the build ended before it could be killed: {process.communicate()}")
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    assert not list(out.glob(".briefgen-partial-*")), f"killed at {at} s"
    assert _files(out) == files
    if once_written:
        renamed = [p.name for p in out.iterdir() if p.stat().st_mtime_ns != OLD and p.name in files]
        assert 0 < len(renamed) < 9, renamed


@pytest.mark.parametrize("delay", [0.3, 0.7, 1.2, 1.8, 2.5, 3.0, 3.5, 4.0, 1.0, 2.0])
def test_sigkill_to_the_main_process_takes_the_workers_with_it(first_build, tmp_path, delay):
    """SIGKILL to the main process only (nothing can run in it): the kernel ends the workers too
    (PR_SET_PDEATHSIG), so at once nothing of the build is left running to replace outputs."""
    reference, _, _ = first_build
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    process, began = _start(out)
    while time.monotonic() < began + delay and process.poll() is None:
        time.sleep(0.01)
    try:
        os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)  # not communicate(): that would wait for the workers too (they share its pipes)
    # The issue allows 2 s; the kernel does it at once, so 0.5 s tells PR_SET_PDEATHSIG from a worker that
    # merely notices between jobs (which would also finish, and rename into place, the output it was writing).
    deadline = time.monotonic() + 0.5
    while _running_in_session(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    left = _running_in_session(process.pid)
    _kill(process)
    process.communicate(timeout=10)
    assert left == [], f"workers outlived the main process (killed at {delay} s)"


@pytest.mark.parametrize("case", ["bad-amount", "good"])
def test_a_build_leaves_no_process_behind_whether_its_check_passes_or_fails(tmp_path, case):
    """The workers start before the facts are checked (they load WeasyPrint meanwhile): a failed check
    ends them, and so does a finished build. Nothing of the build's process group outlives it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", "--seeds", "../_seeds", "--format", "pdf,docx",
         "--audience", "press", "--out", str(tmp_path / "out")],
        cwd=ROOT / "tests" / "cases" / case, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == (1 if case.startswith("bad") else 0), stderr
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # anything left in the group it led?
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("a process of the build's group was still there 5 s after it ended")
