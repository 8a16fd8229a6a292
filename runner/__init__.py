"""Foundations Challenges: the grading platform."""

__version__ = "0.1.0"
