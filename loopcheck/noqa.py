"""`# noqa` directives: read from real comments only (tokenize), by rule code, prefix or name.

Line level, on the physical line a finding is reported at:

- `# noqa` silences every rule on the line (a blanket directive);
- `# noqa: LC001`, `# noqa: LC001, LC007`, `# noqa: missing-zero-grad` silence only those rules
  (codes, code prefixes such as `LC00`, or rule names; any case). Codes of other tools
  (`# noqa: E501, LC001`) may share the directive: they silence none of loopcheck's rules;
- `# noqa : LC001` (a space before the colon) is read as `# noqa: LC001`. flake8 reads it as a
  blanket `# noqa` and so silences everything; silencing more than written is the worse mistake;
- `# noqa LC001` (no colon) silences LC001 and is reported as malformed.

File level, in any comment of the file: `# loopcheck: noqa` skips the file, `# loopcheck: noqa:
LC001` silences LC001 everywhere in it.

A directive that names no code or rule it could mean (`# noqa: because`, `# noqa:`,
`# noqa: not-a-rule`) silences nothing and is reported as malformed. A directive naming
loopcheck rules that silenced nothing in a run of those rules is reported as unused (ruff's
RUF100); blanket `# noqa` comments are not, since other linters read them too.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from loopcheck.finding import FileError, Finding
from loopcheck.lazyre import lazy
from loopcheck.records import Record

_LINE = lazy(r"#\s*noqa(?![\w-])(?P<rest>.*)", re.IGNORECASE)
_FILE = lazy(r"#\s*loopcheck\s*:\s*noqa(?![\w-])(?P<rest>.*)", re.IGNORECASE)
_CODE = lazy(r"[A-Z]+[0-9]+\Z", re.IGNORECASE)
_SEPARATOR = lazy(r"[,\s]+")


@dataclass(init=False, repr=False, eq=False)
class Directive(Record):
    """One `# noqa` comment: the codes it silences, and those of the findings it silenced. (A data
    class whose __init__ is written out: `loopcheck.records`.)"""

    line: int
    """The physical line of the comment (0 for nothing: not used for file-level directives)."""
    codes: tuple[str, ...] | None
    """Upper-case codes or code prefixes and lower-case rule names; None: every rule."""
    text: str
    file_level: bool = False
    used: set[str] = field(default_factory=set)
    """The codes of the findings it silenced."""

    def __init__(
        self, line: int, codes: tuple[str, ...] | None, text: str, file_level: bool = False, used: set[str] | None = None
    ) -> None:
        self.line = line
        self.codes = codes
        self.text = text
        self.file_level = file_level
        self.used = set() if used is None else used

    def matches(self, finding: Finding) -> bool:
        if self.codes is None:
            return True
        return any(_names(code, finding) for code in self.codes)


def _names(code: str, finding: Finding) -> bool:
    return finding.name == code or (code.isupper() and finding.code.startswith(code))


@dataclass(init=False, repr=False, eq=False)
class Directives(Record):
    """Every `# noqa` of a file, by line, and those that hold for the whole file. (A data class
    whose __init__ is written out: `loopcheck.records`.)"""

    lines: dict[int, list[Directive]] = field(default_factory=dict)
    file: list[Directive] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(line, what is wrong) for each malformed directive."""

    def __init__(
        self,
        lines: dict[int, list[Directive]] | None = None,
        file: list[Directive] | None = None,
        problems: list[tuple[int, str]] | None = None,
    ) -> None:
        self.lines = {} if lines is None else lines
        self.file = [] if file is None else file
        self.problems = [] if problems is None else problems

    def suppresses(self, finding: Finding) -> bool:
        """Whether a directive silences the finding; the directive records that it was used."""
        for directive in (*self.file, *self.lines.get(finding.line, ())):
            if directive.matches(finding):
                directive.used.add(finding.code)
                return True
        return False

    def unused(self, ran: Iterable[tuple[str, str]]) -> list[tuple[int, str]]:
        """(line, message) for each directive that names rules that ran, `ran` being their
        (code, name), and silenced none of them. Codes of other tools are never reported."""
        name_of = dict(ran)
        out: list[tuple[int, str]] = []
        for directive in (*self.file, *(d for ds in self.lines.values() for d in ds)):
            if directive.codes is None:
                if directive.file_level and not directive.used:
                    out.append((directive.line, f"unused `{directive.text}`: no finding in this file"))
                continue
            idle = [
                code for code in directive.codes
                if any(_rule_named(code, rule) for rule in name_of.items())
                and not any(_rule_named(code, (used, name_of.get(used, ""))) for used in directive.used)
            ]
            if idle:
                where = "in this file" if directive.file_level else "on this line"
                plural = "s" if len(idle) > 1 else ""
                out.append((directive.line, f"unused noqa code{plural} {', '.join(idle)} in `{directive.text}`: no such finding {where}"))
        return sorted(out)


def _rule_named(code: str, rule: tuple[str, str]) -> bool:
    return rule[1] == code or (code.isupper() and rule[0].startswith(code))


def comments(text: str) -> list[tuple[int, str]]:
    """(line, text) of each comment token; the lines Python counts ("\\n", "\\r\\n", "\\r" only)."""
    out: list[tuple[int, str]] = []
    normalised = re.sub(r"\r\n?", "\n", text)
    try:
        for token in tokenize.generate_tokens(io.StringIO(normalised).readline):
            if token.type == tokenize.COMMENT:
                out.append((token.start[0], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # the comments read until the problem still count
    return out


def parse(text: str, rule_names: Sequence[str] = ()) -> Directives:
    """The directives of a file's text. `rule_names` are the names a directive may use."""
    directives = Directives()
    if "noqa" not in text.lower():
        return directives
    names = {name.lower() for name in rule_names}
    for line, comment in comments(text):
        file_match = _FILE.search(comment)
        if file_match is not None:
            codes, problem = _codes(file_match.group("rest"), names)
            shown = comment[file_match.start():].strip()
            if problem is not None:
                directives.problems.append((line, f"malformed `{shown}`: {problem}"))
            if codes != ():
                directives.file.append(Directive(line, codes, shown, file_level=True))
            comment = comment[: file_match.start()]  # `# loopcheck: noqa` holds no line-level `# noqa`
        match = _LINE.search(comment)
        if match is None:
            continue
        codes, problem = _codes(match.group("rest"), names)
        shown = comment[match.start():].strip()
        if problem is not None:
            directives.problems.append((line, f"malformed `{shown}`: {problem}"))
        if codes != ():
            directives.lines.setdefault(line, []).append(Directive(line, codes, shown))
    return directives


def _codes(rest: str, names: set[str]) -> tuple[tuple[str, ...] | None, str | None]:
    """What follows `noqa`: (None for every rule, or the codes; () for nothing), and a problem."""
    stripped = rest.lstrip()
    if not stripped.startswith(":"):
        words = _SEPARATOR.split(stripped.split("#")[0].strip()) if stripped.strip() else []
        listed = _leading_codes(words, names)
        if listed:  # `# noqa LC001`: the codes are clear, the colon is missing
            return listed, "a colon is missing before the codes (`# noqa: CODE`)"
        return None, None  # `# noqa`, `# noqa  -- why`: every rule
    body = stripped[1:].split("#")[0].strip()
    if not body:
        return (), "no codes after the colon: write `# noqa` for every rule or `# noqa: CODE`"
    listed, problem = _listed(re.findall(r"[^,\s]+|,", body), names)
    if not listed:
        return (), problem or "no rule code or rule name; nothing is silenced"
    return listed, problem


def _listed(tokens: list[str], names: set[str]) -> tuple[tuple[str, ...], str | None]:
    """The codes and names a directive lists: words and commas in order; words after the codes
    not separated from them by a comma are an explanation, after a comma a mistake."""
    out: list[str] = []
    comma = True
    for token in tokens:
        if token == ",":
            comma = True
            continue
        if _CODE.match(token):
            out.append(token.upper())
        elif token.lower() in names:
            out.append(token.lower())
        elif comma or not out:
            return tuple(out), f"{token!r} is neither a rule code nor a rule name"
        else:
            break
        comma = False
    return tuple(out), None


def _leading_codes(words: list[str], names: set[str]) -> tuple[str, ...]:
    """The codes and rule names at the start of `words`; what follows them is an explanation."""
    out: list[str] = []
    for word in words:
        if _CODE.match(word):
            out.append(word.upper())
        elif word.lower() in names:
            out.append(word.lower())
        else:
            break
    return tuple(out)


def notes(directives: Directives, model: object, path: str, ran: Sequence[tuple[str, str]]) -> list[FileError]:
    """Malformed directives (kind "noqa") and unused ones (kind "unused-noqa") of one file, as
    notes that name the line (and, in a notebook, the cell)."""
    source = getattr(model, "source", None)

    def where(line: int) -> str:
        cell = source.where(line) if source is not None and hasattr(source, "where") else None
        return f" ({cell})" if cell else ""

    out = [FileError(path, f"{problem}{where(line)}", line, "noqa") for line, problem in directives.problems]
    out += [FileError(path, f"{message}{where(line)}", line, "unused-noqa") for line, message in directives.unused(ran)]
    return out
