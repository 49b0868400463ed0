"""Screenshots for the README, taken offline with headless Chromium.

    python -m netopt.views --screenshot RESULT_DIR docs/map.png [--lang ja] [--size 1366x768] [--open 沖縄]
    python -m netopt.views --screenshot-report RESULT_DIR docs/report.png
    python -m netopt.views --screenshot-prefecture RESULT_DIR 沖縄 docs/prefecture.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m netopt.views", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--screenshot", nargs=2, metavar=("RESULT_DIR", "PNG"), help="map of a run")
    what.add_argument("--screenshot-report", nargs=2, metavar=("RESULT_DIR", "PNG"), help="report of a run")
    what.add_argument("--screenshot-prefecture", nargs=3, metavar=("RESULT_DIR", "PREFECTURE", "PNG"),
                      help="A4 fact sheet of a prefecture")
    parser.add_argument("--measure", default="leaked", help="choropleth measure the map opens with")
    parser.add_argument("--lang", default=None, help="ja or en (default: the run's language)")
    parser.add_argument("--size", default="1400x1000", help="viewport WIDTHxHEIGHT in pixels")
    parser.add_argument("--open", default=None, help="map: open this prefecture's fact panel (name or code)")
    parser.add_argument("--period", default=None, help="map: show this period")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not only the viewport")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))

    from netopt.views.browser import screenshot
    from netopt.views.maps.build import write_map
    from netopt.views.prefecture import write_prefecture
    from netopt.views.report import write_report

    with tempfile.TemporaryDirectory(prefix="netopt-shot-") as tmp:
        script = None
        if args.screenshot:
            result_dir, png = args.screenshot
            html = write_map(result_dir, Path(tmp) / "map.html", measure=args.measure, lang=args.lang)
            wait = 800
            steps = [f"netopt.setPeriod({args.period!r})"] if args.period else []
            if args.open:
                from netopt.results.store import read_run
                from netopt.views.prefecture import resolve

                code = int(resolve(read_run(result_dir), args.open)[2:])
                steps.append(f"netopt.openPanel({code})")
            script = "; ".join(steps) or None
        elif args.screenshot_report:
            result_dir, png = args.screenshot_report
            html, _ = write_report(result_dir, tmp, lang=args.lang)
            wait = 1500
        else:
            result_dir, name, png = args.screenshot_prefecture
            html = write_prefecture(result_dir, name, tmp, lang=args.lang)
            wait = 300
        print(screenshot(html, png, width=width, height=height, wait_ms=wait, script=script,
                         full_page=args.full_page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
