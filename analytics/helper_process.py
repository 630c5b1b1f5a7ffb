"""Starting one of our own modules as a helper process (``python -m analytics...``), the one way every helper
starts: this interpreter, the project on its path whatever the caller's working directory, no shell.

Not :mod:`multiprocessing`: its spawned child imports the caller's main script again (a Streamlit page, a
benchmark), which ran that script's work a second time when we tried it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


#: The nice value helpers started from this thread run at (see :func:`start_niced`).
_thread = threading.local()
NICE_ENV = "NETWERKLEREN_HELPER_NICE"


def start_niced(nice: int) -> None:
    """Helpers this thread starts from now on run at ``nice`` (a background computation's: they give way to
    the server's own work). The thread itself keeps its priority: niced while it holds Python's GIL, it would
    hold up the server's other threads."""
    _thread.nice = int(nice)


def apply_nice() -> None:
    """In a helper: run at the nice value its starter asked for (nothing when none, or where it cannot)."""
    try:
        nice = int(os.environ.get(NICE_ENV, "0"))
        if nice > 0:
            os.nice(nice)
    except (ValueError, OSError, AttributeError):
        pass


def start(module: str, **popen: Any) -> subprocess.Popen:
    """``python -m module`` with ``popen``'s pipes and options; raises OSError when it cannot start."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if getattr(_thread, "nice", 0):
        env[NICE_ENV] = str(_thread.nice)
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module], cwd=ROOT, env=env, stderr=subprocess.DEVNULL, **popen)
