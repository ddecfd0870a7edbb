"""Authoring helpers: scaffold a new audience, and rebuild (and serve) on every change.

In: an audience name and the project folders. Out: a new template file
registered in the briefing's audiences (`new_audience`), or a loop that
rebuilds the chosen outputs whenever a fact file, seed, template or stylesheet
changes and reports what it rebuilt and how long it took (`watch`), with an
optional preview server on 127.0.0.1 whose pages reload themselves.

The preview server answers only requests addressed to it by name (Host
127.0.0.1:PORT or localhost:PORT; anything else is 403, which stops a web page
from reaching it through DNS rebinding), and never serves or lists email
drafts (.eml), which hold recipients' addresses.
"""

from __future__ import annotations

import html
import http.server
import io
import os
import re
import stat
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .atomic import write_atomically
from .errors import BriefgenError, display_path
from .template_folders import AUDIENCE_SUFFIX, available_audiences

SCAFFOLD = """{{#- Audience "{name}": {description}
    This template extends "{parent}" and overrides only what differs. Blocks worth overriding:
      audience_label – the line under the title on the cover
      contents       – the table of contents (empty the block to drop it)
      body           – the main sections; each section an <h2 id="…"> so it joins the contents
      annexes        – material after the main text
      sources        – the numbered list of sources (keep it: every fact cites one)
      notes          – the notes on how dates and amounts were read, printed once at the end
    Data you can use: briefing (title, purpose, summary, top_lines, lines_to_take, if_pressed,
    questions, background_not_for_use, do_not_say, as_of, marking, date), chronology, key_events,
    funding, funding_summary (text, headline, totals), figures, people, organisations, glossary,
    sources, since, chart, working_notes.
    Building blocks: {{% from "_macros.html.j2" import bullets, cite, chronology_table, funding_table,
    funding_totals, figures_table, funding_chart, notes_section %}}. Pass notes=working_notes to a
    table to link worked-out dates to their notes. Run `briefgen list` to see every audience. -#}}
{{% extends "{parent}" %}}
{{% block audience_label %}}{label}{{% endblock %}}
{body}"""

BLANK_BODY = """{% from "_macros.html.j2" import chronology_table %}
{% block body %}
{% if briefing.summary %}
<section>
<h2 id="summary">Summary</h2>
<p>{{ briefing.summary }}</p>
</section>
{% endif %}
<section>
<h2 id="key-dates">Key dates</h2>
{{ chronology_table(key_events, full=false, notes=working_notes, since=since) }}
</section>
{% endblock %}
"""

FROM_BODY = """{# To change a section, copy the block from "{parent}" here and edit it, e.g.:
{% block body %}{{ super() }}<section><h2 id="extra">Extra</h2><p>…</p></section>{% endblock %} #}
"""


def new_audience(name: str, templates_dir: Path, facts_dir: Path, parent: str | None) -> tuple[Path, str]:
    """Write templates_dir/NAME.html.j2 and add NAME to the briefing's audiences.

    Returns the template path and a sentence saying how the audience was registered.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", name) or name in {"base", "all"}:
        raise BriefgenError(f"'{name}' is not a usable audience name; use lower-case letters, digits and hyphens "
                            "(e.g. regional-office), not 'base' or 'all'")
    target = templates_dir / f"{name}{AUDIENCE_SUFFIX}"
    user_dir = None if templates_dir.resolve() == _shipped().resolve() else templates_dir
    if target.exists() or name in available_audiences(user_dir if user_dir and user_dir.is_dir() else None):
        raise BriefgenError(f"audience '{name}' already exists ({display_path(target) if target.exists() else name}); "
                            "choose another name or edit that template")
    if parent is not None and parent not in available_audiences(user_dir if user_dir and user_dir.is_dir() else None):
        raise BriefgenError(f"cannot start from '{parent}': no such audience")
    parent_file = f"{parent}{AUDIENCE_SUFFIX}" if parent else "base.html.j2"
    description = f"starts from the {parent} briefing." if parent else "a new briefing built on the shared base."
    label = f"Briefing: {name.replace('-', ' ')}"
    body = FROM_BODY.replace("{parent}", parent_file) if parent else BLANK_BODY
    text = SCAFFOLD.format(name=name, description=description, parent=parent_file, label=label, body=body)
    templates_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(target, text.encode("utf-8"))
    return target, _register(name, facts_dir)


def _shipped() -> Path:
    from .shipped import TEMPLATES

    return TEMPLATES


def _mode(path: Path) -> int:
    """The permissions a file has now, which its rewrite keeps."""
    return stat.S_IMODE(path.stat().st_mode)


_AUDIENCES_LINE = re.compile(r"^(?P<indent>\s+)audiences:\s*\[(?P<items>[^\]]*)\]\s*(?P<comment>#.*)?$", re.M)


def _register(name: str, facts_dir: Path) -> str:
    """Append the audience to `audiences: [...]` in the briefing file, keeping the file otherwise untouched."""
    for path in sorted(facts_dir.rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        if not re.search(r"^briefing:", text, re.M):
            continue
        match = _AUDIENCES_LINE.search(text)
        if match is None and not re.search(r"^\s+audiences:", text, re.M):
            # No list yet: the default audiences plus the new one, right under "briefing:".
            from .model import Briefing

            default = Briefing.model_fields["audiences"].default
            head = re.search(r"^briefing:[^\n]*\n", text, re.M)
            if head is not None:
                text = text[:head.end()] + f"  audiences: [{', '.join([*default, name])}]\n" + text[head.end():]
            write_atomically(path, text.encode("utf-8"), mode=_mode(path))
            return f"added to the briefing's audiences in {display_path(path)}"
        if match is None:
            return (f"add '{name}' to the briefing's audiences in {display_path(path)} to build it by default "
                    "(the audiences list is not written as [a, b, c], so it was left as it is)")
        items = [i.strip() for i in match["items"].split(",") if i.strip()]
        if name not in items:
            items.append(name)
        line = f"{match['indent']}audiences: [{', '.join(items)}]"
        if match["comment"]:
            line += f"  {match['comment']}"
        write_atomically(path, (text[:match.start()] + line + text[match.end():]).encode("utf-8"), mode=_mode(path))
        return f"added to the briefing's audiences in {display_path(path)}"
    return "no briefing file found to register it in; build it with --audience " + name


# --------------------------------------------------------------------------- watch and serve

RELOAD_SCRIPT = """<script>
/* briefgen preview: reload when the build changes */
(function(){var v=null;setInterval(function(){fetch('/__briefgen_version').then(function(r){return r.text()})
.then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},700)})();
</script>"""


HIDDEN_SUFFIXES = (".eml",)  # drafts carry recipients' addresses: never served, never listed


class PreviewServer:
    """Serves the out folder on 127.0.0.1; HTML pages get a script that reloads them after each build."""

    def __init__(self, out_dir: Path, port: int):
        self.out_dir = out_dir
        self.version = 0
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, directory=str(server.out_dir), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:  # keep the terminal for build messages
                pass

            def _refused(self) -> bool:
                """Send 403 or 404 and return True when the request must not be answered."""
                host = (self.headers.get("Host") or "").strip().lower()
                if host not in {f"127.0.0.1:{server.port}", f"localhost:{server.port}"}:
                    self.send_error(403, "Forbidden: the preview answers only to 127.0.0.1 and localhost")
                    return True
                if any(part.lower().endswith(HIDDEN_SUFFIXES)
                       for part in urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0]).split("/")):
                    self.send_error(404, "File not found")
                    return True
                return False

            def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
                """A plain listing of the folder, without the email drafts."""
                try:
                    names = sorted(os.listdir(path), key=str.lower)
                except OSError:
                    self.send_error(404, "No permission to list directory")
                    return None
                items = []
                for name in names:
                    if name.lower().endswith(HIDDEN_SUFFIXES):
                        continue
                    shown = name + ("/" if os.path.isdir(os.path.join(path, name)) else "")
                    items.append(f'<li><a href="{urllib.parse.quote(shown)}">{html.escape(shown)}</a></li>')
                title = html.escape(urllib.parse.unquote(self.path.split("?", 1)[0]))
                body = (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title>'
                        f'</head>\n<body>\n<h1>{title}</h1>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</body>\n</html>\n")
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return io.BytesIO(data)

            def do_HEAD(self) -> None:
                if not self._refused():
                    super().do_HEAD()

            def do_GET(self) -> None:
                if self._refused():
                    return None
                if self.path == "/__briefgen_version":
                    return self._send(str(server.version).encode(), "text/plain")
                path = Path(self.translate_path(self.path))
                if path.suffix == ".html" and path.is_file():
                    page = path.read_text(encoding="utf-8").replace("</body>", RELOAD_SCRIPT + "</body>", 1)
                    return self._send(page.encode("utf-8"), "text/html; charset=utf-8")
                return super().do_GET()

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


WATCHED_SUFFIXES = {".yaml", ".yml", ".j2", ".css", ".txt", ".docx", ".html", ".svg", ".png"}


def _relevant(_change: object, path: str) -> bool:
    """Files a build reads; editors' and sed's temporary files are not among them."""
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix in WATCHED_SUFFIXES


def watch(paths: list[Path], rebuild: Callable[[], list[str]], echo: Callable[[str], None],
          on_built: Callable[[], None] | None = None, stop_after: int | None = None) -> None:
    """Rebuild once, then after every change under `paths`. Errors are shown and watching goes on."""
    import watchfiles

    def run(reason: str) -> None:
        started = time.perf_counter()
        try:
            written = rebuild()
        except BriefgenError as exc:
            for problem in exc.problems:
                echo(f"  {problem}")
            echo(f"{reason}: build failed ({time.perf_counter() - started:.1f} s); fix it and save again")
            return
        echo(f"{reason}: rebuilt {', '.join(written)} in {time.perf_counter() - started:.1f} s")
        if on_built:
            on_built()

    run("initial build")
    builds = 1
    existing = [str(p) for p in paths if p.exists()]
    for changes in watchfiles.watch(*existing, debounce=300, step=100, raise_interrupt=False,
                                    watch_filter=_relevant):
        changed = sorted({display_path(Path(p)) for _, p in changes})
        run("changed " + ", ".join(changed))
        builds += 1
        if stop_after is not None and builds >= stop_after:
            return
