"""Screenshots for the README, taken offline with headless Chromium.

    python -m netopt.views --screenshot RESULT_DIR docs/map.png
    python -m netopt.views --screenshot-report RESULT_DIR docs/report.png
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
    parser.add_argument("--measure", default="leaked", help="choropleth measure of the map")
    parser.add_argument("--size", default="1400x1000", help="viewport WIDTHxHEIGHT in pixels")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))

    from netopt.views.browser import screenshot
    from netopt.views.maps.build import write_map
    from netopt.views.report import write_report

    with tempfile.TemporaryDirectory(prefix="netopt-shot-") as tmp:
        if args.screenshot:
            result_dir, png = args.screenshot
            html = write_map(result_dir, Path(tmp) / "map.html", measure=args.measure)
            wait = 500
        else:
            result_dir, png = args.screenshot_report
            html, _ = write_report(result_dir, tmp)
            wait = 1500
        print(screenshot(html, png, width=width, height=height, wait_ms=wait))
    return 0


if __name__ == "__main__":
    sys.exit(main())
