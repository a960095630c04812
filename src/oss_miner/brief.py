"""The brief: answers to the policy questions in one self-contained page, `brief.html`, that opens offline.

`brief(db, out)` reads the published snapshot and writes:
- brief.html: a section per policy question (vendor dominance, hub concentration, platform dependence,
  adoption) with headline figures and their coverage, trend charts by year, tile-grid maps of contributor
  countries and of China's provinces (equal tiles, no boundaries), a comparison across frameworks, a page per
  framework and a method appendix generated from `ref_indicators` and the data dictionary (the column
  comments), the same definitions `mart_policy_indicators` and `export` carry;
- brief_charts/<chart>.png and .svg: every chart again, for slides.

Interactive charts are plotly.js, inlined from the plotly package (it ships the library's JavaScript, so the
page needs no network); a framework filter restyles every chart. The static versions are drawn with
matplotlib from the same series (plotly's own static export needs kaleido and a browser). Everything shown,
the data embedded for hover included, comes from frames protected by `oss_miner.disclosure` under the
catalogue's privacy settings; a value whose coverage is below `[brief] min_coverage` is drawn hollow and
marked, never shown as if it were as good as the others. Synthetic data is stamped (`labels.data_label`).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from oss_miner import disclosure, tiles  # noqa: E402
from oss_miner.config import Catalogue, default_config_path, load_config  # noqa: E402
from oss_miner.labels import data_label  # noqa: E402
from oss_miner.queries import connect_read_only  # noqa: E402
from oss_miner.report import _save, _stamped  # noqa: E402

INDICATORS = disclosure.INDICATORS
QUESTIONS = {
    "vendor_dominance": "Do the vendors dominate their ecosystems?",
    "hub_concentration": "Is talent concentrating in a few hubs (the national AI pilot zones)?",
    "platform_dependence": "How dependent is each ecosystem on platforms operated outside China?",
    "adoption": "Who builds on it?",
}
HEADLINES = ("vendor_staff_commit_share", "vendor_staff_people_share", "top10_commit_share", "pilot_zone_share",
             "top3_city_share", "foreign_platform_people_share", "foreign_platform_activity_share", "new_forks",
             "dependents_found")
TRENDS = {
    "vendor_dominance": ("top10_commit_share", "people_for_half_of_commits"),
    "hub_concentration": ("pilot_zone_share", "pilot_zone_baseline_share", "pilot_zone_share_new_contributors",
                          "top3_city_share", "province_hhi"),
    "adoption": ("new_forks", "active_forks", "adopter_organisations"),
}
BARS = {
    "vendor_dominance": ("vendor_staff_people_share", "vendor_staff_commit_share"),
    "platform_dependence": ("foreign_platform_people_share", "foreign_platform_activity_share",
                            "foreign_platform_star_share", "primary_is_domestic"),
    "adoption": ("dependents_found",),
}
FRAMEWORK_TRENDS = ("top10_commit_share", "pilot_zone_share", "pilot_zone_baseline_share", "top3_city_share")
ECOSYSTEM = "all"  # mart_policy_indicators' framework of every framework's people together


@dataclass
class Series:
    name: str  # a framework (or `all`), or an indicator on a framework's page
    x: list
    y: list
    flagged: list[bool] = field(default_factory=list)
    hover: list[str] = field(default_factory=list)
    framework: str = ECOSYSTEM  # what the framework filter matches


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # lines, bars or tiles
    series: list[Series]
    y_title: str = ""
    tiles: list[tiles.Tile] = field(default_factory=list)  # kind tiles: the grid (series y: a value per tile)


# -- data ---------------------------------------------------------------------------------------------

def load_frames(db: Path, policy: disclosure.Policy, min_coverage: float) -> dict[str, object]:
    con = connect_read_only(db)
    try:
        indicators = disclosure.protect(INDICATORS, con.execute(f'SELECT * FROM "{INDICATORS}"').df(), policy)
        indicators["flagged"] = indicators["coverage"].lt(min_coverage).fillna(False)
        geography = {t: con.execute(f'SELECT * FROM "{t}"').df() for t in (disclosure.GEOGRAPHY, disclosure.COUNTRIES)}
        protected = disclosure.protect_tables(geography, policy)
        definitions = con.execute("SELECT * FROM ref_indicators ORDER BY question, indicator").df()
        dictionary = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [INDICATORS]).fetchall()
        run = con.execute("SELECT run_id, finished_at FROM runs WHERE outcome = 'succeeded' "
                          "ORDER BY started_at DESC LIMIT 1").fetchall()
        return {"indicators": indicators, "countries": protected[disclosure.COUNTRIES],
                "cells": protected[disclosure.GEOGRAPHY], "definitions": definitions, "dictionary": dictionary,
                "run": run, "label": data_label(con)}
    finally:
        con.close()


def _value_text(value: object, unit: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.3f}" if unit in ("share", "index") else f"{value:,.0f}"


def _hover(row: pd.Series, unit: str) -> str:
    parts = [f"{row['framework']} {int(row['year']) if pd.notna(row['year']) else 'all years'}",
             f"{row['indicator']}: {_value_text(row['value'], unit)}"]
    if pd.notna(row["denominator"]):
        parts.append(f"of {int(row['denominator']):,}")
    parts.append("coverage " + (f"{row['coverage']:.2f}" if pd.notna(row["coverage"]) else "unknown"))
    if row["flagged"]:
        parts.append("LOW COVERAGE")
    if row.get("suppressed"):
        parts.append("suppressed (too few people)")
    return "<br>".join(parts)


def trend_chart(frame: pd.DataFrame, indicator: str, units: dict[str, str], frameworks: list[str],
                chart_id: str, title: str) -> Chart:
    rows = frame[(frame["indicator"] == indicator) & frame["year"].notna()].sort_values("year")
    series = []
    for name in [f for f in frameworks if f in set(rows["framework"])]:
        part = rows[rows["framework"] == name]
        series.append(Series(name, [int(y) for y in part["year"]], _floats(part["value"]),
                             [bool(f) for f in part["flagged"]],
                             [_hover(r, units[indicator]) for _, r in part.iterrows()], framework=name))
    return Chart(chart_id, title, "lines", series, y_title=indicator)


def indicator_trends(frame: pd.DataFrame, framework: str, units: dict[str, str], chart_id: str) -> Chart:
    """One framework's yearly share indicators on one chart (its own page)."""
    series = []
    for indicator in FRAMEWORK_TRENDS:
        part = frame[(frame["indicator"] == indicator) & (frame["framework"] == framework)
                     & frame["year"].notna()].sort_values("year")
        if not part.empty:
            series.append(Series(indicator, [int(y) for y in part["year"]], _floats(part["value"]),
                                 [bool(f) for f in part["flagged"]],
                                 [_hover(r, units[indicator]) for _, r in part.iterrows()], framework=framework))
    return Chart(chart_id, f"{framework}: concentration and pilot zones by year", "lines", series, y_title="share")


def bar_chart(frame: pd.DataFrame, indicators: tuple[str, ...], units: dict[str, str], chart_id: str,
              title: str) -> Chart:
    rows = frame[frame["indicator"].isin(indicators) & frame["year"].isna() & (frame["framework"] != ECOSYSTEM)]
    series = []
    for indicator in indicators:
        part = rows[rows["indicator"] == indicator].sort_values("framework")
        series.append(Series(indicator, list(part["framework"]), _floats(part["value"]), [bool(f) for f in part["flagged"]],
                             [_hover(r, units[indicator]) for _, r in part.iterrows()], framework=ECOSYSTEM))
    return Chart(chart_id, title, "bars", series, y_title=", ".join(indicators))


def _floats(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def country_people(countries: pd.DataFrame) -> dict[str, dict[str, float]]:
    """framework -> country -> people (platform all, located, published cells only); `all`: summed over
    frameworks (a person in two frameworks counts twice)."""
    shown = countries[(countries["platform"] == "all") & ~countries["is_unknown"] & ~countries["suppressed"]]
    out: dict[str, dict[str, float]] = {}
    for (framework, country), people in shown.groupby(["framework", "country_iso2"])["people"].sum().items():
        out.setdefault(framework, {})[country] = float(people)
        out.setdefault(ECOSYSTEM, {})[country] = out.get(ECOSYSTEM, {}).get(country, 0.0) + float(people)
    return out


def province_people(cells: pd.DataFrame, countries: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """framework -> province (CN-XX) or HK/MO/TW -> people, from published cells only."""
    shown = cells[(cells["platform"] == "all") & (cells["country_iso2"] == "CN") & cells["region"].notna()
                  & ~cells["suppressed"]]
    out: dict[str, dict[str, float]] = {}
    for (framework, region), people in shown.groupby(["framework", "region"])["people"].sum().items():
        out.setdefault(framework, {})[region] = float(people)
        out.setdefault(ECOSYSTEM, {})[region] = out.get(ECOSYSTEM, {}).get(region, 0.0) + float(people)
    for framework, by_country in countries.items():
        for code in ("HK", "MO", "TW"):
            if code in by_country:
                out.setdefault(framework, {})[code] = by_country[code]
    return out


def map_chart(values: dict[str, dict[str, float]], grid: list[tiles.Tile], frameworks: list[str], chart_id: str,
              title: str) -> Chart:
    series = []
    for name in [ECOSYSTEM, *frameworks]:
        people = values.get(name, {})
        series.append(Series(name, [t.code for t in grid], [people.get(t.code, 0.0) for t in grid],
                             hover=[f"{t.code}: {people[t.code]:,.0f} people" if t.code in people
                                    else f"{t.code}: none published" for t in grid], framework=name))
    return Chart(chart_id, title, "tiles", series, y_title="people", tiles=grid)


# -- interactive (plotly.js) ---------------------------------------------------------------------------

def plotly_figure(chart: Chart, label: str | None) -> dict:
    data: list[dict] = []
    for index, s in enumerate(chart.series):
        visible = s.framework == ECOSYSTEM if chart.kind == "tiles" else True
        if chart.kind == "lines":
            data.append({"type": "scatter", "mode": "lines+markers", "name": s.name, "x": s.x, "y": s.y,
                         "text": s.hover, "hovertemplate": "%{text}<extra></extra>", "meta": s.framework,
                         "line": {"dash": "dash"} if s.name == ECOSYSTEM else {},
                         "marker": {"symbol": ["circle-open" if f else "circle" for f in s.flagged], "size": 8}})
        elif chart.kind == "bars":
            data.append({"type": "bar", "name": s.name, "x": s.x, "y": s.y, "text": s.hover,
                         "hovertemplate": "%{text}<extra></extra>", "meta": s.framework,
                         "marker": {"opacity": [0.35 if f else 1.0 for f in s.flagged],
                                    "pattern": {"shape": ["/" if f else "" for f in s.flagged]}}})
        else:
            data.append({"type": "scatter", "mode": "markers+text", "name": s.name, "visible": visible,
                         "x": [t.col for t in chart.tiles], "y": [-t.row for t in chart.tiles],
                         "text": [t.label for t in chart.tiles], "customdata": s.hover,
                         "hovertemplate": "%{customdata}<extra></extra>", "meta": s.framework,
                         "textfont": {"size": 8}, "showlegend": False,
                         "marker": {"symbol": "square", "size": 18 if len(chart.tiles) > 60 else 34,
                                    "color": s.y, "colorscale": "Blues", "reversescale": True, "cmin": 0,
                                    "line": {"width": 0}, "showscale": index == 0,
                                    "colorbar": {"title": {"text": "people"}}}})
    layout = {"title": {"text": chart.title}, "height": 480 if chart.kind == "tiles" else 380,
              "margin": {"l": 50, "r": 20, "t": 50, "b": 50}, "yaxis": {"title": {"text": chart.y_title}},
              "legend": {"orientation": "h"}, "barmode": "group"}
    if chart.kind == "tiles":
        layout["xaxis"] = {"visible": False}
        layout["yaxis"] = {"visible": False, "scaleanchor": "x"}
    if label:
        layout["annotations"] = [{"text": label, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                  "showarrow": False, "textangle": -20, "opacity": 0.3,
                                  "font": {"size": 40, "color": "#c0392b"}}]
    return {"data": data, "layout": layout}


# -- static (matplotlib) ---------------------------------------------------------------------------------

def static_chart(chart: Chart, folder: Path) -> list[Path]:
    png, svg = folder / f"{chart.id}.png", folder / f"{chart.id}.svg"
    if chart.kind == "tiles":
        fig, ax = plt.subplots(figsize=(12 if len(chart.tiles) > 60 else 7, 6.5))
        s = chart.series[0]
        peak = max([v for v in s.y if v] or [1.0])
        for tile, value in zip(chart.tiles, s.y):
            ax.add_patch(plt.Rectangle((tile.col, -tile.row), 0.92, 0.92, color=plt.cm.Blues(0.1 + 0.9 * value / peak),
                                       linewidth=0))
            ax.text(tile.col + 0.46, -tile.row + 0.46, tile.label, ha="center", va="center", fontsize=5 if len(chart.tiles) > 60 else 8)
        ax.set_xlim(-0.5, max(t.col for t in chart.tiles) + 1.5)
        ax.set_ylim(-max(t.row for t in chart.tiles) - 0.5, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{chart.title} (all frameworks)")
    elif chart.kind == "lines":
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for s in chart.series:
            line, = ax.plot(s.x, [float("nan") if v is None else v for v in s.y], label=s.name, linewidth=1.4,
                            linestyle="--" if s.name == ECOSYSTEM else "-")
            hollow = [(x, y) for x, y, f in zip(s.x, s.y, s.flagged) if f and y is not None]
            if hollow:
                ax.scatter(*zip(*hollow), facecolors="white", edgecolors=line.get_color(), zorder=3)
        ax.set_title(chart.title + "\n(hollow: coverage below the brief's minimum)")
        ax.set_xlabel("year")
        ax.set_ylabel(chart.y_title)
        ax.grid(alpha=0.3)
        if chart.series:
            ax.legend(fontsize=7, ncol=3)
    else:
        fig, ax = plt.subplots(figsize=(10, 4.5))
        width = 0.8 / max(len(chart.series), 1)
        for index, s in enumerate(chart.series):
            positions = [i + index * width for i in range(len(s.x))]
            bars = ax.bar(positions, [0 if v is None else v for v in s.y], width=width, label=s.name)
            for bar, flagged in zip(bars, s.flagged):
                if flagged:
                    bar.set_hatch("//")
                    bar.set_alpha(0.5)
        if chart.series:
            ax.set_xticks([i + 0.4 - width / 2 for i in range(len(chart.series[0].x))], chart.series[0].x, rotation=30, fontsize=8)
        ax.set_title(chart.title + "\n(hatched: coverage below the brief's minimum)")
        if chart.series:
            ax.legend(fontsize=7)
    _save(fig, png, svg)
    return [png, svg]


# -- page ------------------------------------------------------------------------------------------------

def _headline_table(frame: pd.DataFrame, frameworks: list[str], units: dict[str, str], indicators: tuple[str, ...]) -> str:
    rows = frame[frame["year"].isna()].set_index(["framework", "indicator"])
    head = "".join(f"<th>{html.escape(i)}</th>" for i in indicators)
    body = []
    for framework in frameworks:
        cells = [f"<td>{html.escape(framework)}</td>"]
        for indicator in indicators:
            if (framework, indicator) not in rows.index:
                cells.append("<td>—</td>")
                continue
            row = rows.loc[(framework, indicator)]
            coverage = f"{row['coverage']:.2f}" if pd.notna(row["coverage"]) else "unknown"
            flag = ' class="flag" title="coverage below the brief\'s minimum"' if row["flagged"] else ""
            marker = " ⚑" if row["flagged"] else ""
            cells.append(f"<td{flag}>{_value_text(row['value'], units[indicator])}{marker}"
                         f"<br><small>coverage {coverage}</small></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wide"><table class="t"><tr><th>framework</th>{head}</tr>{"".join(body)}</table></div>'


def _framework_table(frame: pd.DataFrame, framework: str, units: dict[str, str]) -> str:
    rows = frame[frame["year"].isna() & (frame["framework"] == framework)].sort_values("indicator")
    body = []
    for _, row in rows.iterrows():
        coverage = f"{row['coverage']:.2f}" if pd.notna(row["coverage"]) else "unknown"
        flag = ' class="flag"' if row["flagged"] else ""
        denominator = f"{int(row['denominator']):,}" if pd.notna(row["denominator"]) else ""
        body.append(f"<tr{flag}><td>{html.escape(row['indicator'])}</td><td>{_value_text(row['value'], units[row['indicator']])}"
                    f"{' ⚑' if row['flagged'] else ''}</td><td>{denominator}</td><td>{coverage}</td></tr>")
    return ('<table class="t"><tr><th>indicator (all years)</th><th>value</th><th>denominator</th><th>coverage</th></tr>'
            + "".join(body) + "</table>")


def method_appendix(definitions: pd.DataFrame, dictionary: list[tuple[str, str]], min_cell: int,
                    min_coverage: float) -> str:
    items = []
    for question, part in definitions.groupby("question", sort=False):
        items.append(f"<h3>{html.escape(QUESTIONS.get(question, question))}</h3><dl>")
        for _, row in part.iterrows():
            items.append(f"<dt><code>{html.escape(row['indicator'])}</code>: {html.escape(row['title'])} ({html.escape(row['unit'])})</dt>"
                         f"<dd><b>Counts:</b> {html.escape(row['method'])}<br><b>Evidence:</b> {html.escape(row['evidence'])}"
                         f"<br><b>Known biases:</b> {html.escape(row['biases'])}</dd>")
        items.append("</dl>")
    columns = "".join(f"<dt><code>{html.escape(c)}</code></dt><dd>{html.escape(d or '')}</dd>" for c, d in dictionary)
    return (f"<p>Every figure comes from <code>{INDICATORS}</code>; these definitions are the ones its "
            f"<code>method</code> and <code>confidence_note</code> columns and the exports' data dictionary carry. "
            f"Figures with coverage below {min_coverage:g} are flagged (⚑, hollow markers, hatched bars). Places with "
            f"fewer than {min_cell} people are suppressed, and so are place indicators over fewer people. Known "
            "biases throughout: GitHub stargazer lists are unobservable since July 2026; dependents are a "
            "GitHub-only lower bound; locations are self-reported and today's (series are by current location); "
            "vendor staff shares are a lower bound.</p>" + "".join(items)
            + f"<h3>Columns of {INDICATORS}</h3><dl>{columns}</dl>")


def build_charts(frames: dict[str, object]) -> tuple[list[Chart], dict[str, list[str]], dict[str, list[str]]]:
    """Every chart, the chart ids of each question's section, and of each framework's page."""
    frame: pd.DataFrame = frames["indicators"]  # type: ignore[assignment]
    units = dict(zip(frames["definitions"]["indicator"], frames["definitions"]["unit"]))  # type: ignore[index]
    # frameworks the data says anything about (a run of some frameworks leaves the others' rows empty)
    observed = frame["denominator"].gt(0) | (frame["value"].gt(0) & (frame["indicator"] != "primary_is_domestic"))
    frameworks = sorted(f for f in frame.loc[observed, "framework"].unique() if f != ECOSYSTEM)
    with_ecosystem = [*frameworks, ECOSYSTEM]
    charts: list[Chart] = []
    sections: dict[str, list[str]] = {q: [] for q in QUESTIONS}
    for question, indicators in TRENDS.items():
        for indicator in indicators:
            chart = trend_chart(frame, indicator, units, with_ecosystem, f"trend_{indicator}", f"{indicator} by year")
            charts.append(chart)
            sections[question].append(chart.id)
    for question, indicators in BARS.items():
        chart = bar_chart(frame, indicators, units, f"bars_{question}", "All years: " + ", ".join(indicators))
        charts.append(chart)
        sections[question].append(chart.id)
    countries = country_people(frames["countries"])  # type: ignore[arg-type]
    for chart in (map_chart(province_people(frames["cells"], countries), tiles.province_tiles(), frameworks,  # type: ignore[arg-type]
                            "map_provinces", "Contributors in China's provinces (tile grid; HK, MO, TW their own codes)"),
                  map_chart(countries, list(tiles.country_tiles()), frameworks, "map_countries",
                            "Contributor countries (tile grid: one tile per country, no boundaries)")):
        charts.append(chart)
        sections["hub_concentration"].append(chart.id)
    pages: dict[str, list[str]] = {}
    for index, framework in enumerate(frameworks):
        chart = indicator_trends(frame, framework, units, f"framework_{index}_trends")
        charts.append(chart)
        pages[framework] = [chart.id]
    return charts, sections, pages


FILTER_JS = """
function applyFramework(choice) {
  document.querySelectorAll('.chart').forEach(function (div) {
    if (!div.data) { return; }
    var tiles = div.getAttribute('data-kind') === 'tiles';
    var page = div.getAttribute('data-page');
    if (page) { return; }
    var visible = div.data.map(function (t) {
      if (tiles) { return t.meta === choice; }
      return choice === 'all' || t.meta === choice || t.meta === 'all';
    });
    Plotly.restyle(div, {visible: visible});
  });
}
document.getElementById('framework-filter').addEventListener('change', function (e) { applyFramework(e.target.value); });
"""


def write_page(frames: dict[str, object], charts: list[Chart], sections: dict[str, list[str]],
               pages: dict[str, list[str]], path: Path, min_cell: int, min_coverage: float) -> Path:
    from plotly.offline import get_plotlyjs

    label = frames["label"]
    frame: pd.DataFrame = frames["indicators"]  # type: ignore[assignment]
    units = dict(zip(frames["definitions"]["indicator"], frames["definitions"]["unit"]))  # type: ignore[index]
    frameworks = sorted(pages)
    by_id = {c.id: c for c in charts}

    def chart_div(chart_id: str, page: str = "") -> str:
        chart = by_id[chart_id]
        figure = json.dumps(plotly_figure(chart, label), allow_nan=False, default=str).replace("</", "<\\/")
        page_attr = f' data-page="{html.escape(page)}"' if page else ""
        return (f'<div class="chart" id="{chart.id}" data-kind="{chart.kind}"{page_attr}></div>'
                f'<p class="files">slides: <a href="brief_charts/{chart.id}.png">PNG</a> · '
                f'<a href="brief_charts/{chart.id}.svg">SVG</a></p>'
                f'<script>(function(){{var f={figure};Plotly.newPlot("{chart.id}",f.data,f.layout,'
                '{displaylogo:false,responsive:true});})();</script>')

    run = frames["run"]
    run_line = f"run {run[0][0]} finished {run[0][1]}" if run else "no finished run"  # type: ignore[index]
    title = html.escape(f"{label}: oss-miner brief" if label else "oss-miner brief")
    banner = (f'<p class="stamp">{html.escape(label)}: made from the forge sandbox\'s synthetic world, not findings '
              "about real projects or people.</p>") if label else ""
    options = "".join(f'<option value="{html.escape(f)}">{html.escape(f)}</option>' for f in frameworks)
    nav = " · ".join([f'<a href="#{q}">{html.escape(q.replace("_", " "))}</a>' for q in QUESTIONS]
                     + ['<a href="#comparison">comparison</a>']
                     + [f'<a href="#framework-{i}">{html.escape(f)}</a>' for i, f in enumerate(frameworks)]
                     + ['<a href="#method">method</a>'])
    body = [f"<h2>Headline figures (all years)</h2>{_headline_table(frame, frameworks, units, HEADLINES)}"]
    for question, text in QUESTIONS.items():
        body.append(f'<section id="{question}"><h2>{html.escape(text)}</h2>')
        body += [chart_div(c) for c in sections[question]]
        body.append("</section>")
    every = tuple(sorted(units, key=lambda i: (list(QUESTIONS).index(frames["definitions"].set_index("indicator").at[i, "question"]), i)))  # type: ignore[union-attr]
    body.append(f'<section id="comparison"><h2>Comparison across frameworks (all years)</h2>'
                f'{_headline_table(frame, [*frameworks, ECOSYSTEM], units, every)}</section>')
    for index, framework in enumerate(frameworks):
        body.append(f'<section class="page" id="framework-{index}"><h2>{html.escape(framework)}</h2>'
                    f"{_framework_table(frame, framework, units)}"
                    + "".join(chart_div(c, framework) for c in pages[framework]) + "</section>")
    body.append(f'<section class="page" id="method"><h2>Method</h2>'
                f'{method_appendix(frames["definitions"], frames["dictionary"], min_cell, min_coverage)}</section>')  # type: ignore[arg-type]
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:1em auto;color:#222}}
.stamp{{background:#c0392b;color:#fff;font-weight:bold;font-size:20px;padding:.6em 1em;text-align:center}}
table.t{{border-collapse:collapse;font-size:12px;margin:1em 0}}table.t td,table.t th{{padding:3px 6px;border-bottom:1px solid #ddd;text-align:right}}
table.t td:first-child,table.t th:first-child{{text-align:left}}td.flag,tr.flag td{{background:#fdebd0}}
.chart{{width:100%;min-height:380px}}.wide{{overflow-x:auto}}.files{{font-size:11px;color:#666}}section.page{{page-break-before:always}}
nav{{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;font-size:13px}}</style>
<script>{get_plotlyjs()}</script></head>
<body>{banner}<h1>{title}</h1><p>{html.escape(run_line)}; generated {generated}. Places with fewer than {min_cell}
people are suppressed; figures whose coverage is below {min_coverage:g} are flagged ⚑. Series by year are by
current location.</p>
<nav>{nav} · framework: <select id="framework-filter"><option value="all">all frameworks</option>{options}</select></nav>
{''.join(body)}
<script>{FILTER_JS}</script>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def brief(db: Path | str, out: Path | str, *, min_cell: int | None = None, identify: bool = False,
          catalogue: Catalogue | None = None) -> list[Path]:
    """brief.html and the static charts of `db`, protected under the catalogue's privacy settings."""
    db, out = Path(db), Path(out)
    catalogue = catalogue or load_config(default_config_path())
    policy = disclosure.policy_for(db, catalogue=catalogue, min_cell=min_cell, identify=identify)
    min_coverage = catalogue.brief.min_coverage
    frames = load_frames(db, policy, min_coverage)
    charts, sections, pages = build_charts(frames)
    folder = out / "brief_charts"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with _stamped(frames["label"]):  # type: ignore[arg-type]
        for chart in charts:
            written += static_chart(chart, folder)
    return [write_page(frames, charts, sections, pages, out / "brief.html", policy.min_cell, min_coverage), *written]
