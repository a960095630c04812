"""Charts of the three questions and one self-contained HTML page that opens offline.

`report(db, out)` reads the published snapshot and writes:
- contributor_geography.png: where each framework's contributors are (country shares, unknown explicit);
- china_hubs.png: how concentrated the Chinese contributors are (top-3 city share, HHI across provinces);
- downstream_growth.png: forks and dependents found by search, cumulative per month;
- platform_shares.png: each framework's GitHub shares of development, contributors, stars and forks, and the
  GitHub-dependence index they make up;
- report.html: the four charts (embedded) and the key tables, escaped, with no external resources.

Its figures are protected as the exports are (`oss_miner.disclosure`, under the catalogue's privacy
settings): suppressed geography cells are one "suppressed" bar segment, never a country's small share.
A database holding sandbox runs (`oss_miner.labels.data_label`) gets every chart stamped across its face
and in its PNG metadata, and the page a banner and a title that say so.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402

from oss_miner import disclosure  # noqa: E402
from oss_miner.config import Catalogue  # noqa: E402
from oss_miner.disclosure import Policy  # noqa: E402
from oss_miner.labels import data_label  # noqa: E402
from oss_miner.queries import connect_read_only  # noqa: E402

TOP_COUNTRIES = 7
SUPPRESSED = "suppressed"  # the chart segment of every suppressed cell together (never fewer than min_cell)
HUB_COLUMNS = ["framework", "people_cn", "top_cities", "top3_city_share", "hhi_provinces", "top_province",
               "top_province_share", "suppressed"]
_STAMP: ContextVar[str | None] = ContextVar("stamp", default=None)  # the data label charts are stamped with


def _protected(con, table: str, policy: Policy) -> pd.DataFrame:
    # the whole mart: complementary suppression needs every platform and level to decide any cell
    return disclosure.protect(table, con.execute(f'SELECT * FROM "{table}"').df(), policy)


def geography_shares(protected: pd.DataFrame) -> pd.DataFrame:
    """People per framework and country (platform `all`) from the protected mart; the suppressed cells are
    one `suppressed` row per framework: the people total minus what is shown."""
    frame = protected[protected["platform"] == "all"]
    shown = frame[~frame["suppressed"]].assign(country=lambda f: f["country_iso2"].fillna("unknown"))
    people = shown.groupby(["framework", "country"], as_index=False)["people"].sum()
    hidden = frame.groupby("framework")["people_total"].first() - shown.groupby("framework")["people"].sum()
    hidden = hidden.fillna(frame.groupby("framework")["people_total"].first())
    hidden = hidden[hidden > 0].rename("people").reset_index().assign(country=SUPPRESSED)
    return pd.concat([people, hidden], ignore_index=True)[["framework", "country", "people"]]


def _frames(db: Path, policy: Policy) -> tuple[dict[str, pd.DataFrame], str | None]:
    """The report's tables, protected, and the data label of the database."""
    con = connect_read_only(db)
    try:
        hubs = _protected(con, disclosure.HUBS, policy)
        return {
            "geography": geography_shares(_protected(con, disclosure.GEOGRAPHY, policy)),
            "hubs": hubs[hubs["period"] == "all"].sort_values("framework")[HUB_COLUMNS].reset_index(drop=True),
            "growth": con.execute(
                """SELECT framework, month, forks_to_date, dependents_to_date, dependents_search_incomplete
                   FROM mart_downstream_adoption ORDER BY framework, month""").df(),
            "platforms": _with_people_shares(con.execute(
                """SELECT framework, primary_platform, development_platform, github_dependence_index,
                          development_share_github, contributor_share_github,
                          foreign_platform_dependence_index, people_only_github_share, people_only_foreign_operated_share,
                          stars_share_github, forks_share_github, stars_total, forks_total,
                          people_total
                   FROM mart_platform_dependence ORDER BY github_dependence_index, framework""").df(),
                con.execute("SELECT framework, platform, people_share FROM mart_platform_presence").df()),
            "vendor": con.execute(
                """SELECT framework, vendor, authors, vendor_author_share, commits, vendor_commit_share
                   FROM mart_vendor_share ORDER BY framework""").df(),
            "run": con.execute("SELECT run_id, finished_at FROM runs WHERE outcome = 'succeeded' ORDER BY started_at DESC LIMIT 1").df(),
        }, data_label(con)
    finally:
        con.close()


@contextmanager
def _stamped(label: str | None) -> Iterator[None]:
    """Charts saved inside are stamped with `label` (None: real data, no stamp)."""
    token = _STAMP.set(label)
    try:
        yield
    finally:
        _STAMP.reset(token)
def _with_people_shares(dependence: pd.DataFrame, presence: pd.DataFrame) -> pd.DataFrame:
    """The dependence table with a people_share_<platform> column per configured platform, whatever their names."""
    shares = presence.pivot(index="framework", columns="platform", values="people_share").add_prefix("people_share_")
    return dependence.merge(shares, how="left", left_on="framework", right_index=True)


def _save(fig: plt.Figure, path: Path, *more: Path) -> Path:
    """Save the figure (stamped when the data is synthetic) to `path` and to every further path (an SVG
    beside a PNG, say: the format follows each suffix)."""
    fig.tight_layout()
    label = _STAMP.get()
    metadata = {}
    if label:  # across the figure, where no crop or caption can lose it, and in the PNG's text chunks
        fig.text(0.5, 0.5, label, ha="center", va="center", rotation=20, fontsize=min(44.0, 10 * fig.get_figheight()), color="#c0392b",
                 alpha=0.35, fontweight="bold", zorder=10)
        fig.text(0.005, 0.995, label, ha="left", va="top", fontsize=9, color="#c0392b", fontweight="bold")
        metadata = {"Title": label, "Description": label}
    for target in (path, *more):
        fig.savefig(target, dpi=110, metadata=metadata)
    plt.close(fig)
    return path


def chart_geography(frame: pd.DataFrame, path: Path) -> Path:
    totals = frame.groupby("country")["people"].sum().sort_values(ascending=False)
    top = [c for c in totals.index if c not in ("unknown", SUPPRESSED)][:TOP_COUNTRIES]
    frame = frame.assign(country=frame["country"].where(frame["country"].isin(top + ["unknown", SUPPRESSED]), "other"))
    shares = frame.pivot_table(index="framework", columns="country", values="people", aggfunc="sum", fill_value=0)
    shares = shares.div(shares.sum(axis=1), axis=0)
    order = [c for c in top + ["other", SUPPRESSED, "unknown"] if c in shares.columns]
    shares = shares[order].sort_values(order[0], ascending=True)
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(shares) + 1.8))
    colours = list(plt.get_cmap("tab10").colors)
    left = pd.Series(0.0, index=shares.index)
    for i, country in enumerate(order):
        colour = {"unknown": "#bbbbbb", "other": "#888888", SUPPRESSED: "#555555"}.get(country, colours[i % 10])
        ax.barh(shares.index, shares[country], left=left, color=colour, label=country)
        left += shares[country]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of contributors (people, bots excluded)")
    ax.set_title("Where each framework's contributors are")
    ax.legend(ncol=min(len(order), 9), loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, frameon=False)
    return _save(fig, path)


def chart_hubs(frame: pd.DataFrame, path: Path) -> Path:
    frame = frame[frame["top3_city_share"].notna()].sort_values("top3_city_share")  # suppressed rows: no bar
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


# The components of the GitHub-dependence index and their weights (sql/mart_platform_dependence.sql), so
# that the index marker is the weighted mean of the bars drawn beside it.
INDEX_COMPONENTS = (
    ("development_share_github", "development (PRs + issues) on GitHub, weight 0.4", "#2c3e50"),
    ("contributor_share_github", "contributors on GitHub, weight 0.2", "#5d6d7e"),
    ("stars_share_github", "stars on GitHub, weight 0.2", "#95a5a6"),
    ("forks_share_github", "forks on GitHub, weight 0.2", "#d5dbdb"),
)


def chart_platforms(frame: pd.DataFrame, path: Path) -> Path:
    plot_height = 0.9 * max(len(frame), 1)
    fig, ax = plt.subplots(figsize=(10, plot_height + 2.2))
    height = 0.8 / len(INDEX_COMPONENTS)
    positions = range(len(frame))
    middle = (len(INDEX_COMPONENTS) - 1) / 2
    for offset, (column, label, colour) in enumerate(INDEX_COMPONENTS):
        # top to bottom in the order of the legend; a missing share (no pull requests, stars or forks
        # anywhere) is left out of the index and drawn as no bar
        ax.barh([p + (middle - offset) * height for p in positions], frame[column].fillna(0), height=height,
                color=colour, label=label)
    ax.scatter(frame["github_dependence_index"], list(positions), marker="D", color="#c0392b", zorder=3,
               label="GitHub-dependence index (weighted mean of the bars)")
    ax.scatter(frame["foreign_platform_dependence_index"], list(positions), marker="o", facecolors="none",
               edgecolors="#e67e22", zorder=3, label="foreign-platform-dependence index (operators outside mainland China)")
    ax.set_yticks(list(positions), frame["framework"])
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("share on GitHub (the rest is on the other platforms); a share with nothing to count is left out")
    ax.set_title("Platform dependence: how much of each ecosystem lives on GitHub")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.6 / plot_height), ncol=2)  # below the axis label
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


def write_html(frames: dict[str, pd.DataFrame], charts: dict[str, Path], path: Path, min_cell: int,
               label: str | None) -> Path:
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
    title = html.escape(f"{label}: oss-miner report" if label else "oss-miner report")
    banner = (f'<p class="stamp">{html.escape(label)}: made from the forge sandbox\'s synthetic world, '
              "not findings about real projects or people.</p>") if label else ""
    body = []
    for heading, chart, table in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if chart is not None:
            body.append(_embedded(chart))
        if table is not None:
            body.append(_table(table))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}}img{{max-width:100%}}
table.t{{border-collapse:collapse;font-size:12px;margin:1em 0}}table.t td,table.t th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}
table.t td:first-child,table.t th:first-child{{text-align:left}}
.stamp{{background:#c0392b;color:#fff;font-weight:bold;font-size:20px;padding:.6em 1em;text-align:center}}</style></head>
<body>{banner}<h1>{title}</h1><p>{html.escape(run_line)}; generated {generated}. People are counted with bots
excluded; every share in the tables states its denominator in the data dictionary (README.csv of the exports).
Dependents are a lower bound (GitHub code search only). Places with fewer than {min_cell} people are
suppressed (with whatever would give them away).</p>
{''.join(body)}
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def report(db: Path | str, out: Path | str, *, min_cell: int | None = None,
           catalogue: Catalogue | None = None) -> list[Path]:
    """Charts and report.html of `db`, protected under the catalogue's privacy settings (or `min_cell`)."""
    db, out = Path(db), Path(out)
    policy = disclosure.policy_for(db, catalogue=catalogue, min_cell=min_cell)
    out.mkdir(parents=True, exist_ok=True)
    frames, label = _frames(db, policy)
    with _stamped(label):
        charts = {
            "geography": chart_geography(frames["geography"], out / "contributor_geography.png"),
            "hubs": chart_hubs(frames["hubs"], out / "china_hubs.png"),
            "growth": chart_growth(frames["growth"], out / "downstream_growth.png"),
            "platforms": chart_platforms(frames["platforms"], out / "platform_shares.png"),
        }
    return [*charts.values(), write_html(frames, charts, out / "report.html", policy.min_cell, label)]
