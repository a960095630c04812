"""Charts of the three questions and one self-contained HTML page that opens offline.

`report(db, out)` reads the published snapshot and writes:
- contributor_geography.png: where each framework's contributors are (country shares, unknown explicit);
- china_hubs.png: how concentrated the Chinese contributors are (top-3 city share, HHI across provinces);
- downstream_growth.png: forks and dependents found by search, cumulative per month;
- platform_shares.png: each framework's people, stars and forks per platform, and the GitHub-dependence index;
- report.html: the four charts (embedded) and the key tables, escaped, with no external resources.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402

from oss_miner.queries import connect_read_only  # noqa: E402

TOP_COUNTRIES = 7


def _frames(db: Path) -> dict[str, pd.DataFrame]:
    con = connect_read_only(db)
    try:
        return {
            "geography": con.execute(
                """SELECT framework, coalesce(country_iso2, 'unknown') AS country, sum(people) AS people
                   FROM mart_contributor_geography WHERE platform = 'all' GROUP BY ALL""").df(),
            "hubs": con.execute(
                """SELECT framework, people_cn, top_cities, top3_city_share, hhi_provinces, top_province, top_province_share
                   FROM mart_china_hubs WHERE period = 'all' ORDER BY framework""").df(),
            "growth": con.execute(
                """SELECT framework, month, forks_to_date, dependents_to_date, dependents_search_incomplete
                   FROM mart_downstream_adoption ORDER BY framework, month""").df(),
            "platforms": _with_people_shares(con.execute(
                """SELECT framework, primary_platform, development_platform, github_dependence_index,
                          foreign_platform_dependence_index, people_only_github_share, people_only_foreign_operated_share,
                          contributor_share_github, stars_share_github, forks_share_github, stars_total, forks_total,
                          people_total
                   FROM mart_platform_dependence ORDER BY github_dependence_index, framework""").df(),
                con.execute("SELECT framework, platform, people_share FROM mart_platform_presence").df()),
            "vendor": con.execute(
                """SELECT framework, vendor, authors, vendor_author_share, commits, vendor_commit_share
                   FROM mart_vendor_share ORDER BY framework""").df(),
            "run": con.execute("SELECT run_id, finished_at FROM runs WHERE outcome = 'succeeded' ORDER BY started_at DESC LIMIT 1").df(),
        }
    finally:
        con.close()


def _with_people_shares(dependence: pd.DataFrame, presence: pd.DataFrame) -> pd.DataFrame:
    """The dependence table with a people_share_<platform> column per configured platform, whatever their names."""
    shares = presence.pivot(index="framework", columns="platform", values="people_share").add_prefix("people_share_")
    return dependence.merge(shares, how="left", left_on="framework", right_index=True)


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def chart_geography(frame: pd.DataFrame, path: Path) -> Path:
    totals = frame.groupby("country")["people"].sum().sort_values(ascending=False)
    top = [c for c in totals.index if c != "unknown"][:TOP_COUNTRIES]
    frame = frame.assign(country=frame["country"].where(frame["country"].isin(top + ["unknown"]), "other"))
    shares = frame.pivot_table(index="framework", columns="country", values="people", aggfunc="sum", fill_value=0)
    shares = shares.div(shares.sum(axis=1), axis=0)
    order = [c for c in top + ["other", "unknown"] if c in shares.columns]
    shares = shares[order].sort_values(order[0], ascending=True)
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(shares) + 1.8))
    colours = list(plt.get_cmap("tab10").colors)
    left = pd.Series(0.0, index=shares.index)
    for i, country in enumerate(order):
        colour = "#bbbbbb" if country == "unknown" else "#888888" if country == "other" else colours[i % 10]
        ax.barh(shares.index, shares[country], left=left, color=colour, label=country)
        left += shares[country]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of contributors (people, bots excluded)")
    ax.set_title("Where each framework's contributors are")
    ax.legend(ncol=min(len(order), 9), loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, frameon=False)
    return _save(fig, path)


def chart_hubs(frame: pd.DataFrame, path: Path) -> Path:
    frame = frame[frame["people_cn"] > 0].sort_values("top3_city_share")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.45 * max(len(frame), 1) + 1.8), sharey=True)
    left.barh(frame["framework"], frame["top3_city_share"], color="#c0392b")
    left.set_xlim(0, 1)
    left.set_xlabel("share of located Chinese contributors in the top 3 cities")
    for y, (share, cities) in enumerate(zip(frame["top3_city_share"], frame["top_cities"])):
        label = ", ".join(list(cities)[:3]) if cities is not None else ""
        left.text(min(share, 0.98), y, f" {label}", va="center", ha="right" if share > 0.6 else "left", fontsize=7,
                  color="white" if share > 0.6 else "black")
    right.barh(frame["framework"], frame["hhi_provinces"], color="#7f8c8d")
    right.set_xlim(0, 1)
    right.set_xlabel("HHI across provinces (1 = one province)")
    fig.suptitle("How concentrated Chinese contributors are (mainland China only)")
    return _save(fig, path)


def chart_growth(frame: pd.DataFrame, path: Path) -> Path:
    frame = frame.assign(month=pd.to_datetime(frame["month"].astype(str), errors="coerce"))
    fig, (forks, deps) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1.6, 1]})
    colours = plt.get_cmap("tab20").colors
    latest = frame.sort_values("month").groupby("framework").tail(1).sort_values("dependents_to_date")
    for i, (name, group) in enumerate(frame.groupby("framework")):
        forks.plot(group["month"], group["forks_to_date"], label=name, linewidth=1.4, color=colours[i % 20])
    forks.set_title("Forks, cumulative by creation month (all platforms)")
    forks.set_xlabel("month")
    forks.grid(alpha=0.3)
    forks.legend(fontsize=7, ncol=2)
    # code search has no dates: dependents are what the latest search found, not a time series
    bars = deps.barh(latest["framework"], latest["dependents_to_date"], color="#2980b9")
    for bar, incomplete in zip(bars, latest["dependents_search_incomplete"].fillna(False)):
        if incomplete:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    deps.set_title("Dependents found by GitHub code search\n(a lower bound; hatched: search incomplete)")
    deps.set_xlabel("repositories")
    return _save(fig, path)


def chart_platforms(frame: pd.DataFrame, path: Path) -> Path:
    series = [("contributor_share_github", "contributors on GitHub", "#34495e"), ("stars_share_github", "stars on GitHub", "#7f8c8d"),
              ("forks_share_github", "forks on GitHub", "#bdc3c7")]
    fig, ax = plt.subplots(figsize=(10, 0.6 * max(len(frame), 1) + 1.8))
    height = 0.25
    positions = range(len(frame))
    for offset, (column, label, colour) in enumerate(series):
        ax.barh([p + (offset - 1) * height for p in positions], frame[column].fillna(0), height=height,
                color=colour, label=label)
    ax.scatter(frame["github_dependence_index"], list(positions), marker="D", color="#c0392b", zorder=3,
               label="GitHub-dependence index")
    ax.scatter(frame["foreign_platform_dependence_index"], list(positions), marker="o", facecolors="none",
               edgecolors="#e67e22", zorder=3, label="foreign-platform-dependence index (operators outside mainland China)")
    ax.set_yticks(list(positions), frame["framework"])
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("share on GitHub (the rest is on the other platforms)")
    ax.set_title("Platform dependence: how much of each ecosystem lives on GitHub")
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def _embedded(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    return shown.to_html(index=False, escape=True, border=0, classes="t", na_rep="")


def write_html(frames: dict[str, pd.DataFrame], charts: dict[str, Path], path: Path) -> Path:
    run = frames["run"]
    run_line = f"run {run['run_id'][0]} finished {run['finished_at'][0]}" if not run.empty else "no finished run"
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("Contributor geography", charts["geography"], None),
        ("China hubs", charts["hubs"], frames["hubs"]),
        ("Vendor share (how open the project is)", None, frames["vendor"]),
        ("Downstream adoption", charts["growth"], None),
        ("Platform dependence", charts["platforms"], frames["platforms"]),
    ]
    body = []
    for title, chart, table in sections:
        body.append(f"<h2>{html.escape(title)}</h2>")
        if chart is not None:
            body.append(_embedded(chart))
        if table is not None:
            body.append(_table(table))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oss-miner report</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}}img{{max-width:100%}}
table.t{{border-collapse:collapse;font-size:12px;margin:1em 0}}table.t td,table.t th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}
table.t td:first-child,table.t th:first-child{{text-align:left}}</style></head>
<body><h1>oss-miner report</h1><p>{html.escape(run_line)}; generated {generated}. People are counted with bots
excluded; every share in the tables states its denominator in the data dictionary (README.csv of the exports).
Dependents are a lower bound (GitHub code search only).</p>
{''.join(body)}
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def report(db: Path | str, out: Path | str) -> list[Path]:
    db, out = Path(db), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames = _frames(db)
    charts = {
        "geography": chart_geography(frames["geography"], out / "contributor_geography.png"),
        "hubs": chart_hubs(frames["hubs"], out / "china_hubs.png"),
        "growth": chart_growth(frames["growth"], out / "downstream_growth.png"),
        "platforms": chart_platforms(frames["platforms"], out / "platform_shares.png"),
    }
    return [*charts.values(), write_html(frames, charts, out / "report.html")]
