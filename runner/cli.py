"""The `challenge` command.

Exit codes of `run`: 0 full marks; 1 graded without full marks or not
gradable; 2 usage error (unknown id, missing path); 3 internal failure.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from runner.catalog import Catalog
from runner.errors import ChallengeError, SubmissionInvalid

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Graded coding challenges for the foundations of machine learning.",
)
console = Console()
err_console = Console(stderr=True)
WORKSPACE = Path("workspace")
_STATUS_STYLE = {"pass": "green", "fail": "red", "error": "magenta", "timeout": "yellow"}
_state = {"verbose": False}


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks and logs."),
) -> None:
    _state["verbose"] = verbose
    if verbose:
        from rich.logging import RichHandler

        logging.basicConfig(level=logging.INFO, handlers=[RichHandler(console=err_console)])


@app.command("list")
def list_challenges() -> None:
    """List the challenges, by track."""
    catalog = Catalog()
    table = Table(title="Challenges")
    for column in ("id", "title", "difficulty", "points", "needs"):
        table.add_column(column, justify="right" if column == "points" else "left")
    for challenge in catalog.challenges.values():
        needs = ", ".join(challenge.missing_requirements())
        table.add_row(
            challenge.id,
            challenge.title,
            challenge.difficulty,
            str(challenge.points),
            f"[yellow]{needs} (not installed)[/]" if needs else "",
        )
    console.print(table)


@app.command()
def show(challenge_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Print a challenge's statement."""
    challenge = Catalog().get(challenge_id)
    console.print(Markdown((challenge.challenge_dir / "README.md").read_text()))


@app.command()
def start(
    challenge_id: str = typer.Argument(..., metavar="ID"),
    directory: Path = typer.Option(WORKSPACE, "--dir", help="Where workspaces live."),
    force: bool = typer.Option(False, help="Overwrite files already there."),
) -> None:
    """Copy a challenge's stub, statement and public tests into your workspace."""
    challenge = Catalog().get(challenge_id)
    target = directory / challenge.id
    if target.exists() and not force:
        console.print(f"{target} exists already; edit it, or pass --force to start over")
        return
    shutil.copytree(
        challenge.challenge_dir,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "challenge.toml"),
    )
    console.print(f"Started {challenge.id} in {target}. Edit {challenge.entry}.py, then:")
    console.print(f"  challenge run {challenge.id}")


@app.command()
def run(
    challenge_id: str = typer.Argument(..., metavar="ID"),
    submission: Optional[Path] = typer.Option(
        None, help="A .py file, a folder, a notebook or a zip (default: your workspace)."
    ),
    solution: bool = typer.Option(False, help="Grade the reference solution."),
    backend: str = typer.Option("local", help="local or docker."),
    gpu: bool = typer.Option(False, help="Give the worker a GPU."),
    as_json: bool = typer.Option(False, "--json", help="Print the result record alone."),
) -> None:
    """Grade a submission and print the score."""
    from runner.judge import Judge
    from runner.submissions import describe_unreadable, materialize

    catalog = Catalog()
    challenge = catalog.get(challenge_id)
    path = _submission_path(challenge, submission, solution)
    judge = Judge(catalog, make_backend(backend, gpu), gpu=gpu)
    try:
        material = materialize(path, challenge.entry, challenge.id)
    except SubmissionInvalid as exc:
        result = judge.error_result(challenge, describe_unreadable(path), str(exc))
    else:
        try:
            result = judge.grade(challenge, material)
        finally:
            material.cleanup()
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
    else:
        print_result(result)
    raise typer.Exit(0 if result.status == "pass" else 1)


def _submission_path(challenge, submission: Path | None, solution: bool) -> Path:
    if solution and submission is not None:
        raise ChallengeError("give either --solution or --submission, not both")
    if solution:
        return challenge.solution_dir
    if submission is not None:
        if not submission.exists():
            raise ChallengeError(f"no such file or folder: {submission}")
        return submission
    workspace = WORKSPACE / challenge.id
    if not workspace.exists():
        raise ChallengeError(
            f"no workspace for {challenge.id} at {workspace}; run 'challenge start "
            f"{challenge.id}' first, or pass --submission PATH"
        )
    return workspace


def make_backend(name: str, gpu: bool = False, shared: dict | None = None):
    """`shared`: zygotes another process started (see `WarmBackend.share`)."""
    if name == "local":
        from runner.warm import WarmBackend

        return WarmBackend(shared=shared)
    if name == "docker":
        try:
            from runner.docker_backend import DockerBackend
        except ImportError as exc:
            raise ChallengeError(f"the docker backend is not available: {exc}") from None
        return DockerBackend(gpu=gpu)
    raise ChallengeError(f"unknown backend {name!r}; use local or docker")


def print_result(result, out: Console | None = None) -> None:
    out = out or console
    table = Table(title=f"{result.challenge}", show_lines=False)
    for column in ("test", "category", "points", "status", "message"):
        table.add_column(column, overflow="fold")
    for test in result.tests:
        style = _STATUS_STYLE.get(test.status, "")
        first = test.message.splitlines()[0] if test.message else ""
        table.add_row(
            escape(test.name),
            test.category,
            f"{test.points:g}/{test.max_points:g}",
            f"[{style}]{test.status}[/]",
            escape(first),
        )
    out.print(table)
    for test in result.tests:
        extra = test.message.splitlines()[1:]
        if extra or test.output:
            out.print(f"[bold]{escape(test.name)}[/]")
            if extra:
                out.print("\n".join(extra), markup=False, highlight=False, emoji=False)
            if test.output:
                out.print("printed:\n" + test.output, markup=False, highlight=False,
                          emoji=False)
    for item in result.not_run:
        out.print(f"[yellow]not run[/] {escape(item.name)}: {escape(item.reason)}")
    if result.message:
        out.print(f"[magenta]{escape(result.message)}[/]", highlight=False, emoji=False)
    style = _STATUS_STYLE.get(result.status, "")
    protections = ", ".join(result.backend.get("protections", []))
    out.print(
        f"[bold]score {result.score:g}/{result.max_score:g}[/] "
        f"[{style}]{result.status}[/] in {result.duration_s:.1f} s "
        f"({result.backend['name']} sandbox: {protections})"
    )
    for item in result.backend.get("missing", []):
        out.print(f"[yellow]not in force[/]: {item['protection']} ({item['reason']})")


@app.command()
def check(
    ids: list[str] = typer.Argument(None, metavar="[ID|TRACK]..."),
    backend: str = typer.Option("local", help="local or docker."),
    strict: bool = typer.Option(False, help="Fail on incomplete (draft) challenges too."),
) -> None:
    """The content gate: reference full, stub zero, every mutant caught."""
    from runner.gate import check_challenge
    from runner.judge import Judge

    catalog = Catalog()
    judge = Judge(catalog, make_backend(backend))
    table = Table(title="Content gate")
    for column in ("challenge", "reference", "stub", "mutants caught", "verdict"):
        table.add_column(column, overflow="fold")
    failed = False
    for challenge in catalog.select(ids or []):
        report = check_challenge(judge, challenge)
        if report.skipped:
            verdict = f"[yellow]skipped: {escape(report.skipped)}[/]"
        elif report.ok and report.incomplete:
            failed = failed or strict
            verdict = "[yellow]incomplete: " + escape("; ".join(report.incomplete)) + "[/]"
        elif report.ok:
            verdict = "[green]ok[/]"
        else:
            failed = True
            verdict = "[red]" + escape("; ".join(report.problems)) + "[/]"
        caught = f"{report.mutants_caught}/{report.mutants}" if report.mutants else "-"
        table.add_row(challenge.id, report.reference, report.stub, caught, verdict)
        err_console.print(f"checked {challenge.id}", style="dim")
    console.print(table)
    raise typer.Exit(1 if failed else 0)


image_app = typer.Typer(help="The grading image of the docker backend.")
app.add_typer(image_app, name="image")


@image_app.command("build")
def image_build(
    tag: Optional[str] = typer.Option(None, help="Image name (default by variant)."),
    base: Optional[str] = typer.Option(None, help="Base image (a local one works)."),
    tensorflow: bool = typer.Option(False, help="Include TensorFlow."),
    gpu: bool = typer.Option(False, help="The CUDA variant, for GPU hosts."),
) -> None:
    """Build the grading image from the Dockerfile and report its size."""
    try:
        from runner.image import build_image
    except ImportError as exc:
        raise ChallengeError(f"building images needs the docker extra: {exc}") from None
    info = build_image(
        tag=tag,
        base=base,
        torch="cuda" if gpu else "cpu",
        extras=("tensorflow",) if tensorflow else (),
        echo=lambda line: console.print(line, markup=False, highlight=False),
    )
    console.print(info.describe(), markup=False)


from runner import instructor_cli  # noqa: E402,F401  (registers its commands)


def entry() -> None:
    """Console-script entry: one line per user error, a traceback only with -v."""
    try:
        code = app(standalone_mode=False)
    except ChallengeError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the one place that reports internal bugs
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()  # a usage error from the command-line parser (click's kind)
            sys.exit(exc.exit_code)
        if _state["verbose"]:
            err_console.print_exception()
        err_console.print(f"internal error: {type(exc).__name__}: {exc} (run with -v)")
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)

