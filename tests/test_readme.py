"""The README's tour and the demonstration command keep working."""

from __future__ import annotations

import contextlib
import io as pyio
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_tour_block_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md has no python block"
    out = pyio.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    assert printed[0] == "2 + 2 = 4"
    assert printed[1] == "unexpected end of file 3"


def test_tour_command_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stdio2", "tour"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "progress=" in proc.stdout
    assert "copy_file_range" in proc.stdout
