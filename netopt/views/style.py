"""Colours, symbols, line widths, number formats and legends shared by maps and reports."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from netopt.catalogue import FACILITY_KINDS
from netopt.views.i18n import T, Text

# ColorBrewer-style palettes (colour values only)
SEQUENTIAL = ("#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#8c2d04")
DIVERGING = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
ZERO_COLOUR = "#fcfcf7"
NO_DATA_COLOUR = "#d9d9d9"

KIND_STYLE = {k.kind: k.marker for k in FACILITY_KINDS}  # kind -> (shape, colour), from the catalogue
UNKNOWN_KIND_STYLE = ("circle", "#555555")
NODE_STYLE = {  # role -> (shape, colour); labels in views.labels.NODE_ROLES
    "port": ("triangle", "#08519c"),
    "demand": ("circle", "#238b45"),
    "market": ("triangle", "#636363"),
    "sea_port": ("circle", "#2171b5"),
}
RESIDUE_COLOUR = "#c7c7c7"
LAYER_COLOURS = {  # the map's flow layers (views.labels.FLOW_LAYERS) -> line colour
    "collect": "#3182bd",
    "hub_to_pretreatment": "#6baed6",
    "black_mass": "#252525",
    "metal": "#31a354",
    "trade": "#17becf",
    "reuse": "#9e9ac8",
}
SEA_DASH = "2 7"  # sea legs: dotted curves over the sea


def fmt_t(x: float) -> str:
    """Tonnes for people: 12,345 / 45.6 / 0.123."""
    x = float(x)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def esc(x) -> str:
    """HTML-escape any value (a :class:`~netopt.views.i18n.Text` becomes its two language spans)."""
    if isinstance(x, Text):
        return x.html
    return html.escape(str(x))


def symbol_svg(shape: str, colour: str, size: float, stroke: str = "#ffffff", stroke_width: float = 1.5) -> str:
    """An inline SVG symbol of ``size`` pixels: circle, square, diamond or triangle."""
    s = round(size, 1)
    h = s / 2
    inner = h - stroke_width
    paint = f'fill="{colour}" stroke="{stroke}" stroke-width="{stroke_width}"'
    if shape == "circle":
        body = f'<circle cx="{h}" cy="{h}" r="{inner:.1f}" {paint}/>'
    elif shape == "square":
        a = stroke_width
        body = f'<rect x="{a}" y="{a}" width="{s - 2 * a:.1f}" height="{s - 2 * a:.1f}" {paint}/>'
    elif shape == "diamond":
        a = stroke_width
        body = f'<polygon points="{h},{a} {s - a},{h} {h},{s - a} {a},{h}" {paint}/>'
    else:  # triangle
        a = stroke_width
        body = f'<polygon points="{h},{a} {s - a},{s - a} {a},{s - a}" {paint}/>'
    return f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}" style="display:block">{body}</svg>'


def facility_size(capacity: float, max_capacity: float) -> float:
    """Symbol size in pixels, its area proportional to capacity."""
    if max_capacity <= 0:
        return 16.0
    return 12.0 + 26.0 * math.sqrt(max(capacity, 0.0) / max_capacity)


def line_weight(tonnes: float, max_tonnes: float) -> float:
    """Line width in pixels, growing with the square root of tonnes."""
    if max_tonnes <= 0:
        return 2.0
    return 1.5 + 10.5 * math.sqrt(max(tonnes, 0.0) / max_tonnes)


def nice_step(x: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least x."""
    if x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= x:
            return m * power
    return 10 * power


@dataclass
class ColourScale:
    """Classes of a choropleth: upper edges, colours and labels, with a legend."""

    edges: list[float]
    colours: list[str]
    title: str | Text
    diverging: bool = False
    empty: Text = T["no_region"]
    zero: Text = Text("変化なし", "no change")  # the middle class of a diverging scale

    @classmethod
    def sequential(cls, values, title: str | Text) -> ColourScale:
        """Zero in its own colour, then up to seven equal steps of a nice width up to the maximum."""
        top = max([float(v) for v in values if v == v] + [0.0])
        n = len(SEQUENTIAL)
        step = nice_step(top / n) if top > 0 else 1.0
        k = max(1, min(n, math.ceil(top / step))) if top > 0 else 1
        colours = list(SEQUENTIAL[n - k:]) if k < 3 else [SEQUENTIAL[round(i * (n - 1) / (k - 1))] for i in range(k)]
        return cls(edges=[step * (i + 1) for i in range(k)], colours=colours, title=title)

    @classmethod
    def symmetric(cls, values, title: str | Text) -> ColourScale:
        """Diverging classes around zero for differences (blue: less, red: more)."""
        top = max([abs(float(v)) for v in values if v == v] + [0.0])
        step = nice_step(top / 3) if top > 0 else 1.0
        edges = [-2 * step, -step, -1e-9, 1e-9, step, 2 * step, math.inf]
        return cls(edges=edges, colours=list(DIVERGING), title=title, diverging=True)

    def colour(self, value) -> str:
        """The colour of a value (no data: grey)."""
        if value is None or value != value:
            return NO_DATA_COLOUR
        v = float(value)
        if not self.diverging and abs(v) < 1e-9:
            return ZERO_COLOUR
        for edge, colour in zip(self.edges, self.colours):
            if v <= edge:
                return colour
        return self.colours[-1]

    def labels(self) -> list[tuple[str, str]]:
        """(colour, label) per class, for the legend."""
        if self.diverging:
            e = self.edges
            return list(zip(self.colours, [
                f"&lt; {fmt_t(e[0])}", f"{fmt_t(e[0])} &ndash; {fmt_t(e[1])}", f"{fmt_t(e[1])} &ndash; 0",
                self.zero.html,
                f"0 &ndash; {fmt_t(e[4])}", f"{fmt_t(e[4])} &ndash; {fmt_t(e[5])}", f"&gt; {fmt_t(e[5])}"]))
        out = [(ZERO_COLOUR, "0")]
        low = 0.0
        for edge, colour in zip(self.edges, self.colours):
            out.append((colour, f"{fmt_t(low)} &ndash; {fmt_t(edge)}"))
            low = edge
        return out

    def legend_html(self) -> str:
        """Legend block: swatch and label per class, plus no data."""
        rows = "".join(f'<div><i style="background:{c}"></i>{label}</div>' for c, label in self.labels())
        rows += f'<div><i style="background:{NO_DATA_COLOUR}"></i>{self.empty}</div>'
        return f'<div class="netopt-legend-title">{esc(self.title)}</div>{rows}'
