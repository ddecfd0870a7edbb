"""CLI stage: command line → the other stages → files and messages; `main` is the `briefgen` entry point.

The app, the shared options and helpers, error reporting and exit codes are in
app.py; each group of commands is a module that registers its commands on the
app when imported: build.py (check, build, list), project.py (init),
authoring.py (new-audience, watch),
sources.py (add-source, sources, quote) and email.py (email). They are imported
here in the order the help lists the commands.
"""

from __future__ import annotations

# Each module registers its commands on `app` when imported: imported in the order the help lists them.
# isort: off
from . import build, project, authoring, sources, email
# isort: on
from .app import (
    FactsOption,
    OutOption,
    ProjectOption,
    SeedsOption,
    TemplatesOption,
    Where,
    app,
    choices,
    echo_problems,
    load_checked,
    locate,
    main,
    plural,
    reports_problems,
)

__all__ = ["FactsOption", "OutOption", "ProjectOption", "SeedsOption", "TemplatesOption", "Where", "app",
           "authoring", "build", "choices", "echo_problems", "email", "load_checked", "locate", "main", "plural",
           "project", "reports_problems", "sources"]
