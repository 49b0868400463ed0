"""Two languages in one page: every text is written in Japanese and English, and a switch shows one.

A text is a :class:`Text` (ja, en). In HTML it becomes two spans, ``<span class="l-ja" lang="ja">``
and ``<span class="l-en" lang="en">``; the stylesheet :data:`LANG_CSS` hides the language that the
page's ``<html data-lang>`` does not name, and :data:`SWITCH_JS` flips it (日本語 / English buttons,
:func:`switch_html`). So tooltips, popups, legends and panels made as HTML strings switch with the page
and need no script of their own. Files that hold one language (the workbook) use ``Text.get(lang)``.
The run's ``summary.json`` ``language`` (the instance's ``meta.language``) decides the language a page
opens in.
"""

from __future__ import annotations

import html
from typing import NamedTuple

LANGUAGES = ("ja", "en")
FONT_STACK = ('"Meiryo", "Yu Gothic", "YuGothic", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
              '"Noto Sans CJK JP", "Noto Sans JP", "Segoe UI", system-ui, sans-serif')
"""Fonts Japanese offices have (Windows: Meiryo, Yu Gothic; macOS: Hiragino; Linux: Noto Sans CJK)."""


class Text(NamedTuple):
    """A text in both languages."""

    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    @property
    def html(self) -> str:
        """Both languages as escaped spans."""
        return bi_html(html.escape(self.ja), html.escape(self.en))

    def __format__(self, spec: str) -> str:  # f"{text}" in HTML templates gives the spans
        return self.html

    def __add__(self, other):  # Text + Text or Text + str: joined in both languages
        if isinstance(other, Text):
            return Text(self.ja + other.ja, self.en + other.en)
        return Text(self.ja + str(other), self.en + str(other))

    def map(self, func) -> Text:
        return Text(func(self.ja, "ja"), func(self.en, "en"))


def bi_html(ja: str, en: str) -> str:
    """Two HTML fragments, one per language (equal fragments are written once)."""
    if ja == en:
        return ja
    return f'<span class="l-ja" lang="ja">{ja}</span><span class="l-en" lang="en">{en}</span>'


def same(text: str) -> Text:
    """A text that reads the same in both languages (numbers, codes)."""
    return Text(text, text)


T = {  # words the pages share
    "period": Text("期間", "Period"),
    "measure": Text("表示する値", "Measure"),
    "layers": Text("表示する項目", "Layers"),
    "legend": Text("凡例", "Legend"),
    "controls": Text("操作", "Controls"),
    "search": Text("都道府県を検索", "Find a prefecture"),
    "search_hint": Text("例: 沖縄、Okinawa", "e.g. 沖縄, Okinawa"),
    "no_match": Text("該当なし", "No match"),
    "close": Text("閉じる", "Close"),
    "facts": Text("都道府県の概要", "Prefecture facts"),
    "facts_hint": Text("地図の都道府県をクリックするか、上で検索してください。",
                       "Click a prefecture on the map or find it above."),
    "t_per_yr": Text("t/年", "t/yr"),
    "myen": Text("百万円", "Myen"),
    "myen_per_yr": Text("百万円/年", "Myen/yr"),
    "yen_per_t": Text("円/t", "yen/t"),
    "no_region": Text("この計画に地域なし", "no region in this run"),
    "no_region_either": Text("どちらの計画にも地域なし", "no region in either run"),
    "proven": Text("最適性を証明済み", "proven optimal"),
    "cost_discounted": Text("総費用（割引後）", "cost, discounted"),
    "facilities": Text("施設", "Facilities"),
    "flows": Text("輸送（線の太さ: t/年）", "Flows (width: tonnes/yr)"),
    "by_sea": Text("海上輸送（RoRo船・フェリー、点線の曲線）", "By sea (RoRo ship, ferry: dotted curve)"),
    "by_road": Text("陸上輸送（トラック）", "By road (truck)"),
    "existing": Text("既存", "existing"),
    "new": Text("新設", "new"),
    "new_built": Text("新設（建設期間を表示）", "new, with the period built"),
    "not_drawn": Text("地図に描けない流れ（位置なし）", "Not drawn (no location)"),
    "nansei": Text("南西諸島", "Nansei islands"),
    "inset_hint": Text("クリックで拡大", "click to zoom"),
    "source_geometry": Text("境界", "Boundaries"),
    "print_hint": Text("印刷: A4横", "Print: A4 landscape"),
    "open_facts": Text("概要を開く", "Open facts"),
    "title_map": Text("netopt 計画地図", "netopt plan map"),
    "title_compare": Text("netopt 計画の比較", "netopt comparison"),
    "title_report": Text("netopt 報告書", "netopt report"),
    "title_prefecture": Text("netopt 都道府県シート", "netopt prefecture sheet"),
}

LANG_CSS = """
html[data-lang="ja"] .l-en, html[data-lang="en"] .l-ja { display: none !important; }
.netopt-lang { display: inline-flex; gap: 0; border: 1px solid #888; border-radius: 4px; overflow: hidden;
  vertical-align: middle; }
.netopt-lang button { font: inherit; font-size: 12px; border: 0; padding: 3px 9px; background: #fff; color: #222;
  cursor: pointer; }
html[data-lang="ja"] .netopt-lang button[data-set-lang="ja"],
html[data-lang="en"] .netopt-lang button[data-set-lang="en"] { background: #1f4e79; color: #fff; }
@media print { .netopt-lang { display: none !important; } }
"""

SWITCH_JS = """
(function () {
  function setLang(lang) {
    var root = document.documentElement;
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    window.dispatchEvent(new Event("resize"));  // plotly figures drawn while hidden
    document.dispatchEvent(new CustomEvent("netopt-lang", {detail: lang}));
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-set-lang]") : null;
    if (b) { setLang(b.getAttribute("data-set-lang")); }
  });
  window.netoptSetLang = setLang;
  setLang(document.documentElement.getAttribute("data-lang") || "ja");
})();
"""


def head_script(lang: str, title: Text) -> str:
    """Set the language and titles on ``<html>`` before the body is drawn (no flash of the other language)."""
    lang = lang if lang in LANGUAGES else "en"
    return ("<script>(function(){var r=document.documentElement;"
            f"r.setAttribute('data-lang',{_js(lang)});r.setAttribute('lang',{_js(lang)});"
            f"r.setAttribute('data-title-ja',{_js(title.ja)});r.setAttribute('data-title-en',{_js(title.en)});"
            f"document.title={_js(title.get(lang))};}})();</script>")


def _js(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


def switch_html() -> str:
    """The 日本語 / English buttons."""
    return ('<span class="netopt-lang" role="group" aria-label="言語 / Language">'
            '<button type="button" data-set-lang="ja" lang="ja">日本語</button>'
            '<button type="button" data-set-lang="en" lang="en">English</button></span>')


def page_language(summary: dict, requested: str | None = None) -> str:
    """The language a page opens in: the one asked for, else the run's (its instance's meta.language), else en."""
    for lang in (requested, summary.get("language")):
        if lang in LANGUAGES:
            return lang
    return "en"
