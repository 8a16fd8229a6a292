"""What the grading processes of a class run import before they are forked.

A class run forks its grading processes from a server that imported this
module (`multiprocessing`'s forkserver preload), so the judge's first-use
costs are paid once for all of them rather than on each one's first
submission: pytest's debugger and fault handler modules (imported when a
session is configured) and, where torch is loaded, what its first backward
pass imports (torch.fx and sympy, about 0.4 s).
"""

from __future__ import annotations

import faulthandler  # noqa: F401
import pdb  # noqa: F401

import runner.grading  # noqa: F401
import runner.judge  # noqa: F401
from runner.worker import warm_up


warm_up()
