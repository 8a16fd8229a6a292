"""What every benchmark prints beside its figures, and how it writes them."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def machine() -> dict:
    import torch

    return {"cores": os.cpu_count(), "torch": torch.__version__}


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"median": statistics.median(ordered), "p99": p99, "n": len(ordered)}


def report(name: str, rows: list[tuple[str, str]], data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    info = machine()
    table = Table(title=f"{name} ({info['cores']} cores, torch {info['torch']})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    Console().print(table)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"machine": info, **data}, indent=2))
    print(f"wrote {path}")
