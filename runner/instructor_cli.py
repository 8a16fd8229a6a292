"""Instructors' commands (workspace, grade, feedback, export, new); registered on the app."""

from runner.cli import app  # noqa: F401
