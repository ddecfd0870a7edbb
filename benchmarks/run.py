#!/usr/bin/env python3
"""Benchmark briefgen against plain tools on synthetic projects of N events.

    python benchmarks/run.py [--sizes 10,100,1000,5000] [--repeat 3] [--tools LIST]
                             [--jobs N] [--json FILE] [--chart FILE.svg] [--markdown FILE]
    python benchmarks/run.py --smoke          # N = 10 once, every tool; exit 1 if any failed
    python benchmarks/run.py --from-json A.json [B.json ...] --markdown FILE --chart FILE.svg

Every measurement is one whole process (a fresh `briefgen`, `pandoc` or `python`), started by
this runner and reaped with wait4(2), which gives its wall time, CPU time and peak resident set
size (the largest of the process and the children it waited for — as `/usr/bin/time -v` reports
it; with `--jobs`, that is the largest single process, not the sum over workers). Runs are
interleaved: each round runs every size and every tool once, and the rounds repeat, so a slow
patch on the machine touches all tools alike. Medians are reported.

Tools (ids for --tools):

  check        briefgen check
  yaml         PyYAML's C loader on the same fact files (baseline for check)
  pdf          briefgen build, official audience, PDF
  rebuild      the same build again into the same out folder, unchanged inputs (the second is timed)
  weasyprint   WeasyPrint alone on briefgen's official HTML, with briefgen's pdf_variant and pdf_tags
  pandoc-pdf   pandoc Markdown → PDF through WeasyPrint, on a Markdown rendering of the same events
  docx         briefgen build, official audience, Word
  pandoc-docx  pandoc HTML → Word on briefgen's official HTML
  docxtpl      docxtpl: a Word template with a table loop over the same events and commitments
  html         briefgen build, official audience, HTML
  all          briefgen build --format all --audience all (9 outputs)

Inputs are made once per size before the rounds (not timed): the project (benchmarks/generate.py),
briefgen's official HTML, and the Markdown, docxtpl template and context (benchmarks/baselines.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import baselines  # noqa: E402
import generate  # noqa: E402

DEFAULT_SIZES = [10, 100, 1000, 5000]
TOOLS = ["check", "yaml", "pdf", "rebuild", "weasyprint", "pandoc-pdf", "docx", "pdf-docx", "pandoc-docx",
         "docxtpl", "html", "all"]
LABELS = {
    "check": "briefgen check",
    "yaml": "PyYAML C loader (fact files)",
    "pdf": "briefgen build: official PDF",
    "rebuild": "briefgen build: official PDF, unchanged rebuild",
    "weasyprint": "WeasyPrint on briefgen's HTML (pdf/ua-1, tagged)",
    "pandoc-pdf": "pandoc Markdown → PDF (WeasyPrint)",
    "docx": "briefgen build: official DOCX",
    "pdf-docx": "briefgen build: official PDF and DOCX (one layout for both)",
    "pandoc-docx": "pandoc HTML → DOCX",
    "docxtpl": "docxtpl table loop → DOCX",
    "html": "briefgen build: official HTML",
    "all": "briefgen build: all formats, all audiences",
}
BRIEFGEN_TOOLS = {"check", "pdf", "rebuild", "docx", "pdf-docx", "html", "all"}
# briefgen / baseline pairs for the ratio table: (briefgen tool, baseline tool, what the ratio says)
RATIOS = [
    ("check", "yaml", "check vs loading the YAML alone"),
    ("pdf", "weasyprint", "official PDF vs WeasyPrint alone on the same HTML"),
    ("pdf", "pandoc-pdf", "official PDF vs pandoc Markdown → PDF"),
    ("docx", "pandoc-docx", "official DOCX vs pandoc HTML → DOCX"),
    ("docx", "docxtpl", "official DOCX vs docxtpl"),
    # What the Word file adds to a build that makes the PDF too (the layout is the PDF's): the time of
    # the PDF-and-DOCX build less that of the PDF build, against pandoc.
    ("pdf-docx - pdf", "pandoc-docx", "official DOCX's added time in a PDF and DOCX build vs pandoc HTML → DOCX"),
    ("rebuild", "pdf", "unchanged rebuild vs first build (official PDF)"),
]
ALL_OUTPUTS = 9  # three audiences, three formats


@dataclass
class Run:
    tool: str
    n: int
    round: int
    ok: bool
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_kb: int
    returncode: int
    outputs: list[str] = field(default_factory=list)
    output_bytes: int = 0
    pages: int = 0  # pages of the PDF outputs (pdfinfo), 0 when none
    load_before: float = 0.0  # 1-minute load average as the run started: other work on the machine
    note: str = ""


# ---------------------------------------------------------------------- measuring one process


def measure(cmd: list[str], log: Path, env: dict, timeout: float | None, cwd: Path) -> tuple[int, float, object, bool]:
    """Run `cmd` in its own session; return (exit code, wall seconds, rusage, timed out).

    `cwd` is the work folder, never the repository: `python -m briefgen` puts the current folder
    first on sys.path, so run from a checkout it would import the checkout's briefgen/.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    timed_out = threading.Event()
    with open(log, "wb") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=cwd, start_new_session=True)

        def kill() -> None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the session this runner started for the run
            except ProcessLookupError:
                pass

        def time_out() -> None:
            timed_out.set()
            kill()

        timer = threading.Timer(timeout, time_out) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: stop the run's processes too (they are in their own session)
            kill()
            os.waitpid(proc.pid, 0)
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage, timed_out.is_set()


def pdf_pages(path: Path) -> int:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return 0
    return next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0)


def snapshot(rev: str, workdir: Path) -> tuple[Path, str]:
    """The briefgen package and shipped files at git revision `rev`, extracted under `workdir`.

    Runs then import briefgen from there (PYTHONPATH comes before the installed, possibly editable,
    package), so edits to the working tree during a long run do not mix into it.
    """
    import io
    import tarfile

    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", rev + "^{commit}"], capture_output=True,
                         text=True, check=True).stdout.strip()
    folder = workdir / "src" / sha
    if not (folder / "briefgen" / "__init__.py").is_file():
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", sha, "briefgen", "templates",
                                  "facts", "seeds"], capture_output=True, check=True).stdout
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    # Compiled, as `pip install` leaves a wheel: without it, every run would compile briefgen's
    # modules again whenever PYTHONDONTWRITEBYTECODE is set (0.1 s a process here).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "briefgen")], check=True)
    return folder, sha


def briefgen_command() -> list[str]:
    script = Path(sys.executable).parent / "briefgen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "briefgen"]


def environment() -> dict:
    env = dict(os.environ)
    # pandoc runs the `weasyprint` script of this environment.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("BRIEFGEN_DEBUG", None)
    return env


# ---------------------------------------------------------------------- the suite


class Suite:
    def __init__(self, sizes: list[int], repeat: int, tools: list[str], workdir: Path, jobs: int | None,
                 timeout: float | None, quiet: bool = False, at: str | None = None):
        self.sizes, self.repeat, self.tools = sizes, repeat, tools
        self.workdir, self.jobs, self.timeout, self.quiet = workdir, jobs, timeout, quiet
        self.env = environment()
        self.briefgen = briefgen_command()
        self.commit = None
        if at:
            src, self.commit = snapshot(at, workdir)
            earlier = self.env.get("PYTHONPATH")
            self.env["PYTHONPATH"] = str(src) + (os.pathsep + earlier if earlier else "")
            self.briefgen = [sys.executable, "-m", "briefgen"]
            self.say(f"briefgen from {at} ({self.commit[:10]}), extracted to {src}")
        probe = subprocess.run([sys.executable, "-c", "import briefgen; print(briefgen.__file__)"], env=self.env,
                               cwd=workdir, capture_output=True, text=True)
        self.imports_from = probe.stdout.strip()
        if at and not Path(self.imports_from).resolve().is_relative_to(src.resolve()):
            raise SystemExit(f"--at {at}: briefgen would be imported from {self.imports_from}, not {src}")
        self.say(f"briefgen imported from {self.imports_from}")
        self.inputs: dict[int, dict[str, Path]] = {}
        self.runs: list[Run] = []

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    # -------------------------------------------------------------- inputs, not timed

    def prepare(self, n: int) -> None:
        project = self.workdir / "projects" / str(n)
        started = time.perf_counter()
        generate.generate(n, project, force=True)
        prep = self.workdir / "inputs" / str(n)
        if prep.exists():
            shutil.rmtree(prep)
        inputs = {"project": project}
        if {"weasyprint", "pandoc-docx"} & set(self.tools):
            html_dir = prep / "html"
            code, _, _, _ = measure([*self.briefgen, "build", "-p", str(project), "--format", "html",
                                     "--audience", "official", "--out", str(html_dir), "--quiet"],
                                    prep / "html.log", self.env, self.timeout, self.workdir)
            found = sorted(html_dir.glob("*_official_*.html"))
            if code != 0 or not found:
                raise SystemExit(f"N={n}: could not build the official HTML for the baselines "
                                 f"(see {prep / 'html.log'})")
            inputs["html"] = found[0]
        if {"pandoc-pdf", "docxtpl"} & set(self.tools):
            inputs.update(baselines.prepare(project, prep))
        self.inputs[n] = inputs
        self.say(f"N={n}: inputs ready in {time.perf_counter() - started:.1f} s ({project})")

    # -------------------------------------------------------------- one timed run

    def command(self, tool: str, n: int, out: Path) -> tuple[list[str], Path | None]:
        """The command for one run and the output file or folder it must produce."""
        i = self.inputs[n]
        project = str(i["project"])
        jobs = ["--jobs", str(self.jobs)] if self.jobs is not None else []
        build = [*self.briefgen, "build", "-p", project, "--out", str(out), "--quiet", *jobs]
        py = [sys.executable, str(HERE / "baselines.py")]
        if tool == "check":
            return [*self.briefgen, "check", "-p", project], None
        if tool == "yaml":
            return [*py, "yaml", project], None
        if tool in ("pdf", "rebuild"):
            return [*build, "--format", "pdf", "--audience", "official"], out
        if tool == "docx":
            return [*build, "--format", "docx", "--audience", "official"], out
        if tool == "pdf-docx":
            return [*build, "--format", "pdf,docx", "--audience", "official"], out
        if tool == "html":
            return [*build, "--format", "html", "--audience", "official"], out
        if tool == "all":
            return [*build, "--format", "all", "--audience", "all"], out
        if tool == "weasyprint":
            return [*py, "weasyprint", str(i["html"]), str(out / "official.pdf")], out
        if tool == "pandoc-docx":
            return ["pandoc", "-f", "html", "-t", "docx", str(i["html"]), "-o", str(out / "official.docx")], out
        if tool == "docxtpl":
            return [*py, "docxtpl", str(i["template"]), str(i["context"]), str(out / "events.docx")], out
        if tool == "pandoc-pdf":
            return ["pandoc", str(i["markdown"]), "-s", "-t", "html5", "--pdf-engine=weasyprint",
                    "-o", str(out / "events.pdf")], out
        raise ValueError(tool)

    def run_one(self, tool: str, n: int, rnd: int) -> Run:
        base = self.workdir / "runs" / str(n) / f"round-{rnd}"
        out = base / tool
        note = ""
        if tool == "rebuild":
            # The second build into the out folder of this round's official PDF build; without one,
            # a first build (not timed) into a folder of its own.
            first = base / "pdf"
            if first.is_dir() and any(first.glob("*.pdf")):
                out = first
                note = "second build into the official PDF run's folder"
            else:
                if out.exists():
                    shutil.rmtree(out)
                out.mkdir(parents=True)
                cmd, _ = self.command("pdf", n, out)
                measure(cmd, base / "rebuild-first.log", self.env, self.timeout, self.workdir)
                note = "second build, after an untimed first one"
        elif out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True, exist_ok=True)
        before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
        cmd, produced = self.command(tool, n, out)
        load = os.getloadavg()[0]
        code, wall, usage, timed_out = measure(cmd, base / f"{tool}.log", self.env, self.timeout, self.workdir)
        run = Run(tool, n, rnd, False, round(wall, 4), round(usage.ru_utime, 4), round(usage.ru_stime, 4),
                  int(usage.ru_maxrss), code, note=note, load_before=round(load, 2))
        files = sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")) if produced else []
        run.outputs = [p.name for p in files]
        run.output_bytes = sum(p.stat().st_size for p in files)
        run.pages = sum(pdf_pages(p) for p in files if p.suffix == ".pdf")
        log_text = (base / f"{tool}.log").read_text(encoding="utf-8", errors="replace")
        problems = []
        if timed_out:
            problems.append(f"killed after {self.timeout:g} s")
        elif code != 0:
            problems.append(f"exit {code}")
        if produced is not None:
            expected = {"all": ALL_OUTPUTS, "pdf-docx": 2}.get(tool, 1)
            if len(files) < expected or any(p.stat().st_size == 0 for p in files):
                problems.append(f"{len(files)} non-empty outputs, expected {expected}")
        if tool == "check" and code == 0 and not any(line.startswith("ok: ") for line in log_text.splitlines()):
            problems.append("no 'ok:' summary")
        if tool == "rebuild" and files:
            rewritten = [p.name for p in files if before.get(p.name) != p.stat().st_mtime_ns]
            run.note = (run.note + "; " if run.note else "") + (
                f"rewrote {len(rewritten)} of {len(files)} outputs" if rewritten else "outputs left untouched")
        if problems:
            tail = " | ".join(line for line in log_text.strip().splitlines()[-3:])
            run.note = (run.note + "; " if run.note else "") + ", ".join(problems) + f" — {tail[-300:]}"
        run.ok = not problems
        return run

    def run(self) -> list[Run]:
        for n in self.sizes:
            self.prepare(n)
        total = len(self.sizes) * len(self.tools) * self.repeat
        done = 0
        for rnd in range(1, self.repeat + 1):
            for n in self.sizes:
                for tool in self.tools:
                    done += 1
                    run = self.run_one(tool, n, rnd)
                    self.runs.append(run)
                    status = "ok" if run.ok else "FAILED"
                    self.say(f"[{done}/{total}] round {rnd} N={n} {tool}: {run.wall_s:.2f} s, "
                             f"{run.maxrss_kb / 1024:.0f} MB, {status}{' (' + run.note + ')' if run.note else ''}")
        return self.runs


# ---------------------------------------------------------------------- machine and reporting


def machine(commit: str | None = None) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    try:
        pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pandoc = "not installed"
    if commit:
        commit = commit[:7]
    else:  # the installed package: if it is this checkout, say whether it has uncommitted changes
        try:
            commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                    text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "briefgen", "templates"],
                                   capture_output=True, text=True).stdout.strip()
            commit += " with uncommitted changes" if dirty else ""
        except OSError:
            commit = ""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "memory": memory,
        "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "briefgen": ver("briefgen"), "briefgen_commit": commit, "weasyprint": ver("weasyprint"),
        "python-docx": ver("python-docx"), "docxtpl": ver("docxtpl"), "pyyaml": ver("PyYAML"), "pandoc": pandoc,
    }


def medians(runs: list[dict]) -> dict[tuple[str, int], dict]:
    grouped: dict[tuple[str, int], list[dict]] = {}
    for r in runs:
        grouped.setdefault((r["tool"], r["n"]), []).append(r)
    out = {}
    for key, rs in grouped.items():
        good = [r for r in rs if r["ok"]]
        out[key] = {
            "runs": len(rs), "ok": len(good),
            "wall": statistics.median(r["wall_s"] for r in good) if good else None,
            "rss_mb": statistics.median(r["maxrss_kb"] for r in good) / 1024 if good else None,
            "cpu": statistics.median(r["user_s"] + r["sys_s"] for r in good) if good else None,
            "load": statistics.median(r.get("load_before", 0) for r in rs),
            "bytes": statistics.median(r["output_bytes"] for r in good) if good else 0,
            "pages": statistics.median(r.get("pages", 0) for r in good) if good else 0,
            "notes": sorted({r["note"] for r in rs if r["note"]}),
        }
    return out


def fmt_time(s: float) -> str:
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s" if s < 100 else f"{s:.0f} s"


def markdown_report(data: dict) -> str:
    runs = data["runs"]
    med = medians(runs)
    sizes = sorted({r["n"] for r in runs})
    tools = [t for t in TOOLS if any(r["tool"] == t for r in runs)]
    m = data.get("machine", {})
    lines = []
    if m:
        lines += [f"Machine: {m.get('nproc')} cores ({m.get('cpu')}), {m.get('memory')}, {m.get('os')}; "
                  f"Python {m.get('python')}, WeasyPrint {m.get('weasyprint')}, python-docx {m.get('python-docx')}, "
                  f"docxtpl {m.get('docxtpl')}, PyYAML {m.get('pyyaml')}, {m.get('pandoc')}; "
                  f"briefgen {m.get('briefgen')} at {m.get('briefgen_commit')}; {m.get('date')}.", ""]
    settings = data.get("settings", {})
    if settings:
        jobs = settings.get("jobs")
        rounds: dict[int, int] = {}
        for r in runs:
            rounds[r["n"]] = max(rounds.get(r["n"], 0), r["round"])
        by_count: dict[int, list[str]] = {}
        for n in sorted(rounds):
            by_count.setdefault(rounds[n], []).append(f"{n:,}")
        rounds_text = "; ".join(f"{count} at N = {', '.join(ns)}"
                                for count, ns in sorted(by_count.items(), reverse=True))
        lines += [f"Rounds: {rounds_text}; briefgen build --jobs: "
                  f"{jobs if jobs is not None else 'default (one per core)'}. "
                  "Median wall time · median peak RSS; (k/m) when only k of m runs succeeded.", ""]
    def table(first: str, rows: list[tuple[str, Callable[[int], str]]]) -> None:
        lines.append(f"| {first} | " + " | ".join(f"N = {n:,}" for n in sizes) + " |")
        lines.append("|---|" + "---|" * len(sizes))
        lines.extend(f"| {label} | " + " | ".join(cell(n) for n in sizes) + " |" for label, cell in rows)

    def summary_cell(tool: str) -> Callable[[int], str]:
        def cell(n: int) -> str:
            s = med.get((tool, n))
            if s is None:
                return "—"
            if s["wall"] is None:
                return f"failed ({s['runs']} runs)"
            extra = f" ({s['ok']}/{s['runs']})" if s["ok"] < s["runs"] else ""
            return f"{fmt_time(s['wall'])} · {s['rss_mb']:.0f} MB{extra}"
        return cell

    def wall(tools: str, n: int) -> float | None:
        """A tool's median wall time, or "a - b": the difference of two (what a adds to b)."""
        found = [med.get((tool, n)) for tool in tools.split(" - ")]
        if not all(s and s["wall"] for s in found):
            return None
        return found[0]["wall"] - sum(s["wall"] for s in found[1:])

    def ratio_cell(a: str, b: str) -> Callable[[int], str]:
        def cell(n: int) -> str:
            x, y = wall(a, n), wall(b, n)
            return f"{x / y:.2f}×" if x is not None and y else "—"
        return cell

    def per_event_cell(tool: str) -> Callable[[int], str]:
        def cell(n: int) -> str:
            s = med.get((tool, n))
            return f"{s['wall'] / n * 1000:.1f} ms" if s and s["wall"] else "—"
        return cell

    def cpu_cell(tool: str) -> Callable[[int], str]:
        def cell(n: int) -> str:
            s = med.get((tool, n))
            return f"{fmt_time(s['cpu'])} (load {s['load']:.1f})" if s and s["cpu"] is not None else "—"
        return cell

    def size_cell(tool: str) -> Callable[[int], str]:
        def cell(n: int) -> str:
            s = med.get((tool, n))
            if not s or not s["bytes"]:
                return "—"
            return f"{s['bytes'] / 1024:,.0f} KB" + (f", {s['pages']:,} pages" if s["pages"] else "")
        return cell

    table("tool", [(f"**{LABELS[t]}**" if t in BRIEFGEN_TOOLS else LABELS[t], summary_cell(t)) for t in tools])
    lines += ["", "Ratios of medians (wall time), briefgen / baseline:", ""]
    table("ratio", [(what, ratio_cell(a, b)) for a, b, what in RATIOS
                    if all(t in tools for t in (*a.split(" - "), b))])
    lines += ["", "Time per event (median wall time / N):", ""]
    table("tool", [(LABELS[t], per_event_cell(t)) for t in tools])
    lines += ["", "CPU time (user + system, median; with workers, theirs included) and the 1-minute load "
              "average when the runs started (median), a measure of other work on the machine:", ""]
    table("tool", [(LABELS[t], cpu_cell(t)) for t in tools])
    lines += ["", "Output size (median bytes; pages for PDFs):", ""]
    table("tool", [(LABELS[t], size_cell(t)) for t in tools if t not in ("check", "yaml")])
    notes = [(t, n, note) for (t, n), s in sorted(med.items()) for note in s["notes"]]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {LABELS[t]}, N = {n:,}: {note}" for t, n, note in notes]
    return "\n".join(lines) + "\n"


def chart(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "briefgen-benchmarks"
    med = medians(data["runs"])
    tools = [t for t in TOOLS if any(k[0] == t for k in med)]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    # One colour per tool: Okabe-Ito, then three more that stay apart from them.
    colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
               "#999999", "#8C564B", "#332288"]
    for k, tool in enumerate(tools):
        points = sorted((n, s["wall"] / n * 1000) for (t, n), s in med.items() if t == tool and s["wall"])
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        briefgen = tool in BRIEFGEN_TOOLS
        ax.plot(xs, ys, marker="o" if briefgen else "s", linestyle="-" if briefgen else "--",
                color=colours[k % len(colours)], linewidth=2 if briefgen else 1.2, label=LABELS[tool])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events (N)")
    ax.set_ylabel("wall time per event (ms), median, whole process")
    m = data.get("machine", {})
    ax.set_title(f"Time per event against N — {m.get('nproc', '?')} cores, WeasyPrint {m.get('weasyprint', '?')}",
                 fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              title="solid: briefgen; dashed: baseline", title_fontsize=7.5)
    fig.tight_layout()
    fig.savefig(str(path), format="svg", metadata={"Date": None})
    plt.close(fig)


# ---------------------------------------------------------------------- command line


def parse_list(text: str, kind=str) -> list:
    return [kind(x.strip().replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Tools: " + ", ".join(TOOLS))
    parser.add_argument("--sizes", type=lambda s: parse_list(s, int), default=DEFAULT_SIZES,
                        help="comma-separated numbers of events (default: 10,100,1000,5000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default: 3)")
    parser.add_argument("--tools", type=parse_list, default=TOOLS, help="comma-separated tool ids (default: all)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="pass --jobs N to briefgen build (default: briefgen's own, one per core)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for projects, inputs and outputs (default: benchmarks/.work)")
    parser.add_argument("--at", metavar="REV",
                        help="measure briefgen as of this git revision (extracted with git archive) instead of "
                             "the installed package, e.g. --at HEAD while the working tree is being edited")
    parser.add_argument("--timeout", type=float, default=3600, help="kill a run after this many seconds")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--chart", type=Path, help="draw time per event against N as SVG here")
    parser.add_argument("--markdown", type=Path, help="write the Markdown tables here too")
    parser.add_argument("--from-json", type=Path, nargs="+", metavar="FILE",
                        help="report results saved with --json (several are merged) instead of running")
    parser.add_argument("--smoke", action="store_true",
                        help="N = 10 once, every tool, in a temporary folder; exit 1 unless all ran and wrote output")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)

    unknown = [t for t in args.tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be at least 1")
    missing = [prog for prog in ("pandoc",) if shutil.which(prog) is None
               and {"pandoc-docx", "pandoc-pdf"} & set(args.tools)]
    if missing:
        parser.error("pandoc is not installed (needed by pandoc-docx and pandoc-pdf; leave them out with --tools)")

    if args.from_json:
        data = {"machine": {}, "settings": {}, "runs": []}
        for path in args.from_json:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            data["machine"] = data["machine"] or loaded.get("machine", {})
            data["settings"] = data["settings"] or loaded.get("settings", {})
            data["runs"].extend(loaded["runs"])
    else:
        if args.smoke:
            args.sizes, args.repeat, args.tools = [10], 1, TOOLS
        temporary = None
        workdir = args.workdir
        if workdir is None:
            if args.smoke:
                temporary = tempfile.TemporaryDirectory(prefix="briefgen-smoke-")
                workdir = Path(temporary.name)
            else:
                workdir = HERE / ".work"
        workdir = workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        suite = Suite(args.sizes, args.repeat, args.tools, workdir, args.jobs, args.timeout, args.quiet, args.at)
        try:
            suite.run()
        finally:
            data = {"machine": machine(suite.commit),
                    "settings": {"sizes": args.sizes, "repeat": args.repeat, "tools": args.tools,
                                 "jobs": args.jobs, "at": args.at, "briefgen_imported_from": suite.imports_from},
                    "runs": [asdict(r) for r in suite.runs]}
            if args.json:
                args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        elapsed = time.perf_counter() - started
        if args.smoke:
            failed = [r for r in suite.runs if not r.ok]
            ran = {r.tool for r in suite.runs}
            print(markdown_report(data))
            if temporary:
                temporary.cleanup()
            if failed or ran != set(TOOLS):
                for r in failed:
                    print(f"smoke: {r.tool} failed: {r.note}", file=sys.stderr)
                for t in sorted(set(TOOLS) - ran):
                    print(f"smoke: {t} did not run", file=sys.stderr)
                return 1
            print(f"smoke: all {len(TOOLS)} tools ran and wrote output, in {elapsed:.0f} s")
            return 0

    report = markdown_report(data)
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    if args.chart:
        chart(data, args.chart)
    return 0 if all(r["ok"] for r in data["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
