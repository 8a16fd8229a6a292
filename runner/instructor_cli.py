"""Instructors' commands (workspace, grade, feedback, export, new); registered on the app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from runner.catalog import Catalog
from runner.cli import app, console, err_console
from runner.errors import ChallengeError

workspace_app = typer.Typer(no_args_is_help=True, help="Workspaces for a class.")
export_app = typer.Typer(no_args_is_help=True, help="Grades where the course lives.")
app.add_typer(workspace_app, name="workspace")
app.add_typer(export_app, name="export")

_OUT_HELP = "The results folder (holds the results store)."


@workspace_app.command("build")
def workspace_build(
    roster: Path = typer.Option(..., help="CSV with a 'student' (or 'id') column."),
    challenges: list[str] = typer.Option(
        ..., "--challenges", "-c", help="Ids or tracks; repeat or comma-separate."
    ),
    out: Path = typer.Option(..., help="Where the workspaces go."),
    as_zip: bool = typer.Option(False, "--zip", help="Also zip each workspace."),
) -> None:
    """One workspace per student: stubs, statements, public tests, a manifest."""
    from runner.workspaces import build_workspaces, read_roster

    catalog = Catalog()
    chosen = catalog.select(_split(challenges))
    built = build_workspaces(catalog, read_roster(roster), chosen, out, as_zip)
    console.print(
        f"built {len(built)} workspaces with {len(chosen)} challenges in {out}"
    )


@app.command()
def grade(
    submissions: Path = typer.Argument(..., help="Folder of submissions (see docs)."),
    out: Path = typer.Option(..., help=_OUT_HELP),
    challenges: list[str] = typer.Option(
        [], "--challenges", "-c", help="Ids or tracks (default: all)."
    ),
    jobs: int = typer.Option(2, "--jobs", "-j", help="Submissions graded at once."),
    backend: str = typer.Option("local", help="local or docker."),
    gpu: bool = typer.Option(False, help="Give the workers a GPU."),
    force: bool = typer.Option(False, help="Grade again what is already stored."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per result."),
    cluster: Optional[str] = typer.Option(
        None, "--cluster", help="Address of a Dask scheduler, tcp://host:8786."
    ),
) -> None:
    """Grade every submission of a class in parallel into the results store."""
    from runner.classrun import grade_class
    from runner.store import ResultStore

    catalog = Catalog()
    if not submissions.is_dir():
        raise ChallengeError(f"no such folder of submissions: {submissions}")
    chosen = catalog.select(_split(challenges))
    with ResultStore(out) as store, _GradeProgress(as_json) as progress:
        if cluster:
            from runner.cluster import grade_class_on_cluster

            summary = grade_class_on_cluster(
                cluster, submissions, store, chosen, catalog, progress.report,
                backend=backend, gpu=gpu, force=force, on_total=progress.start,
            )
        else:
            summary = grade_class(
                submissions,
                store,
                chosen,
                catalog,
                progress.report,
                jobs=jobs,
                backend=backend,
                gpu=gpu,
                force=force,
                on_total=progress.start,
            )
    if as_json:
        sys.stdout.write(json.dumps(summary.to_dict()) + "\n")
    else:
        _print_summary(summary, out)
    if summary.broken:
        raise typer.Exit(3)


class _GradeProgress:
    """A rich progress bar, or JSON lines on stdout."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.counts = {"done": 0, "failed": 0}
        self.progress = Progress(
            TextColumn("[bold]grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=err_console,
            disable=as_json,
        )
        self.task_id = None
        self.total = 0

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def start(self, total: int) -> None:
        self.total = total
        self.task_id = self.progress.add_task("grade", total=total, detail="")

    def report(self, kind: str, task, result) -> None:
        self.counts["done"] += 1
        failed = kind == "broken" or (result is not None and result.status == "error")
        self.counts["failed"] += failed
        remaining = self.total - self.counts["done"]
        self.progress.update(
            self.task_id,
            advance=1,
            detail=f"done {self.counts['done']} · failed {self.counts['failed']} · "
            f"remaining {remaining}",
        )
        if self.as_json:
            line = {
                "event": kind,
                "student": task.student,
                "challenge": task.challenge_id,
                "sha256": task.sha256,
            }
            if result is not None:
                line.update(
                    status=result.status, score=result.score, max_score=result.max_score
                )
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()


def _print_summary(summary, out: Path) -> None:
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items()))
    console.print(
        f"graded {summary.graded} ({statuses or 'none'}), {summary.skipped} unchanged "
        f"and skipped; results in {out}"
    )
    for note in summary.notes:
        console.print(f"[yellow]note[/] {note}", highlight=False)
    for problem in summary.broken:
        err_console.print(f"[red]graders broken[/] {problem}", highlight=False)


@app.command()
def feedback(
    out: Path = typer.Option(..., help=_OUT_HELP),
    to: Optional[Path] = typer.Option(
        None, help="Folder for the files (OUT/feedback)."
    ),
) -> None:
    """One feedback file per student, with results as learners see them."""
    from runner.feedback import write_feedback
    from runner.store import open_store

    with open_store(out) as store:
        files = write_feedback(store.current(), to or out / "feedback")
    console.print(f"wrote {len(files)} feedback files in {to or out / 'feedback'}")


@export_app.command("csv")
def export_csv(
    out: Path = typer.Option(..., help=_OUT_HELP),
    to: Optional[Path] = typer.Option(None, help="The CSV file (OUT/grades.csv)."),
) -> None:
    """A gradebook: one row per student, a column per challenge and a total."""
    from runner.exports.gradebook_csv import write_gradebook
    from runner.store import open_store

    target = to or out / "grades.csv"
    with open_store(out) as store:
        write_gradebook(store.current(), target)
    console.print(f"wrote {target}")


@export_app.command("junit")
def export_junit(
    out: Path = typer.Option(..., help=_OUT_HELP),
    to: Optional[Path] = typer.Option(None, help="Folder for the XML (OUT/junit)."),
) -> None:
    """JUnit XML, one file per student and challenge, for CI systems."""
    from runner.exports.junit import write_junit
    from runner.store import open_store

    target = to or out / "junit"
    with open_store(out) as store:
        files = write_junit(store.current(), target)
    console.print(f"wrote {len(files)} JUnit files in {target}")


@export_app.command("html")
def export_html(
    out: Path = typer.Option(..., help=_OUT_HELP),
    to: Optional[Path] = typer.Option(None, help="Folder for the report (OUT/report)."),
) -> None:
    """An HTML report: class summary, pass rates per challenge and test, students."""
    from runner.exports.html_report import write_report
    from runner.store import open_store

    target = to or out / "report"
    with open_store(out) as store:
        index = write_report(store.current(), target)
    console.print(f"wrote {index}")


@export_app.command("gradescope")
def export_gradescope(
    ids: list[str] = typer.Argument(
        None, metavar="[ID|TRACK]...", help="With ids: an autograder bundle for them."
    ),
    out: Optional[Path] = typer.Option(
        None, help=_OUT_HELP + " With it: results.json."
    ),
    to: Optional[Path] = typer.Option(None, help="Bundle zip or results folder."),
    hidden: str = typer.Option("after_published", help="Visibility of hidden tests."),
) -> None:
    """Gradescope: results.json per student from the store, or an autograder bundle."""
    from runner.exports import gradescope

    if not ids and out is None:
        raise ChallengeError("give challenge ids (for a bundle) or --out (for results)")
    if out is not None:
        from runner.store import open_store

        target = to if (to and not ids) else out / "gradescope"
        with open_store(out) as store:
            files = gradescope.write_results(store.current(), target, hidden)
        console.print(f"wrote {len(files)} results.json files in {target}")
    if ids:
        catalog = Catalog()
        chosen = catalog.select(_split(ids))
        bundle = to if (to and out is None) else Path("autograder.zip")
        gradescope.write_bundle(catalog, chosen, bundle, hidden)
        console.print(f"wrote the autograder bundle {bundle}")


@export_app.command("nbgrader")
def export_nbgrader(
    ids: list[str] = typer.Argument(None, metavar="[ID|TRACK]..."),
    course: Path = typer.Option(..., help="The nbgrader course folder."),
    assignment: str = typer.Option("challenges", help="The nbgrader assignment name."),
    out: Optional[Path] = typer.Option(None, help=_OUT_HELP + " With it: grades."),
) -> None:
    """nbgrader: ids write an assignment's source notebooks; --out writes grades."""
    from runner.exports import nbgrader_course as nbgrader

    if not ids and out is None:
        raise ChallengeError("give challenge ids (an assignment) or --out (grades)")
    catalog = Catalog()
    if ids:
        chosen = catalog.select(_split(ids))
        folder = nbgrader.write_assignment(chosen, course, assignment)
        console.print(f"wrote the nbgrader assignment {folder}")
    if out is not None:
        from runner.store import open_store

        with open_store(out) as store:
            count = nbgrader.write_grades(store.current(), catalog, course, assignment)
        console.print(f"wrote {count} grades into {course / 'gradebook.db'}")


@app.command()
def new(
    challenge_id: str = typer.Argument(..., metavar="TRACK/NAME"),
    title: str = typer.Option("", help="The challenge's title."),
    difficulty: str = typer.Option("medium", help="easy, medium, hard or expert."),
    entry: str = typer.Option("", help="The learner's module name (default: NAME)."),
) -> None:
    """Write a new challenge's scaffold from templates/."""
    from runner.scaffold import write_scaffold

    files = write_scaffold(Catalog().root, challenge_id, title, difficulty, entry)
    for path in files:
        console.print(f"created {path}", highlight=False)
    console.print(f"now fill in the TODOs, then: challenge check {challenge_id}")


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for v in values or [] for part in v.split(",") if part.strip()]
