"""URL fetching for `add-source`: an http(s) URL → the document's bytes, final URL and content type.

In: a URL given to `briefgen add-source`. Out: a `Fetched` (the body, the URL it
came from after redirects, its Content-Type), or a `BriefgenError` naming the URL
and what was wrong: a scheme other than http or https, a status other than 200
(a 404 says so), more than `MAX_REDIRECTS` redirects (each hop is checked again,
so a redirect to ``file:`` is refused), a body over the size cap (checked against
Content-Length and again while streaming the decoded bytes, so a compressed bomb
stops at the cap), or a connection that times out.

urllib3 (already required by trafilatura) is used directly, with redirects and
retries off so that every hop passes these checks; trafilatura's own fetcher is
not used, as it falls back to unverified TLS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .errors import BriefgenError

MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
DEADLINE = 120.0  # seconds for the whole download, however slowly the bytes come
USER_AGENT = "briefgen add-source (+https://github.com/briefgen)"
ACCEPT = ("text/html,application/xhtml+xml,application/pdf,"
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.5")
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str  # the media type, lower case, without parameters ("text/html")
    body: bytes


def fetch(url: str, max_bytes: int) -> Fetched:
    """GET `url` following at most `MAX_REDIRECTS` redirects; the body is at most `max_bytes` bytes."""
    import urllib3

    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT))
    start = time.monotonic()
    original = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            _check_url(url, original)
            response = pool.request("GET", url, preload_content=False, redirect=False,
                                    headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})
            try:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise BriefgenError(f"{original}: redirect ({response.status}) with no Location")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    reason = f" {response.reason}" if response.reason else ""
                    raise BriefgenError(f"{original}: the server answered {response.status}{reason}"
                                        + (f" (at {url})" if url != original else "") + "; nothing was added")
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise BriefgenError(too_big(original, max_bytes))
                body = bytearray()
                for chunk in response.stream(64 * 1024, decode_content=True):
                    body += chunk
                    if len(body) > max_bytes:
                        raise BriefgenError(too_big(original, max_bytes))
                    if time.monotonic() - start > DEADLINE:
                        raise BriefgenError(f"{original}: the download took longer than {DEADLINE:.0f} seconds")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return Fetched(url, content_type, bytes(body))
            finally:
                response.release_conn()
    except urllib3.exceptions.HTTPError as exc:  # timeouts, refused connections, TLS and protocol errors
        raise BriefgenError(f"{original}: could not fetch it ({type(exc).__name__}: {exc})") from None
    finally:
        pool.clear()
    raise BriefgenError(f"{original}: more than {MAX_REDIRECTS} redirects")


def is_url(text: str) -> bool:
    """Whether `add-source` was given a URL (anything with a scheme), not a file path."""
    return "://" in text


def _check_url(url: str, original: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        via = "" if url == original else f" (redirected to {url})"
        raise BriefgenError(f"{original}: only http and https URLs can be fetched{via}")


def too_big(what: str, max_bytes: int) -> str:
    """The message for a document over the size cap, the cap in the units it was given (--max-size)."""
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes % (1024 * 1024) == 0 else \
        f"{max_bytes // 1024} KB" if max_bytes % 1024 == 0 else f"{max_bytes} bytes"
    return f"{what}: larger than {size}, the most add-source reads (--max-size to change); nothing was added"
