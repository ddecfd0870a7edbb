"""Interrupts: Ctrl-C and SIGTERM → an `Interrupted` exception in the main thread, and back again.

In: the process's signal dispositions. Out: while `handle_interrupts()` is in force, SIGINT and
SIGTERM raise `Interrupted` (a BaseException, so no `except Exception` swallows it); a second signal
during the clean-up is dropped (`ignoring_interrupts`); `interrupts_blocked` holds them back while
worker processes are forked; `raised_count()` tells whether one was raised, even one a library
caught and swallowed.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM, raised in the main thread while `handle_interrupts()` is in force.

    A BaseException, as KeyboardInterrupt is, so no `except Exception` swallows it; but not a
    KeyboardInterrupt, which click and Typer turn into a silent exit: the CLI says what was stopped.
    """

    def __init__(self, message: str = "interrupted", signum: int = signal.SIGINT):
        super().__init__(message)
        self.signum = signum


INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)
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


def _redeliver_swallowed(unraisable: Any, previous: Callable[[Any], None]) -> None:
    """An interrupt raised inside a finalizer or weakref callback is "ignored" by Python (which prints
    "Exception ignored in ..."): say nothing, and raise it again in the main thread's own code."""
    global _raised
    if isinstance(unraisable.exc_value, Interrupted):
        import _thread

        _raised = False
        _thread.interrupt_main(signal.Signals(unraisable.exc_value.signum))  # runs _raise_interrupted again, outside it
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
    for signum in INTERRUPT_SIGNALS:
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
def interrupts_blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while worker processes are forked (each child starts with them
    blocked and unblocks them once it ignores SIGINT); a signal that arrives meanwhile is raised after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPT_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def raised_count() -> int:
    """How many interrupts have been raised in this process (compare before and after a piece of work)."""
    return _count


def ignore_signal(signum: int, frame: object) -> None:
    """A handler that drops the signal (see workers.py: unlike SIG_IGN, programs started keep the default)."""
