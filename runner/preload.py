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
import sys

import runner.grading  # noqa: F401
import runner.judge  # noqa: F401


def _warm_torch() -> None:
    torch = sys.modules.get("torch")
    if torch is None:
        return
    torch.set_num_threads(1)  # as the judge runs; no thread pool for the children to miss
    x = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.softmax(x @ x.transpose(-1, -2), dim=-1)
    torch.autograd.backward([y], [torch.ones_like(y)])


_warm_torch()
