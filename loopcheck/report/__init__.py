"""Reporters: turn a LintResult into text for people or JSON for tools."""
