"""Shipped data: where the templates and the example briefing are, installed or in a checkout.

In: nothing. Out: folders on disk — `TEMPLATES` (the shipped audience
templates, stylesheet and Word reference document), `EXAMPLE_FACTS` and
`EXAMPLE_SEEDS` (the worked example that `briefgen init --example` copies).

In the repository the top-level `templates/`, `facts/` and `seeds/` are the
one copy under version control; the wheel carries them inside the package
(`briefgen/shipped_templates/`, `briefgen/example_facts/`,
`briefgen/example_seeds/`, mapped in pyproject.toml). `importlib.resources`
finds the installed copy; an editable install or a checkout on PYTHONPATH
has no such folders inside the package, so the repository's are used.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _shipped(package_folder: str, checkout_folder: str, marker: str) -> Path:
    installed = Path(str(files("briefgen") / package_folder))
    if (installed / marker).is_file():
        return installed
    return _CHECKOUT / checkout_folder


TEMPLATES = _shipped("shipped_templates", "templates", "base.html.j2")
EXAMPLE_FACTS = _shipped("example_facts", "facts", "briefing.yaml")
EXAMPLE_SEEDS = _shipped("example_seeds", "seeds", "index.yaml")
