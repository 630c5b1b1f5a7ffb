"""Starting one of our own modules as a helper process (``python -m analytics...``), the one way every helper
starts: this interpreter, the project on its path whatever the caller's working directory, no shell.

Not :mod:`multiprocessing`: its spawned child imports the caller's main script again (a Streamlit page, a
benchmark), which ran that script's work a second time when we tried it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def start(module: str, **popen: Any) -> subprocess.Popen:
    """``python -m module`` with ``popen``'s pipes and options; raises OSError when it cannot start."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module], cwd=ROOT, env=env, stderr=subprocess.DEVNULL, **popen)
