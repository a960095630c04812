"""The sandbox is a separate package: the pipeline never imports it (only the CLI starts it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = [p for p in (ROOT / "src" / "oss_miner").rglob("*.py")
            if "sandbox" not in p.relative_to(ROOT / "src" / "oss_miner").parts[:1] and p.name != "cli.py"]
PIPELINE += list((ROOT / "flows").rglob("*.py"))


def test_no_pipeline_module_names_the_sandbox():
    naming = [str(p.relative_to(ROOT)) for p in PIPELINE
              if "oss_miner.sandbox" in p.read_text() or "from .sandbox" in p.read_text()]
    assert len(PIPELINE) > 20 and naming == []


def test_importing_the_flow_and_the_stages_loads_no_sandbox_module():
    code = ("import sys, flows.mine, oss_miner.pipeline, oss_miner.load, oss_miner.models, oss_miner.export; "
            "print(sorted(m for m in sys.modules if m.startswith('oss_miner.sandbox')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert loaded.stdout.strip() == "[]"
