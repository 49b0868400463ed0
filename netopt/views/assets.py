"""Offline assets: Leaflet (from the ``xstatic-leaflet`` package) and plotly.js (from ``plotly``),
read at run time from the installed packages and inlined into the HTML.

Nothing is fetched and nothing is copied into this repository.  :func:`inline_assets`
replaces the ``<script src>`` / ``<link href>`` tags that folium writes by the files'
contents; :func:`check_offline` refuses to write a page that still points at the network.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

# placeholders that folium renders as <script src=...> / <link href=...>, replaced by inline_assets
LEAFLET_JS = "netopt-asset:leaflet.js"
LEAFLET_CSS = "netopt-asset:leaflet.css"

# any script or stylesheet loaded from a file or URL (inline blocks only are allowed)
_EXTERNAL_TAG = re.compile(r"<(script\b[^>]*\bsrc|link\b[^>]*\bhref)\s*=", re.IGNORECASE)


class MissingAsset(RuntimeError):
    """A package that ships a needed script or stylesheet is not installed."""


def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as leaflet
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise MissingAsset("maps need the 'xstatic-leaflet' package (Leaflet's JS and CSS): "
                           "pip install 'xstatic-leaflet>=1.9'") from e
    return Path(leaflet.BASE_DIR)


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's minified script."""
    return _drop_source_map((_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))


def _drop_source_map(code: str) -> str:
    """Remove ``//# sourceMappingURL=`` comments (they would point at files that are not there)."""
    return re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)


@functools.lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as data: URIs."""
    folder = _leaflet_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match) -> str:
        path = folder / match.group(1)
        if not path.exists():
            return "url()"
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


@functools.lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js as shipped inside the plotly Python package."""
    from plotly.offline import get_plotlyjs

    return _drop_source_map(get_plotlyjs())


def script_tag(text: str) -> str:
    # a literal "</script" inside the code would end the tag early
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def inline_assets(html: str) -> str:
    """Replace the placeholder tags written by folium with inline <script>/<style> blocks."""
    js_tag = re.compile(r"<script\b[^>]*src=\"" + re.escape(LEAFLET_JS) + r"\"[^>]*>\s*</script>")
    css_tag = re.compile(r"<link\b[^>]*href=\"" + re.escape(LEAFLET_CSS) + r"\"[^>]*/?>")
    html = js_tag.sub(lambda _: script_tag(leaflet_js()), html, count=1)
    html = css_tag.sub(lambda _: "<style>" + leaflet_css() + "</style>", html, count=1)
    return html


def check_offline(html: str) -> None:
    """Raise if any script or stylesheet would be loaded from elsewhere."""
    leftover = [m.group(0) for m in _EXTERNAL_TAG.finditer(html)]
    leftover += [m for m in (LEAFLET_JS, LEAFLET_CSS) if m in html]
    if leftover:
        raise RuntimeError(f"the page still needs the network: {leftover[:3]}")
