"""Judge-to-worker round trips: a scalar, and a 1 MB float32 tensor, through a real worker.

    python benchmarks/wire.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from common import report, summary
from runner.catalog import Catalog
from runner.remote import Session
from runner.sandbox import WorkerSpec
from runner.warm import WarmBackend


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    (folder / "echo.py").write_text("def echo(x):\n    return x\n")
    spec = WorkerSpec(folder, "echo", preload=("torch",), hidden=Catalog().hidden)
    session = Session(WarmBackend(), spec)
    echo = session.module().echo
    payloads = {"scalar": 1.5, "tensor_1mb": torch.randn(262_144, dtype=torch.float32)}
    results = {}
    for name, value in payloads.items():
        for _ in range(10):
            echo(value)
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            echo(value)
            samples.append((time.perf_counter() - started) * 1000)
        results[name] = summary(samples)
    session.close()
    rows = [
        (f"{name} round trip, ms", f"median {r['median']:.3f}  p99 {r['p99']:.3f}")
        for name, r in results.items()
    ]
    report("wire", rows, {"round_trip_ms": results})


if __name__ == "__main__":
    main()
