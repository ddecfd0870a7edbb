"""build.py driven in-process with HTML outputs (the fast backend): the order outputs come back in, the
build cache's reuse and its record, several projects at once, name collisions and stale temporary files.
The end-to-end builds of every format are in test_build.py and test_build_cache.py; these are quick
enough for mutation testing ([tool.mutmut] in pyproject.toml)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.atomic import TEMP_PREFIX
from briefgen.build import Output, Request, build, build_all, remove_stale_partials
from briefgen.build_cache import BuildCache, inputs_key
from briefgen.errors import BriefgenError, display_path
from briefgen.loading import load_fact_base
from briefgen.plan import output_name
from briefgen.template_folders import template_dirs

from conftest import ROOT

ARVELO = ROOT / "tests" / "examples" / "arvelo"


@pytest.fixture(scope="module")
def bases():
    border, problems = load_fact_base(ROOT / "facts", ROOT / "seeds")
    assert border is not None, problems
    arvelo, problems = load_fact_base(ARVELO / "facts", ARVELO / "seeds")
    assert arvelo is not None, problems
    return border, arvelo


def _key(base) -> str:
    return inputs_key(base.facts_dir, base.seeds_dir, template_dirs(None), None)


def test_outputs_come_back_in_the_order_asked_and_are_announced_so(bases, tmp_path):
    border, _ = bases
    heard: list[tuple[str, str]] = []
    outputs = build(border, ["press", "minister"], ["html"], tmp_path, None, jobs=2,
                    on_written=lambda o: heard.append((o.audience, o.format)))
    assert [(o.audience, o.format) for o in outputs] == heard == [("press", "html"), ("minister", "html")]
    for output in outputs:
        path = tmp_path / output_name(border, output.audience, "html")
        assert output.path == display_path(path)
        assert output.bytes == path.stat().st_size > 5000
        assert output.pages is None and output.up_to_date is False
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        output_name(border, a, "html") for a in ("press", "minister"))  # no cache file without a key


def test_an_unchanged_build_is_reused_and_force_rebuilds(bases, tmp_path):
    border, _ = bases
    key = _key(border)
    first = build(border, ["press"], ["html"], tmp_path, None, cache_inputs=key)
    target = tmp_path / output_name(border, "press", "html")
    inode = target.stat().st_ino
    entry = BuildCache(tmp_path).up_to_date(tmp_path, key, "press", "html")
    assert entry is not None and entry.bytes == first[0].bytes
    assert BuildCache(tmp_path).audiences == {key: border.briefing.audiences}
    again = build(border, ["press"], ["html"], tmp_path, None, cache_inputs=key)
    assert again == [Output("press", "html", first[0].path, first[0].bytes, None, up_to_date=True)]
    assert target.stat().st_ino == inode  # not written again
    forced = build(border, ["press"], ["html"], tmp_path, None, cache_inputs=key, force=True)
    assert forced[0].up_to_date is False and target.stat().st_ino != inode
    other = build(border, ["press"], ["html"], tmp_path, None, cache_inputs=key + "x")
    assert other[0].up_to_date is False  # another key: the inputs changed


def test_a_partly_up_to_date_build_makes_only_what_is_missing(bases, tmp_path):
    border, _ = bases
    key = _key(border)
    build(border, ["press"], ["html"], tmp_path, None, cache_inputs=key)
    heard: list[tuple[str, bool]] = []
    outputs = build(border, ["minister", "press"], ["html"], tmp_path, None, cache_inputs=key,
                    on_written=lambda o: heard.append((o.audience, o.up_to_date)))
    assert [(o.audience, o.up_to_date) for o in outputs] == [("minister", False), ("press", True)]
    assert heard == [("press", True), ("minister", False)]  # what is reused is said first


def test_several_projects_in_one_build(bases, tmp_path):
    border, arvelo = bases
    requests = [Request(border, ["press"], ["html"], tmp_path / "a", None, cache_inputs=_key(border)),
                Request(arvelo, ["press", "official"], ["html"], tmp_path / "b", None, cache_inputs=_key(arvelo))]
    results = build_all(requests, jobs=2)
    assert [[(o.audience, Path(o.path).parent.name) for o in outputs] for outputs in results] == [
        [("press", "a")], [("press", "b"), ("official", "b")]]
    assert BuildCache(tmp_path / "a").audiences == {_key(border): border.briefing.audiences}
    assert BuildCache(tmp_path / "b").audiences == {_key(arvelo): arvelo.briefing.audiences}
    again = build_all(requests)
    assert [[o.up_to_date for o in outputs] for outputs in again] == [[True], [True, True]]


def test_two_outputs_with_one_name_are_refused_before_anything_is_written(bases, tmp_path):
    border, _ = bases
    out = tmp_path / "out"
    requests = [Request(border, ["press"], ["html"], out, None), Request(border, ["press"], ["html"], out, None)]
    with pytest.raises(BriefgenError) as caught:
        build_all(requests)
    name = output_name(border, "press", "html")
    assert [str(p) for p in caught.value.problems] == [
        f"{display_path(out / name)}: both the press html and the press html output would be written to this file"]
    assert not out.exists()


def test_stale_temporary_files_are_removed_but_a_running_builds_are_kept(tmp_path):
    dead = tmp_path / f"{TEMP_PREFIX}999999999-abc.pdf"  # no such process
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-abc.pdf"  # this process: left by an earlier build of it
    running = tmp_path / f"{TEMP_PREFIX}1-abc.pdf"  # pid 1 is always running
    odd = tmp_path / f"{TEMP_PREFIX}x-abc.pdf"
    kept = tmp_path / "briefing.pdf"
    for path in (dead, mine, running, odd, kept):
        path.write_bytes(b"x")
    remove_stale_partials(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, kept.name])
    remove_stale_partials(tmp_path / "missing")  # no folder: nothing to do


def test_the_pdf_and_word_jobs_of_one_briefing_share_a_layout_file(bases, tmp_path):
    from briefgen.build import _share_layouts
    from briefgen.pdf_layout import PdfLayout, await_layout, is_published, publish_layout
    from briefgen.plan import plan_jobs

    border, _ = bases
    work = plan_jobs(border, ["press", "minister"], ["pdf", "docx", "html"], tmp_path, None, None)
    handovers = _share_layouts(work)
    try:
        fds = {(job.audience, job.format): job.layout_fd for job in work}
        assert sorted(h.fileno() for h in handovers) == sorted({fds[("press", "pdf")], fds[("minister", "pdf")]})
        for audience in ("press", "minister"):
            assert fds[(audience, "pdf")] is not None and fds[(audience, "pdf")] == fds[(audience, "docx")]
            assert fds[(audience, "html")] is None
        assert fds[("press", "pdf")] != fds[("minister", "pdf")]
        assert list(tmp_path.iterdir()) == []  # nameless: nothing in the out folder for a kill to leave
        fd = fds[("press", "pdf")]
        assert not is_published(fd)
        publish_layout(PdfLayout({"chronology": 3}, [[10.5, 200.25]]), fd)
        assert is_published(fd)
        assert await_layout(fd) == PdfLayout({"chronology": 3}, [[10.5, 200.25]])
    finally:
        for handover in handovers:
            handover.close()
    alone = plan_jobs(border, ["press"], ["docx"], tmp_path, None, None)
    assert _share_layouts(alone) == [] and alone[0].layout_fd is None  # no PDF job: the Word job lays out itself


def test_a_users_template_folder_is_used(bases, tmp_path):
    border, _ = bases
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "press.html.j2").write_text('{% extends "base.html.j2" %}{% block body %}<p>Our own press page</p>'
                                        "{% endblock %}", encoding="utf-8")
    [output] = build(border, ["press"], ["html"], tmp_path / "out", mine)
    assert output.path == display_path(tmp_path / "out" / output_name(border, "press", "html"))
    assert "Our own press page" in Path(output.path).read_text(encoding="utf-8")


def test_an_interrupt_says_how_far_the_build_got_and_leaves_no_temporary_file(bases, tmp_path):
    """Ctrl-C while outputs are being announced (the callback raises it here, in the main process, as the
    signal handler would): the workers stop, the count is of files in place, the signal is SIGINT."""
    import signal

    from briefgen.build import BuildInterrupted

    border, _ = bases
    key = _key(border)

    def interrupt(output: Output) -> None:
        raise KeyboardInterrupt

    with pytest.raises(BuildInterrupted) as caught:  # one worker: the first output only is in place
        build(border, ["press", "minister", "official"], ["html"], tmp_path, None, jobs=1, on_written=interrupt)
    assert (caught.value.written, caught.value.total, caught.value.signum) == (1, 3, signal.SIGINT)
    assert str(caught.value) == "interrupted: 1 of 3 outputs written"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    # Interrupted while what is up to date is announced: nothing new is in place.
    build(border, ["press"], ["html"], tmp_path / "again", None, cache_inputs=key)
    with pytest.raises(BuildInterrupted) as caught:
        build(border, ["press", "minister"], ["html"], tmp_path / "again", None, cache_inputs=key,
              on_written=interrupt)
    assert (caught.value.written, caught.value.total) == (0, 2)
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == [
        ".briefgen-cache.json", output_name(border, "press", "html")]


def _warm_up() -> None:
    os.environ["BRIEFGEN_TEST_WARMED"] = "yes"  # in the worker only: its parent's environment is untouched


def _failing_warm_up() -> None:
    raise RuntimeError("a library that will not load")


def _was_warmed(job: str) -> str:
    return f"{job}: {os.environ.get('BRIEFGEN_TEST_WARMED', 'cold')}"


@pytest.mark.parametrize(("warm", "expected"), [(_warm_up, "a: yes"), (_failing_warm_up, "a: cold"), (None, "a: cold")])
def test_a_worker_warms_up_before_its_first_job_and_a_failed_warm_up_costs_nothing(warm, expected):
    from briefgen.workers import Workers

    workers = Workers(1, _was_warmed, warm)
    try:
        assert list(workers.run(["a"], str)) == [(0, "ok", expected, None)]
    finally:
        workers.close()
    assert "BRIEFGEN_TEST_WARMED" not in os.environ


def test_premade_hand_over_files_go_to_the_pairs_in_turn(bases, tmp_path):
    import tempfile

    from briefgen.build import _share_layouts
    from briefgen.plan import plan_jobs

    border, _ = bases
    work = plan_jobs(border, ["press", "minister"], ["pdf", "docx"], tmp_path, None, None)
    with tempfile.TemporaryFile() as only:  # one file made before the workers: the first pair takes it
        assert _share_layouts(work, [only]) == [only]
        fds = {(job.audience, job.format): job.layout_fd for job in work}
        assert fds[("press", "pdf")] == fds[("press", "docx")] == only.fileno()
    assert fds[("minister", "pdf")] is None and fds[("minister", "docx")] is None  # lays out on its own


def test_a_pool_started_before_the_check_builds_the_same_files_and_ends_its_workers(bases, tmp_path):
    from briefgen.build import start_pool

    border, _ = bases
    plain = build(border, ["press"], ["pdf", "docx"], tmp_path / "plain", None)
    from briefgen.pdf_layout import is_published

    pool = start_pool(2, ["pdf", "docx"], 1)
    workers = pool.workers.processes
    watch = os.dup(pool.handovers[0].fileno())  # the build closes its own descriptor: see the file through this
    try:
        pooled = build_all([Request(border, ["press"], ["pdf", "docx"], tmp_path / "pooled", None)], pool=pool)[0]
        assert is_published(watch)  # the PDF job handed its layout to the Word job through the premade file
    finally:
        os.close(watch)
    assert pool.used and pool.handovers[0].closed and all(not process.is_alive() for process in workers)
    for first, second in zip(plain, pooled, strict=True):
        assert Path(first.path).read_bytes() == Path(second.path).read_bytes()
    unused = start_pool(1, ["pdf"], 0)  # the check failed: nothing to build
    unused.stop()
    assert all(not process.is_alive() for process in unused.workers.processes)
    unused.stop()  # twice is harmless
