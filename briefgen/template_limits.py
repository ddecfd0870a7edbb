"""Limits on one template's rendering: a sandboxed Jinja environment that stops runaway templates.

In: a template being rendered. Out: its output, or `TemplateLimitError` (reported by render.py as
an error naming the template, so exit 1 and no output written) when it goes over a limit.

* time: 20 s of wall clock (`RENDER_SECONDS`), checked at every loop
  iteration, call, attribute or item lookup, operator and output chunk, and
  enforced by a timer signal inside long library calls (`_alarm`);
* loop iterations: 10 million in all (`MAX_ITERATIONS`), nested loops count
  every inner iteration;
* sizes: a string or list made by ``*``, ``+``, ``~``, ``%``, a filter or a
  method may hold at most 10 million characters/items (`MAX_SIZE`); ``**`` on
  numbers may not make a result over 100,000 bits (`MAX_POWER_BITS`), nor
  ``*`` on numbers; width arguments (``center``, ``ljust``, ``indent``,
  format widths) over `MAX_SIZE` are refused before anything is allocated;
* output: 10 million characters of HTML (`MAX_OUTPUT`);
* recursion: a template that includes or calls itself without end stops at
  Python's recursion limit; running out of memory anyway is reported the same
  way.
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import BriefgenError

RENDER_SECONDS = 20.0              # wall clock for rendering one audience template
MAX_ITERATIONS = 10_000_000        # loop iterations in one rendering, nested loops multiplied
MAX_SIZE = 10_000_000              # characters in a string / items in a list a template makes
MAX_POWER_BITS = 100_000           # bits in a number made by ** or *
MAX_OUTPUT = 10_000_000            # characters of rendered HTML


class TemplateLimitError(Exception):
    """A template went over one of the rendering limits; render_html turns it into a BriefgenError."""


_LOOP_FILTER = "_briefgen_loop"
_SIZE_FILTER = "_briefgen_size"
_FORMAT_WIDTH = re.compile(r"(?:%|\{[^{}]*:)[^%{}a-zA-Z]*?(\d{8,})")  # a width/precision of 10^7 or more
_NESTED_FORMAT = re.compile(r"\{[^{}]*:[^{}]*\{")  # a format spec with a replacement field inside
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_WIDTH_FILTERS = {"center", "indent", "truncate", "wordwrap"}


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def render_seconds() -> float:
    """The time limit for one template: RENDER_SECONDS, or BRIEFGEN_RENDER_SECONDS from the environment
    (a person's own setting, for a very large briefing on a slow machine; templates cannot change it)."""
    value = os.environ.get("BRIEFGEN_RENDER_SECONDS", "").strip()
    if not value:
        return RENDER_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise BriefgenError(f"BRIEFGEN_RENDER_SECONDS: expected a number of seconds from 0 to 3600, got {value!r}")
    return seconds


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox plus the limits described in this module's docstring: a clock and an iteration count
    checked at every loop step, call and lookup; size checks on operators, filters and methods."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline = math.inf
        self.seconds = RENDER_SECONDS
        self.iterations = 0
        self.filters[_LOOP_FILTER] = self._loop
        self.filters[_SIZE_FILTER] = self._checked_size
        for name in _WIDTH_FILTERS:
            self.filters[name] = self._width_checked(self.filters[name])
        self.filters["join"] = self._join_checked(self.filters["join"])

    def start_clock(self) -> None:
        self.seconds = render_seconds()
        self.deadline = time.monotonic() + self.seconds
        self.iterations = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering stopped after {self.seconds:g} s (the limit for one template)")

    # Every for loop's iterable passes through _loop (see _parse), and each concatenation (~) through
    # _checked_size: Jinja has no per-iteration hook, so the template's syntax tree gets one.
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for parent in list(tree.find_all(nodes.Node)):
            for field in parent.fields:
                value = getattr(parent, field, None)
                if isinstance(value, nodes.Concat):
                    setattr(parent, field, self._wrap_size(value))
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, nodes.Concat):
                            value[i] = self._wrap_size(item)
        return tree

    @staticmethod
    def _wrap_size(node: nodes.Expr) -> nodes.Expr:
        return nodes.Filter(node, _SIZE_FILTER, [], [], None, None, lineno=node.lineno)

    def _loop(self, iterable: Iterable[Any]) -> Iterable[Any]:
        if isinstance(iterable, jinja2.Undefined):  # keep StrictUndefined's own error
            return cast(Iterable[Any], iterable)
        return self._counted(iterable)

    def _counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise TemplateLimitError(f"more than {MAX_ITERATIONS:,} loop iterations "
                                         "(the limit for one template)")
            if not self.iterations & 1023:
                self.tick()
            yield item

    def _checked_size(self, value: Any) -> Any:
        self.tick()
        if _size(value) > MAX_SIZE:
            raise TemplateLimitError(f"made a value of {_size(value):,} characters or items "
                                     f"(the limit is {MAX_SIZE:,})")
        return value

    def _refuse_size(self, size: int) -> None:
        if size > MAX_SIZE:
            raise TemplateLimitError(f"would make a value of {size:,} characters or items "
                                     f"(the limit is {MAX_SIZE:,})")

    def _refuse_format(self, text: Any) -> None:
        if isinstance(text, str):
            match = _FORMAT_WIDTH.search(text)
            if match:
                raise TemplateLimitError(f"format width {match.group(1)} is over the limit of {MAX_SIZE:,}")

    def _width_checked(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def checked(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            for arg in list(args[1:]) + list(kwargs.values()):
                if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_SIZE:
                    self._refuse_size(abs(arg))
            return self._checked_size(func(*args, **kwargs))
        for attribute in ("jinja_pass_arg",):
            if hasattr(func, attribute):
                setattr(checked, attribute, getattr(func, attribute))
        return checked

    def checked_format_filter(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Jinja's `format` filter with the format-width check and the size check."""
        def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
            self._refuse_format(value)
            return func(value, *args, **kwargs)
        return self._width_checked(checked)

    def _join_checked(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def checked(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
            self.tick()
            items = list(value) if not isinstance(value, (str, jinja2.Undefined)) else value
            if isinstance(items, list) and isinstance(d, str):
                self._refuse_size(len(d) * max(len(items) - 1, 0) + sum(_size(item) for item in items))
            return self._checked_size(func(eval_ctx, items, d, attribute))
        checked.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]  # Jinja's marker for the eval context
        return checked

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            bits = right * max(abs(left), 1).bit_length()
            if bits > MAX_POWER_BITS and abs(left) > 1:
                raise TemplateLimitError(f"{left} ** {right} would make a number of about {bits:,} bits "
                                         f"(the limit is {MAX_POWER_BITS:,})")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                bits = abs(left).bit_length() + abs(right).bit_length()
                if bits > MAX_POWER_BITS:
                    raise TemplateLimitError(f"a product of about {bits:,} bits (the limit is {MAX_POWER_BITS:,})")
            elif isinstance(right, int) and _size(left):
                self._refuse_size(_size(left) * right)
            elif isinstance(left, int) and _size(right):
                self._refuse_size(_size(right) * left)
        elif operator == "+":
            self._refuse_size(_size(left) + _size(right))
        elif operator == "%":
            self._refuse_format(left)
        return self._checked_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        __self.tick()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _WIDTH_METHODS:
                for arg in list(args) + list(kwargs.values()):
                    if isinstance(arg, int) and arg > MAX_SIZE:
                        __self._refuse_size(arg)
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                count = owner.count(args[0]) if args[0] else len(owner) + 1
                __self._refuse_size(len(owner) + count * max(len(args[1]) - len(args[0]), 0))
            elif name == "join" and args and isinstance(args[0], (list, tuple)):
                __self._refuse_size(len(owner) * max(len(args[0]) - 1, 0) + sum(_size(a) for a in args[0]))
        return __self._checked_size(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            # Jinja wraps str.format here, so call() no longer sees the string.
            self._refuse_format(obj)
            method = super().getattr(obj, attribute)
            if _NESTED_FORMAT.search(obj):  # a width taken from an argument: "{0:{1}}".format(x, 10**10)
                def checked(*args: Any, **kwargs: Any) -> Any:
                    values = list(args) + list(kwargs.values())
                    values += [v for a in args if isinstance(a, dict) for v in a.values()]
                    for value in values:
                        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
                            raise TemplateLimitError(f"format width {value} is over the limit of {MAX_SIZE:,}")
                    return method(*args, **kwargs)
                return checked
            return method
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)









@contextmanager
def alarm(env: LimitedEnvironment) -> Iterator[None]:
    """The clock's second hand: a timer signal at the deadline raises the limit error wherever Python
    is, even inside one long library call written in Python (a `wordwrap` of ten million characters
    takes about 10 s); the checks between operations stay as the first line. Only in the main thread
    (signals go there); a call in C still finishes first, and the size limits keep any one short."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        if time.monotonic() >= env.deadline:
            env.tick()  # raises TemplateLimitError

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, max(env.deadline - time.monotonic(), 0.001) + 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
