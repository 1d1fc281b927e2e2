"""What the projector's class chart costs a frame, in headless Chromium (software-rendered).

Fills N students' lines to their bound (each the most points a line keeps, as after a long
class) and times ``BPClassChart.draw`` (every faint line, the median at 120 epochs, the axes) at
the size it has beside a 1920×1080 gallery, and ``BPClassLines.add`` per record.

    python bench/bench_class_chart.py [--students 30 100] [--draws 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import browser_page  # noqa: E402

STATIC = Path(__file__).resolve().parents[1] / "explorer" / "live" / "static"
SCRIPTS = ("curvelines.js", "galleryhistory.js", "galleryplot.js", "galleryclass.js")

RUN = """([n, draws]) => {
  const ids = [], rnd = (() => { let s = 7; return () => (s = (s * 16807) % 2147483647) / 2147483647; })();
  for (let i = 0; i < n; i++) ids.push("s" + i);
  BPClassChart.setup("BENC-HMRK", ids);
  const t0 = performance.now(); let adds = 0;
  ids.forEach((id, i) => {                      // each student: 2 states a second for an hour, at 20 epochs/s
    for (let k = 0; k < 7200; k++, adds++) {
      const e = 10 * k + i, acc = 0.5 + 0.45 * (1 - Math.exp(-e / (300 + 20 * i))) + 0.02 * rnd();
      BPClassChart.note(id, {epoch: e, score: acc, test: acc - 0.02, cost: 0.7 * Math.exp(-e / 500)});
    }
  });
  const addUs = 1000 * (performance.now() - t0) / adds;
  const c = document.createElement("canvas"); document.body.appendChild(c);
  const S = {ids, problem: "classification", colors: {positive: "#0877bd"}}, ms = [];
  let out = null;
  for (let k = 0; k < draws; k++) { const t = performance.now(); out = BPClassChart.draw(c, 520, 342, S); ms.push(performance.now() - t); }
  const kept = ids.map(id => BPClassLines.points(BPClassChart.line(id)).length);
  return {ms, addUs, kept: Math.max(...kept), drawn: out};
}"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, nargs="+", default=[30, 100])
    ap.add_argument("--draws", type=int, default=200)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    with browser_page(1920, 1080) as page:
        page.route("http://chart.test/**", lambda r: r.fulfill(body="<html><body></body></html>", content_type="text/html"))
        page.goto("http://chart.test/")
        for name in SCRIPTS:
            page.add_script_tag(path=str(STATIC / name))
        for n in args.students:
            got = page.evaluate(RUN, [n, args.draws])
            ms = sorted(got["ms"])
            print(f"class chart, {n} students, {got['kept']} points a line at most: draw median "
                  f"{statistics.median(ms):.2f} ms, 95th pct {ms[int(0.95 * len(ms))]:.2f} ms, max {ms[-1]:.2f} ms; "
                  f"a record kept in {got['addUs']:.2f} µs; median drawn at {got['drawn']['median']} epochs")


if __name__ == "__main__":
    main()
