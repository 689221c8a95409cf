"""Charts for briefings, as hand-written SVG: compliance per group (`stats --format svg`), the
commitment × party heat map (`stats --matrix --format svg`) and the timeline
(`timeline --format svg`).

Why by hand: every coordinate is computed here, so Chromium, Firefox, a word processor and
cairosvg draw the same picture (no layout depends on the renderer's text measurement: widths are
estimated from a fixed per-character table and long text is cut with an ellipsis); nothing is
imported but the standard library, so the commands that do not draw pay nothing; and the output
is small, plain text that a test can read.

Every chart: a light background, the Okabe–Ito palette (chosen to stay distinct for the
colour-blind) with a pattern or a written label beside each colour (never colour alone), text
of WCAG AA contrast (tests/test_charts.py computes it for every text), `<title>` and `<desc>`
for screen readers, and a generic font stack (no font or script fetched from anywhere).

kit.py is the drawing kit (palette, text widths, contrast, the SVG document); compliance.py,
heatmap.py and timeline.py are one chart each.
"""
