"""The brief on a mined sandbox world: the page, its charts, its privacy and its stamp."""

from __future__ import annotations

import re

import duckdb

from oss_miner import disclosure
from oss_miner.labels import SYNTHETIC_LABEL

MAX_BYTES = 10 * 1024 * 1024


def test_the_page_is_self_contained_stamped_and_small(briefed):
    out, files = briefed
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert files[0] == out / "brief.html"
    assert (out / "brief.html").stat().st_size < MAX_BYTES
    assert SYNTHETIC_LABEL in page.split("</title>")[0]
    # no resource from anywhere but the page itself (the charts' PNG/SVG links are files beside it)
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?:', page)
    assert "Plotly.newPlot" in page and "plotly.js" in page.lower()
    for question in ("vendor_dominance", "hub_concentration", "platform_dependence", "adoption", "comparison", "method"):
        assert f'id="{question}"' in page


def test_every_chart_has_a_png_and_an_svg(briefed):
    out, _ = briefed
    page = (out / "brief.html").read_text(encoding="utf-8")
    ids = re.findall(r'<div class="chart" id="([^"]+)"', page)
    assert len(ids) >= 15
    for chart in ids:
        assert (out / "brief_charts" / f"{chart}.png").stat().st_size > 1000
        svg = (out / "brief_charts" / f"{chart}.svg").read_text(encoding="utf-8")
        assert SYNTHETIC_LABEL in svg


def test_the_method_appendix_is_the_data_dictionary(briefed, published):
    out, _ = briefed
    page = (out / "brief.html").read_text(encoding="utf-8")
    con = duckdb.connect(str(published), read_only=True)
    try:
        methods = con.execute("SELECT DISTINCT indicator, method FROM mart_policy_indicators").fetchall()
        comments = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'mart_policy_indicators'").fetchall()
    finally:
        con.close()
    import html

    for _, method in methods:
        assert html.escape(method) in page
    for (comment,) in comments:
        assert html.escape(comment) in page
    for bias in ("July 2026", "GitHub-only lower bound", "self-reported"):
        assert bias in page


def test_place_indicators_over_few_people_are_suppressed_everywhere_they_leave(published):
    """The brief and the exports read the indicators through disclosure.protect: a pilot-zone share over fewer
    than min_cell people is blank, and so is its note naming cities."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        frame = con.execute("SELECT * FROM mart_policy_indicators").df()
    finally:
        con.close()
    policy = disclosure.Policy(min_cell=5, key=b"k")
    protected = disclosure.protect(disclosure.INDICATORS, frame, policy)
    small = (protected["indicator"].str.startswith("pilot_zone_share") & protected["denominator"].lt(5)
             & frame["value"].notna())
    assert small.any(), "the small world has no small cohort to protect"
    assert protected.loc[small, "value"].isna().all() and protected.loc[small, "suppressed"].all()
    big = protected["indicator"].eq("new_forks")
    assert protected.loc[big, "value"].notna().all()
