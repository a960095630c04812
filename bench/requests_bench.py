"""Requests: what oss-miner spends of each platform's rate limit, against the truth's minimum and against
the straightforward scripts of bench/naive.py, on the same sandbox world in one run.

Per scale: the straightforward scripts (on the cold world), oss-miner's cold run, a warm re-run with
nothing changed, and a re-run after `advance?fraction=0.01`. Counts are the sandbox's own accounting.
"Rate-limited" is every request but GitHub's 304s (GitHub does not charge an authenticated 304; Gitee and
GitLab give no such discount, so their 304s count). GraphQL requests count as requests too; their points
are shown apart.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import naive
from bench.common import Section, ratio, target
from bench.harness import AS_OF, PLATFORMS, Cost, Sandbox, mine
from oss_miner.config import load_config
from oss_miner.sandbox.server import SandboxOptions

SEED = 7
ADVANCE = 0.01
TARGET_COLD = 1.15
TARGET_WARM = {"github": 0.02, "gitee": 0.25, "gitlab": 0.25}
TARGET_ADVANCE_GITHUB = 0.10
TARGET_NAIVE_GITHUB = 20


def run(smoke: bool) -> list[Section]:
    return [measure(scale) for scale in ([0.1] if smoke else [1.0, 10.0])]


def measure(scale: float) -> Section:
    with tempfile.TemporaryDirectory(prefix="oss-miner-bench-requests-") as tmp:
        root = Path(tmp)
        # code search's own limit (10 a minute) only makes runs wait; it changes no request count
        options = SandboxOptions(seed=SEED, scale=scale, as_of=AS_OF, code_search_limit=None)
        with Sandbox(options, root / "truth") as sandbox:
            minimum = sandbox.minimum()
            needed = sandbox.truth("world.json")["profiles_needed"]
            straightforward, naive_counts = run_naive(sandbox)
            db = root / "data" / "oss_miner.duckdb"
            cold = mine(sandbox, db)
            warm = mine(sandbox, db)
            sandbox.advance(ADVANCE)
            advanced = mine(sandbox, db)
    return section(scale, minimum, needed, straightforward, naive_counts,
                   {"cold": cold.cost, "warm": warm.cost, "after advance": advanced.cost},
                   {"cold": cold.seconds, "warm": warm.seconds, "after advance": advanced.seconds})


def run_naive(sandbox: Sandbox) -> tuple[Cost, dict[str, Any]]:
    """The three scripts at once (one per platform, each a plain single-threaded loop)."""
    catalogue = load_config(sandbox=True, environ={})
    sandbox.reset()
    with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
        jobs = {p: pool.submit(naive.run, p, catalogue, sandbox.urls, f"naive-{p}") for p in PLATFORMS}
        counts = {p: job.result() for p, job in jobs.items()}
    return Cost.of(sandbox.stats()), counts


def _row(platform: str, run_name: str, cost: Cost, cold: int | None, minimum: int, seconds: float | None) -> dict[str, Any]:
    spent = cost.rate_limited[platform]
    return {
        "platform": platform, "run": run_name, "rate-limited": spent, "304s": cost.not_modified[platform],
        "GraphQL points": cost.graphql_points if platform == "github" else "",
        "MB": round(cost.bytes[platform] / 2**20, 2),
        "x minimum": ratio(spent, minimum), "share of cold": ratio(spent, cold) if cold is not None else "",
        "s": round(seconds, 1) if seconds is not None else "",
    }


def _excess(cold: Cost, minimum: dict[str, Any], platform: str) -> list[tuple[str, int]]:
    """Endpoints where the cold run sent more (or fewer) requests than the minimum, largest first."""
    least = minimum["min_requests"][platform]["by_endpoint"]
    sent = cold.by_endpoint.get(platform, {})
    diff = {e: sent.get(e, 0) - least.get(e, 0) for e in set(sent) | set(least)}
    return sorted(((e, n) for e, n in diff.items() if n), key=lambda item: -abs(item[1]))[:6]


def section(scale: float, minimum: dict[str, Any], needed: dict[str, int], straightforward: Cost, naive_counts: dict[str, Any],
            runs: dict[str, Cost], seconds: dict[str, float]) -> Section:
    rows, targets, notes = [], [], []
    cold = runs["cold"]
    for platform in PLATFORMS:
        least = minimum["min_requests"][platform]["total"]
        rows.append({"platform": platform, "run": "truth minimum (cold)", "rate-limited": least, "304s": "",
                     "GraphQL points": minimum["min_graphql_points"] if platform == "github" else "",
                     "MB": "", "x minimum": 1.0, "share of cold": "", "s": ""})
        for name, cost in runs.items():
            base = None if name == "cold" else cold.rate_limited[platform]
            rows.append(_row(platform, f"oss-miner {name}", cost, base, least, seconds[name]))
        rows.append(_row(platform, "straightforward script", straightforward, None, least, None))
        spent = cold.rate_limited[platform]
        targets.append(target(spent <= TARGET_COLD * least,
                              f"{platform} cold {spent} <= {TARGET_COLD}x minimum {least} ({ratio(spent, least):.3f}x)"))
        again = runs["warm"].rate_limited[platform]
        targets.append(target(again < TARGET_WARM[platform] * spent,
                              f"{platform} warm {again} < {TARGET_WARM[platform]:.0%} of cold ({ratio(again, spent):.1%})"))
    gh_cold, gh_after = cold.rate_limited["github"], runs["after advance"].rate_limited["github"]
    targets.append(target(gh_after < TARGET_ADVANCE_GITHUB * gh_cold,
                          f"github after advance {gh_after} < {TARGET_ADVANCE_GITHUB:.0%} of cold ({ratio(gh_after, gh_cold):.1%})"))
    script = straightforward.rate_limited["github"]
    targets.append(target(script >= TARGET_NAIVE_GITHUB * gh_cold,
                          f"github: straightforward script {script} >= {TARGET_NAIVE_GITHUB}x oss-miner cold {gh_cold} "
                          f"({ratio(script, gh_cold):.1f}x; the truth minimum allows at most "
                          f"{ratio(script, minimum['min_requests']['github']['total']):.1f}x)"))
    notes.append(f"sandbox seed {SEED}, scale {scale}, as of {AS_OF}; code search's 10-a-minute limit off (code_search_limit=None): "
                 "it makes runs wait but changes no request count")
    notes.append("oss-miner runs with two GitHub accounts, one Gitee and one GitLab token; the scripts with one token each")
    notes.append("straightforward scripts collected: " + "; ".join(
        f"{p}: " + ", ".join(f"{k} {v}" for k, v in sorted(naive_counts[p].items())) for p in PLATFORMS))
    notes.append("profiles the scripts read against the profiles a complete run needs (truth): " + ", ".join(
        f"{p} {naive_counts[p].get('profiles', 0):,} of {needed[p]:,}" for p in PLATFORMS))
    listed = sum(naive_counts["github"].get(k, 0) for k in ("contributors", "forks", "stargazers", "dependents"))
    per_item = script - naive_counts["github"].get("profiles", 0) + listed
    notes.append(f"the GitHub script reads each distinct login's profile once; one that reads `user.location` for every "
                 f"listed contributor, fork, stargazer and dependent (no de-duplication) would send about {per_item:,} "
                 f"requests ({ratio(per_item, gh_cold):.0f}x oss-miner; derived from the listed items, not sent)")
    notes.append("cold requests beyond the minimum, by endpoint: " + "; ".join(
        f"{p}: " + (", ".join(f"{e} {n:+d}" for e, n in _excess(cold, minimum, p)) or "none") for p in PLATFORMS))
    notes.append("rate-limited = all requests but GitHub's 304s (GraphQL queries included, one request each); "
                 "GraphQL points as the sandbox charges them")
    return Section(f"Requests at sandbox scale {scale:g}", rows, notes, targets)
