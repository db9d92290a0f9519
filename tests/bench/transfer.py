"""Row 6: the kiosk page's first-load weight: the HTML plus every same-origin script and stylesheet it
references, counted twice: uncompressed (Accept-Encoding: identity) and as served with
Accept-Encoding: gzip (bytes of the body on the wire).

References followed: <script src>, <link rel=stylesheet|modulepreload|preload href>, CSS @import (also
inside fetched stylesheets), and the static ES-module imports of inline module scripts and of fetched
modules, resolved through the page's import map. Fonts that stylesheets point to are not scripts or
stylesheets and are not counted here (the browser cross-check in the notes includes them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)["']?\s*\)?""")
ES_IMPORT = re.compile(
    r"""(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"'\n]+)["']""", re.MULTILINE)


class _PageRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.modules: list[str] = []
        self.styles: list[str] = []
        self.inline_css: list[str] = []
        self.inline_modules: list[str] = []
        self.import_map: dict[str, str] = {}
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            kind = a.get("type", "").lower()
            if a.get("src"):
                (self.modules if kind == "module" else self.scripts).append(a["src"])
            elif kind in ("module", "importmap"):
                self._in, self._buffer = kind, []
        elif tag == "link" and a.get("href"):
            rel = set(a.get("rel", "").lower().split())
            if "stylesheet" in rel or (rel & {"preload"} and a.get("as") == "style"):
                self.styles.append(a["href"])
            elif "modulepreload" in rel:
                self.modules.append(a["href"])
            elif "preload" in rel and a.get("as") == "script":
                self.scripts.append(a["href"])
        elif tag == "style":
            self._in, self._buffer = "style", []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in and tag in ("script", "style"):
            text = "".join(self._buffer)
            if self._in == "style":
                self.inline_css.append(text)
            elif self._in == "module":
                self.inline_modules.append(text)
            elif self._in == "importmap":
                try:
                    self.import_map.update(json.loads(text).get("imports", {}))
                except ValueError:
                    pass
            self._in = None


@dataclass
class Resource:
    url: str
    kind: str
    raw: int = 0
    gzip: int = 0
    encoded: bool = False


@dataclass
class PageWeight:
    resources: list[Resource] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def raw(self) -> int:
        return sum(r.raw for r in self.resources)

    @property
    def gzip(self) -> int:
        return sum(r.gzip for r in self.resources)

    def largest(self, n: int = 3) -> list[Resource]:
        return sorted(self.resources, key=lambda r: -r.gzip)[:n]


def _fetch(client: httpx.Client, url: str, encoding: str) -> tuple[int, bytes, httpx.Headers, int]:
    """Status, decoded body, headers and the number of body bytes on the wire."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
        wire = 0
        chunks = []
        for chunk in response.iter_raw():
            wire += len(chunk)
            chunks.append(chunk)
        raw = b"".join(chunks)
        if response.headers.get("content-encoding", "").lower() == "gzip":
            import gzip

            raw = gzip.decompress(raw)
        return response.status_code, raw, response.headers, wire


def _resolve(spec: str, base: str, import_map: dict[str, str]) -> str | None:
    if spec.startswith(("./", "../", "/")) or "://" in spec:
        return urljoin(base, spec)
    if spec in import_map:
        return urljoin(base, import_map[spec])
    prefixes = [k for k in import_map if k.endswith("/") and spec.startswith(k)]
    if prefixes:
        key = max(prefixes, key=len)
        return urljoin(base, import_map[key] + spec[len(key):])
    return None  # a bare name the import map does not know: the browser would fail too


def page_weight(base_url: str, path: str = "/kiosk") -> PageWeight:
    origin = urlsplit(base_url).netloc
    weight = PageWeight()
    seen: set[str] = set()
    with httpx.Client(timeout=30.0) as client:
        queue: list[tuple[str, str]] = [(urljoin(base_url, path), "html")]
        import_map: dict[str, str] = {}
        while queue:
            url, kind = queue.pop(0)
            url = url.split("#", 1)[0]
            if url in seen or urlsplit(url).netloc != origin:
                continue
            seen.add(url)
            status, body, headers, raw_wire = _fetch(client, url, "identity")
            if status != 200:
                weight.missing.append(f"{urlsplit(url).path} ({status})")
                continue
            gz_status, _, gz_headers, gz_wire = _fetch(client, url, "gzip")
            resource = Resource(url, kind, raw_wire, gz_wire if gz_status == 200 else raw_wire,
                                gz_headers.get("content-encoding", "").lower() == "gzip")
            weight.resources.append(resource)
            text = body.decode("utf-8", errors="replace")
            found: list[tuple[str, str]] = []
            if kind == "html":
                refs = _PageRefs()
                refs.feed(text)
                import_map = {k: v for k, v in refs.import_map.items()}
                found += [(urljoin(url, s), "script") for s in refs.scripts]
                found += [(urljoin(url, s), "module") for s in refs.modules]
                found += [(urljoin(url, s), "css") for s in refs.styles]
                for css in refs.inline_css:
                    found += [(urljoin(url, s), "css") for s in CSS_IMPORT.findall(css)]
                for module in refs.inline_modules:
                    found += [(r, "module") for s in ES_IMPORT.findall(module)
                              if (r := _resolve(s, url, import_map))]
            elif kind == "css":
                found += [(urljoin(url, s), "css") for s in CSS_IMPORT.findall(text)]
            elif kind == "module":
                found += [(r, "module") for s in ES_IMPORT.findall(text) if (r := _resolve(s, url, import_map))]
            queue += found
    return weight
