"""What the grading processes of a class run import before they are forked.

A class run forks its grading processes from a server that imported this
module (`multiprocessing`'s forkserver preload), so the judge's first-use
costs are paid once for all of them rather than on each one's first
submission: pytest's debugger and fault handler modules (imported when a
session is configured) and, where torch is loaded, what its first backward
pass imports (torch.fx and sympy, about 0.4 s).

The backward pass runs here only with a CPU-only build of torch: where torch
can see a GPU, its first backward starts device threads, and a process forked
after that cannot use autograd at all.
"""

from __future__ import annotations

import faulthandler  # noqa: F401
import pdb  # noqa: F401

import runner.grading  # noqa: F401
import runner.judge  # noqa: F401
from runner.worker import warm_up


def _cpu_only_torch() -> bool:
    import sys

    version = getattr(sys.modules.get("torch"), "version", None)
    return version is not None and not any(
        getattr(version, name, None) for name in ("cuda", "hip", "xpu")
    )


if _cpu_only_torch():
    warm_up()
