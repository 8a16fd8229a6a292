"""The content gate: every challenge's graders are checked against known answers.

The reference solution must score full marks, the untouched stub must score
zero without breaking the grader (status `fail`, not `error`), and every
mutant in `graders/<id>/mutants/` must lose points. A challenge whose points
in challenge.toml differ from its graders' total is reported too. A draft (a
fresh scaffold, TODOs left, too few mutants) is reported as incomplete, which
fails the gate only with --strict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.catalog import Challenge
from runner.errors import MissingRequirement
from runner.judge import Judge
from runner.results import Result
from runner.submissions import materialize


@dataclass
class GateReport:
    challenge: str
    problems: list[str] = field(default_factory=list)
    skipped: str = ""
    reference: str = ""
    stub: str = ""
    mutants_caught: int = 0
    mutants: int = 0
    incomplete: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_challenge(judge: Judge, challenge: Challenge) -> GateReport:
    from runner.scaffold import incomplete_reasons

    report = GateReport(challenge.id, incomplete=incomplete_reasons(challenge))
    try:
        challenge.ensure_requirements()
    except MissingRequirement as exc:
        report.skipped = str(exc)
        return report
    reference = _grade(judge, challenge, challenge.solution_dir)
    report.reference = f"{reference.score:g}/{reference.max_score:g}"
    if reference.status != "pass":
        failing = [t.name for t in reference.tests if t.status != "pass"]
        detail = f" ({', '.join(failing[:5])})" if failing else f" ({reference.message})"
        report.problems.append(f"reference scores {report.reference}{detail}")
    if reference.max_score != challenge.points:
        report.problems.append(
            f"graders total {reference.max_score:g} points, challenge.toml says "
            f"{challenge.points}"
        )
    stub = _grade(judge, challenge, challenge.stub_file)
    report.stub = f"{stub.score:g}/{stub.max_score:g} {stub.status}"
    if stub.status != "fail" or stub.score != 0:
        report.problems.append(f"stub scores {report.stub}, expected 0 with status fail")
    for mutant in challenge.mutants:
        result = _grade(judge, challenge, mutant)
        report.mutants += 1
        if result.score < reference.max_score:
            report.mutants_caught += 1
        else:
            report.problems.append(f"mutant {mutant.stem} is not caught (scores full)")
    if report.mutants == 0:
        report.problems.append("no mutants in graders/<id>/mutants/")
    return report


def _grade(judge: Judge, challenge: Challenge, path) -> Result:
    submission = materialize(path, challenge.entry, challenge.id)
    try:
        return judge.grade(challenge, submission)
    finally:
        submission.cleanup()
