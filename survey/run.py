#!/usr/bin/env python3
"""Re-run loopcheck on the surveyed projects and compare what it reports with the verdicts.

    python survey/run.py [--half development|check|all] [--project NAME ...]
                         [--projects FILE] [--verdicts FILE] [--trees DIR]
                         [--mirror DIR] [--clone] [--extract-only]
                         [--write-pending FILE] [--json FILE]

Each project of `projects.toml` is analysed in `<trees>/<owner>+<repo>` (default: `.trees` next to
this script). A missing tree, or one extracted at another commit (the `.survey-commit` file in it
says which), is extracted at the pinned commit from a local mirror of clones (`--mirror DIR`, or
the environment variable LOOPCHECK_SURVEY_MIRROR, holding `<owner>+<repo>` as a git directory, or
with one at `.git`, `repo` or `repo/.git` inside it) or, with `--clone`, from a fresh clone of
github.com/<owner>/<repo>. Files the git directory lacks (large files a partial mirror left out)
are left out of the tree and named. A project whose tree cannot be had is reported in one line and
the run goes on.

A finding and a verdict match on (project, path, line, code); a finding reported more than once at
the same key (two columns of one line) counts once. Precision is true / (true + false), where a
`missed` verdict that loopcheck now reports counts as true. A known bug is a `true` or `missed`
verdict; recall is found / known; a `true` bug no longer reported is lost.

Only the development half runs unless `--half check` or `--half all` is given: the check half is
kept for the final judgement.

Exit status: 0 when every finding has a verdict, no known bug is lost and every selected project
was run; 1 otherwise; 2 on bad usage or a projects or verdicts file that cannot be used.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        sys.exit("survey/run.py needs Python 3.11 or later, or the tomli package")

HERE = Path(__file__).resolve().parent
if (HERE.parent / "loopcheck").is_dir() and str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # the loopcheck of this checkout, run as a script or not

HALVES = ("development", "check")
VERDICTS = ("true", "false", "debatable", "missed")
MARKER = ".survey-commit"
MIRROR_ENV = "LOOPCHECK_SURVEY_MIRROR"
PROJECT_KEYS = {"name", "commit", "half", "paths", "note"}
FINDING_KEYS = {"project", "path", "line", "code", "verdict", "reason"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_CODE = re.compile(r"^[A-Z]+[0-9]+$")

Key = tuple[str, str, int, str]
"""(project, path, line, code): what ties a finding to its verdict."""


class InputError(Exception):
    """A projects or verdicts file, or an option, that cannot be used as it is (exit status 2)."""


class TreeUnavailable(Exception):
    """A project's tree could not be had at its pinned commit."""


@dataclass(frozen=True)
class Project:
    name: str
    commit: str
    half: str
    paths: tuple[str, ...] = (".",)
    note: str = ""

    @property
    def dirname(self) -> str:
        return self.name.replace("/", "+")


@dataclass(frozen=True)
class Verdict:
    project: str
    path: str
    line: int
    code: str
    verdict: str
    reason: str

    @property
    def key(self) -> Key:
        return (self.project, self.path, self.line, self.code)


@dataclass(frozen=True)
class Reported:
    """One finding of loopcheck, its path relative to the project's tree."""

    project: str
    path: str
    line: int
    column: int
    code: str
    name: str
    severity: str
    message: str

    @property
    def key(self) -> Key:
        return (self.project, self.path, self.line, self.code)


@dataclass
class ProjectRun:
    project: Project
    files_checked: int
    errors: list[tuple[str, str]]
    findings: list[Reported]
    seconds: float

    @property
    def files_not_analysable(self) -> int:
        return len({path for path, _ in self.errors})


@dataclass
class RuleCounts:
    true: int = 0
    false: int = 0
    debatable: int = 0
    unreviewed: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return self.true / judged if judged else None


@dataclass
class Summary:
    rules: dict[str, RuleCounts] = field(default_factory=dict)
    known: list[Verdict] = field(default_factory=list)
    found: list[Verdict] = field(default_factory=list)
    lost: list[Verdict] = field(default_factory=list)
    still_missed: list[Verdict] = field(default_factory=list)
    unreviewed: list[Reported] = field(default_factory=list)
    verdicts: dict[Key, str] = field(default_factory=dict)

    @property
    def overall(self) -> RuleCounts:
        total = RuleCounts()
        for counts in self.rules.values():
            total.true += counts.true
            total.false += counts.false
            total.debatable += counts.debatable
            total.unreviewed += counts.unreviewed
        return total

    @property
    def recall(self) -> float | None:
        return len(self.found) / len(self.known) if self.known else None


# ----------------------------------------------------------------------------- reading the files


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None


def _tables(data: dict[str, Any], name: str, path: Path) -> list[dict[str, Any]]:
    tables = data.get(name, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{path}: `{name}` must be an array of tables ([[{name}]])")
    return tables


def _get(table: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    if key not in table:
        if default is not None:
            return default
        raise InputError(f"{where}: `{key}` is missing")
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):  # True is an int
        wanted = {str: "a string", int: "an integer", list: "a list"}.get(kind, kind.__name__)
        raise InputError(f"{where}: `{key}` must be {wanted}, not {value!r}")
    return value


def _relative_path(value: str, where: str) -> str:
    path = PurePosixPath(value)
    if not value or "\\" in value or path.is_absolute() or ".." in path.parts:
        raise InputError(f"{where}: path {value!r} must be relative to the tree, with / and no ..")
    return str(path)


def _unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputError(f"{where}: unknown keys {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def load_projects(path: Path) -> list[Project]:
    projects: list[Project] = []
    for number, table in enumerate(_tables(read_toml(path), "project", path), 1):
        where = f"{path}: project {number}"
        _unknown_keys(table, PROJECT_KEYS, where)
        name = _get(table, "name", str, where)
        where = f"{path}: project {name!r}"
        if not _NAME.match(name):
            raise InputError(f"{where}: name must be owner/repo")
        commit = _get(table, "commit", str, where)
        if not _COMMIT.match(commit):
            raise InputError(f"{where}: commit must be 40 lower-case hex digits, not {commit!r}")
        half = _get(table, "half", str, where)
        if half not in HALVES:
            raise InputError(f"{where}: half must be one of {', '.join(HALVES)}, not {half!r}")
        paths = _get(table, "paths", list, where, default=["."])
        if not paths or not all(isinstance(p, str) for p in paths):
            raise InputError(f"{where}: paths must be a non-empty list of strings")
        note = _get(table, "note", str, where, default="")
        if any(p.name == name for p in projects):
            raise InputError(f"{where}: listed twice")
        projects.append(Project(name, commit, half, tuple(_relative_path(p, where) for p in paths), note))
    return projects


def load_verdicts(path: Path, projects: Sequence[Project]) -> list[Verdict]:
    names = {p.name for p in projects}
    verdicts: dict[Key, Verdict] = {}
    for number, table in enumerate(_tables(read_toml(path), "finding", path), 1):
        where = f"{path}: finding {number}"
        _unknown_keys(table, FINDING_KEYS, where)
        project = _get(table, "project", str, where)
        if project not in names:
            raise InputError(f"{where}: project {project!r} is not in the projects file")
        line = _get(table, "line", int, where)
        if line < 1:
            raise InputError(f"{where}: line must be 1 or more")
        code = _get(table, "code", str, where)
        if not _CODE.match(code):
            raise InputError(f"{where}: code must look like LC001, not {code!r}")
        verdict = _get(table, "verdict", str, where)
        if verdict not in VERDICTS:
            raise InputError(f"{where}: verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        reason = _get(table, "reason", str, where).strip()
        if not reason or "\n" in reason:
            raise InputError(f"{where}: reason must be one non-empty line")
        entry = Verdict(project, _relative_path(_get(table, "path", str, where), where), line, code, verdict, reason)
        if entry.key in verdicts:
            raise InputError(f"{where}: a second verdict for {entry.path}:{line} {code} of {project}")
        verdicts[entry.key] = entry
    return list(verdicts.values())


def select_projects(projects: Sequence[Project], half: str, names: Sequence[str]) -> list[Project]:
    chosen = [p for p in projects if half == "all" or p.half == half]
    if not names:
        return chosen
    by_name = {p.name: p for p in projects}
    for name in names:
        if name not in by_name:
            raise InputError(f"--project {name}: not in the projects file")
        if by_name[name] not in chosen:
            half = by_name[name].half
            raise InputError(f"--project {name}: it is in the {half} half; add --half {half}")
    return [p for p in chosen if p.name in names]


# ----------------------------------------------------------------------------- trees


def git(git_dir: Path | None, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    try:
        return subprocess.run(command, input=stdin, capture_output=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError:
        raise TreeUnavailable("git is not installed") from None


def _last_line(output: bytes) -> str:
    lines = output.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no message"


def recorded_commit(tree: Path) -> str | None:
    try:
        return (tree / MARKER).read_text().split()[0]
    except (OSError, IndexError):
        return None


def mirror_git_dir(mirror: Path, project: Project) -> Path | None:
    base = mirror / project.dirname
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def absent_files(git_dir: Path, commit: str) -> list[str]:
    """Files of `commit` whose contents the git directory does not hold (a partial mirror)."""
    listing = git(git_dir, "ls-tree", "-r", "-z", commit)
    if listing.returncode:
        raise TreeUnavailable(f"cannot list commit {commit} in {git_dir}: {_last_line(listing.stderr)}")
    blobs: list[tuple[bytes, str]] = []
    for record in listing.stdout.split(b"\0"):
        meta, _, path = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob":
            blobs.append((fields[2], path.decode("utf-8", "surrogateescape")))
    if not blobs:
        return []
    check = git(git_dir, "cat-file", "--batch-check", stdin=b"".join(sha + b"\n" for sha, _ in blobs))
    answers = check.stdout.splitlines()
    return [path for (_, path), answer in zip(blobs, answers) if answer.endswith(b" missing")]


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """The archive's member as tarfile's `data` filter allows it, or None to leave it out."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def _plain_member(member: tarfile.TarInfo) -> bool:
    parts = PurePosixPath(member.name).parts
    return (member.isfile() or member.isdir()) and not member.name.startswith("/") and ".." not in parts


def extract(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write the files of `commit` into `dest`; return those the git directory lacks, left out."""
    if git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}").returncode:
        raise TreeUnavailable(f"{git_dir} does not hold commit {commit}")
    absent = absent_files(git_dir, commit)
    excludes = [f":(exclude,literal){path}" for path in absent]
    archive = git(git_dir, "archive", "--format=tar", commit, "--", *excludes)
    if archive.returncode:
        raise TreeUnavailable(f"git archive {commit} failed in {git_dir}: {_last_line(archive.stderr)}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter=_safe_member)
        else:  # pragma: no cover - Pythons without extraction filters
            tar.extractall(dest, members=[m for m in tar.getmembers() if _plain_member(m)])
    return absent


def clone_and_extract(project: Project, dest: Path) -> list[str]:
    url = f"https://github.com/{project.name}"
    with tempfile.TemporaryDirectory(prefix="survey-clone-") as scratch:
        checkout = Path(scratch) / "clone"
        cloned = git(None, "clone", "--quiet", "--no-checkout", url, str(checkout))
        if cloned.returncode:
            raise TreeUnavailable(f"cannot clone {url}: {_last_line(cloned.stderr)}")
        return extract(checkout / ".git", project.commit, dest)


def ensure_tree(project: Project, trees: Path, mirror: Path | None, clone: bool) -> tuple[Path, list[str]]:
    """The project's tree at its pinned commit, extracted if missing or stale, and the files left out."""
    tree = trees / project.dirname
    recorded = recorded_commit(tree)
    if recorded == project.commit:
        return tree, []
    git_dir = mirror_git_dir(mirror, project) if mirror else None
    if git_dir is None and not clone:
        have = f"no tree at {tree}"
        if tree.exists():
            have = f"{tree} holds commit {recorded or 'unknown'}, not the pinned one"
        where = f"{mirror} has no git directory {project.dirname}" if mirror else f"no --mirror (or ${MIRROR_ENV})"
        raise TreeUnavailable(f"{have}; {where} and no --clone")
    trees.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{project.dirname}-", dir=trees))
    try:
        absent = extract(git_dir, project.commit, staging) if git_dir else clone_and_extract(project, staging)
        (staging / MARKER).write_text(project.commit + "\n")
        if tree.exists():
            shutil.rmtree(tree)
        staging.rename(tree)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tree, absent


# ----------------------------------------------------------------------------- running loopcheck


def lint_tree(tree: Path, paths: Sequence[str]) -> Any:
    """The one call into loopcheck: adapt it here when the engine's API changes."""
    from loopcheck.engine import lint_paths

    # the tree is the project: its files resolve each other's imports and calls, nothing outside it
    return lint_paths([str(tree / path) for path in paths], root=str(tree))


def _relative(path: str, tree: Path) -> str:
    return Path(os.path.relpath(path, tree)).as_posix()


def run_project(project: Project, tree: Path) -> ProjectRun:
    tree = tree.absolute()
    started = time.perf_counter()
    result = lint_tree(tree, project.paths)
    seconds = time.perf_counter() - started
    findings = [
        Reported(project.name, _relative(f.path, tree), f.line, f.column, f.code, f.name, f.severity, f.message)
        for f in result.findings
    ]
    errors = [(_relative(e.path, tree), e.reason) for e in result.errors]
    return ProjectRun(project, result.files_checked, errors, findings, seconds)


# ----------------------------------------------------------------------------- comparing


def summarise(runs: Sequence[ProjectRun], verdicts: Sequence[Verdict]) -> Summary:
    ran = {run.project.name for run in runs}
    relevant = {v.key: v for v in verdicts if v.project in ran}
    summary = Summary(verdicts={key: v.verdict for key, v in relevant.items()})
    reported: dict[Key, Reported] = {}
    for run in runs:
        for finding in run.findings:
            reported.setdefault(finding.key, finding)
    for code in sorted({f.code for f in reported.values()} | {v.code for v in relevant.values()}):
        summary.rules[code] = RuleCounts()
    for key, finding in reported.items():
        counts = summary.rules[finding.code]
        verdict = relevant.get(key)
        if verdict is None:
            counts.unreviewed += 1
            summary.unreviewed.append(finding)
        elif verdict.verdict in ("true", "missed"):
            counts.true += 1
        elif verdict.verdict == "false":
            counts.false += 1
        else:
            counts.debatable += 1
    summary.known = [v for v in relevant.values() if v.verdict in ("true", "missed")]
    summary.found = [v for v in summary.known if v.key in reported]
    summary.lost = [v for v in summary.known if v.verdict == "true" and v.key not in reported]
    summary.still_missed = [v for v in summary.known if v.verdict == "missed" and v.key not in reported]
    return summary


# ----------------------------------------------------------------------------- reporting


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _where(item: Verdict | Reported) -> str:
    return f"{item.project} {item.path}:{item.line} {item.code}"


def print_run(run: ProjectRun, width: int) -> None:
    print(
        f"  {run.project.name:<{width}}  files {run.files_checked:5d}  not analysable {run.files_not_analysable:4d}"
        f"  findings {len(run.findings):4d}  {run.seconds:7.1f}s"
    )


def print_summary(summary: Summary) -> None:
    print()
    print(f"{'rule':<8}{'true':>6}{'false':>7}{'debatable':>11}{'unreviewed':>12}{'precision':>11}")
    for code, counts in [*summary.rules.items(), ("all", summary.overall)]:
        print(
            f"{code:<8}{counts.true:>6}{counts.false:>7}{counts.debatable:>11}{counts.unreviewed:>12}"
            f"{_ratio(counts.precision):>11}"
        )
    overall = summary.overall
    print()
    print(f"precision: {_ratio(overall.precision)} ({overall.true} true, {overall.false} false)")
    print(
        f"recall on known bugs: {_ratio(summary.recall)} ({len(summary.found)} of {len(summary.known)} found;"
        f" {len(summary.lost)} lost, {len(summary.still_missed)} still missed)"
    )
    if summary.lost:
        print(f"lost ({len(summary.lost)}):")
        for verdict in summary.lost:
            print(f"  {_where(verdict)}  {verdict.reason}")
    if summary.unreviewed:
        print(f"to review ({len(summary.unreviewed)}):")
        for finding in summary.unreviewed:
            print(f"  {_where(finding)} {finding.message}")


def toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def pending_toml(findings: Sequence[Reported]) -> str:
    lines = [
        "# Findings without a verdict. Set verdict (true, false, debatable) and a one-line reason,",
        "# then move the entries into verdicts.toml.",
    ]
    for finding in findings:
        lines += [
            "",
            "[[finding]]",
            f"project = {toml_string(finding.project)}",
            f"path = {toml_string(finding.path)}",
            f"line = {finding.line}",
            f"code = {toml_string(finding.code)}",
            'verdict = "?"',
            'reason = ""',
            "# " + " ".join(finding.message.split()),
        ]
    return "\n".join(lines) + "\n"


def report_json(runs: Sequence[ProjectRun], skipped: Sequence[tuple[Project, str]], summary: Summary) -> dict[str, Any]:
    def finding(f: Reported) -> dict[str, Any]:
        return {
            "path": f.path, "line": f.line, "column": f.column, "code": f.code, "name": f.name,
            "severity": f.severity, "message": f.message, "verdict": summary.verdicts.get(f.key),
        }

    overall = summary.overall
    return {
        "projects": [
            {
                "name": run.project.name, "commit": run.project.commit, "half": run.project.half,
                "files_checked": run.files_checked, "seconds": round(run.seconds, 3),
                "errors": [{"path": path, "reason": reason} for path, reason in run.errors],
                "findings": [finding(f) for f in run.findings],
            }
            for run in runs
        ],
        "not_run": [{"name": project.name, "reason": reason} for project, reason in skipped],
        "rules": {
            code: {**vars(counts), "precision": counts.precision} for code, counts in summary.rules.items()
        },
        "precision": overall.precision,
        "recall": summary.recall,
        "known": len(summary.known),
        "found": len(summary.found),
        "lost": [vars(v) for v in summary.lost],
        "unreviewed": len(summary.unreviewed),
    }


# ----------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="survey/run.py",
        description="Re-run loopcheck on the pinned survey projects and compare with the reviewed verdicts.",
    )
    parser.add_argument("--half", choices=[*HALVES, "all"], default="development",
                        help="which half of the survey to run (default: development)")
    parser.add_argument("--project", action="append", default=[], metavar="NAME",
                        help="only this project (owner/repo); repeatable")
    parser.add_argument("--projects", type=Path, default=HERE / "projects.toml", metavar="FILE",
                        help="the projects file (default: projects.toml next to this script)")
    parser.add_argument("--verdicts", type=Path, metavar="FILE",
                        help="the verdicts file (default: verdicts.toml next to this script, if there is one)")
    parser.add_argument("--trees", type=Path, default=HERE / ".trees", metavar="DIR",
                        help="where the project trees are extracted (default: .trees next to this script)")
    parser.add_argument("--mirror", type=Path, default=None, metavar="DIR",
                        help=f"local mirror of clones, <owner>+<repo> per project (default: ${MIRROR_ENV})")
    parser.add_argument("--clone", action="store_true", help="clone from GitHub a tree the mirror cannot give")
    parser.add_argument("--extract-only", action="store_true", help="extract the trees and stop: run no analysis")
    parser.add_argument("--write-pending", type=Path, metavar="FILE",
                        help="write the findings without a verdict as [[finding]] stubs to FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every finding and error as JSON to FILE")
    args = parser.parse_args(argv)
    if args.mirror is None and os.environ.get(MIRROR_ENV):
        args.mirror = Path(os.environ[MIRROR_ENV])
    return args


def load_inputs(args: argparse.Namespace) -> tuple[list[Project], list[Verdict]]:
    projects = load_projects(args.projects)
    verdicts_file = args.verdicts or HERE / "verdicts.toml"
    if args.verdicts is None and not verdicts_file.exists():
        return projects, []
    return projects, load_verdicts(verdicts_file, projects)


def trees_for(
    projects: Sequence[Project], args: argparse.Namespace
) -> tuple[list[tuple[Project, Path]], list[tuple[Project, str]]]:
    """The trees ready to analyse, and the projects whose tree could not be had, with why."""
    ready: list[tuple[Project, Path]] = []
    skipped: list[tuple[Project, str]] = []
    for project in projects:
        try:
            tree, absent = ensure_tree(project, args.trees, args.mirror, args.clone)
        except TreeUnavailable as error:
            print(f"  {project.name}: not run: {error}")
            skipped.append((project, str(error)))
            continue
        if absent:
            shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
            print(f"  {project.name}: left out {len(absent)} file(s) the git directory lacks: {shown}")
        ready.append((project, tree))
    return ready, skipped


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        projects, verdicts = load_inputs(args)
        selected = select_projects(projects, args.half, args.project)
    except InputError as error:
        print(f"survey/run.py: error: {error}", file=sys.stderr)
        return 2
    print(f"survey: {len(selected)} projects ({args.half} half)")
    ready, skipped = trees_for(selected, args)
    if args.extract_only:
        for project, tree in ready:
            print(f"  {project.name}: tree at {tree} ({project.commit[:12]})")
        return 1 if skipped else 0
    width = max((len(p.name) for p, _ in ready), default=0)
    runs = []
    for project, tree in ready:
        runs.append(run_project(project, tree))
        print_run(runs[-1], width)
    summary = summarise(runs, verdicts)
    print_summary(summary)
    if args.write_pending:
        args.write_pending.write_text(pending_toml(summary.unreviewed))
    if args.json:
        args.json.write_text(json.dumps(report_json(runs, skipped, summary), indent=2) + "\n")
    return 1 if summary.unreviewed or summary.lost or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
