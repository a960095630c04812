"""brief.html opened from disk in headless Chromium with the network off: it draws, filters and maps."""

from __future__ import annotations

import time

from oss_miner import tiles

from .browser import offline_chromium

CHARTS = "Array.from(document.querySelectorAll('.chart'))"


def _wait_for_charts(chrome, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if chrome.execute_script(f"return {CHARTS}.every(d => d.querySelector('.main-svg'))"):
            return
        time.sleep(0.5)
    raise AssertionError("the charts did not draw")


def test_the_brief_draws_filters_and_maps_offline(briefed, tmp_path):
    out, _ = briefed
    chrome = offline_chromium(tmp_path / "profile")
    try:
        chrome.get((out / "brief.html").as_uri())
        _wait_for_charts(chrome)
        errors = [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        sizes = chrome.execute_script(f"return {CHARTS}.map(d => [d.id, d.getBoundingClientRect().width, "
                                      "d.getBoundingClientRect().height])")
        assert len(sizes) >= 15 and all(w > 0 and h > 0 for _, w, h in sizes), sizes
        # the maps: one tile per province (HK, MO and TW their own) and per country, whatever the data
        points = "return document.getElementById('{}').querySelectorAll('path.point').length"
        assert chrome.execute_script(points.format("map_provinces")) == len(tiles.province_tiles())
        assert chrome.execute_script(points.format("map_countries")) == len(tiles.country_tiles())
        # the framework filter changes what a trend chart and a map show
        traces = "return document.getElementById('trend_new_forks').querySelectorAll('g.trace').length"
        shown = "return document.getElementById('map_provinces').data.filter(t => t.visible !== false).map(t => t.meta)"
        before, before_map = chrome.execute_script(traces), chrome.execute_script(shown)
        chrome.execute_script("var s = document.getElementById('framework-filter'); s.value = s.options[1].value;"
                              "s.dispatchEvent(new Event('change'));")
        time.sleep(1)
        after, after_map = chrome.execute_script(traces), chrome.execute_script(shown)
        chosen = chrome.execute_script("return document.getElementById('framework-filter').value")
        assert after < before and before > 1
        assert before_map == ["all"] and after_map == [chosen]
        assert chrome.execute_script(points.format("map_provinces")) == len(tiles.province_tiles())
        chrome.execute_script("window.scrollTo(0, 0)")
        chrome.save_screenshot(str(tmp_path / "brief.png"))
        assert (tmp_path / "brief.png").stat().st_size > 10_000
    finally:
        chrome.quit()
