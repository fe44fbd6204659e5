"""Which files cannot hold a finding, told from their text alone, so that they are never parsed.

A finding of a file comes from that file's own code, from the project modules it imports (their
helpers are inlined), or from the files that import it and call its functions (they say how a
pass or a step is entered). So a file is skipped only when all three are empty of training code:

1. its text holds none of the words the rules and the loop model look for (`WORDS`: the optimizer,
   backward and scheduler calls, mode and grad switches, checkpoint calls, the names by which the
   model recognises models, losses, evaluation functions and held-out data), matched as plain
   substrings, case ignored, so that a word inside a longer name (`resnet`, `val_loader`) counts;
2. none of its import lines names a module of the project (resolved as the loop model resolves
   them; a relative import always counts);
3. no other file of the project imports it (by any name `files_calling` would accept).

A skipped file is still read, and still checked by CPython's own parser, so that a syntax error
is reported as it would be. Tests compare every fixture and multi-file project with and without
the pre-filter (tests/test_scale.py); `LOOPCHECK_NO_PREFILTER=1` turns it off.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from loopcheck.lazyre import lazy

if TYPE_CHECKING:
    from loopcheck.project import Project

WORDS = (
    # the calls of a training iteration and of its state
    "backward", "step", "zero_grad", "grad", "optim", "sched", "scaler", "scale", "clip", "accumul",
    "detach", "item", "loss", "epoch", "iter", "batch",
    # mode and grad switches
    "eval", "train", "no_grad", "inference", "enable", "requires_grad", "freeze",
    # evaluation functions and held-out data (EVAL_FUNCTION, EVAL_DATA)
    "val", "test", "predict", "infer", "generat", "dev", "holdout", "metric", "accura", "score",
    # checkpoints
    "save", "load", "state_dict", "checkpoint", "ckpt", "resume",
    # models: torch and the libraries and factories the roles know
    "torch", "nn.", "model", "net", "modul", "forward", "layer", "parameters", "timm", "transformers",
    "pretrained", "vgg", "vit_", "convnext", "swin", "inception", "lightning", "accelerat", "parallel",
    "ddp", "fsdp", "deepspeed", "optimizer",
    # a `# noqa` directive: an unused one is noted
    "noqa",
)
_WORDS = lazy("|".join(re.escape(word) for word in WORDS), re.IGNORECASE)
_FROM = lazy(r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import\b([^#\n]*)", re.MULTILINE)
_IMPORT = lazy(r"^[^#\n]*?\bimport[ \t]+([^#\n]*)", re.MULTILINE)
_DOTTED = lazy(r"[A-Za-z_][\w]*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*")
ENV_SWITCH = "LOOPCHECK_NO_PREFILTER"


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "") in ("", "0")


def may_matter(text: str, path: str, project: Project) -> bool:
    """False only when the file cannot hold a finding (see the module's docstring)."""
    if _WORDS.search(text):
        return True
    if _imports_project_module(text, path, project):
        return True
    return imported_in_project(path, project)


def _imports_project_module(text: str, path: str, project: Project) -> bool:
    return any(True for _ in project_imports(text, path, project, unsure=True))


def project_imports(text: str, path: str, project: Project, unsure: bool = False) -> Iterator[str | None]:
    """The project files the file's import lines name, found from the text (`None` for an import
    that may name one but cannot be told from one line, when `unsure`)."""
    for match in _FROM.finditer(text):
        dots, module, names = match.groups()
        level = len(dots)
        if ("(" in names and ")" not in names or names.rstrip().endswith("\\")) and unsure:
            yield None  # names on the next lines: do not guess which are submodules
        if module or level:
            found = project.resolve(path, module, level)
            if found is not None:
                yield found
            elif level and unsure:
                yield None
        for name in _DOTTED.findall(names):
            if name != "as":
                found = project.resolve(path, f"{module}.{name}" if module else name, level)
                if found is not None:
                    yield found
    for match in _IMPORT.finditer(text):
        if re.match(r"[ \t]*from\b", match.group(0)):
            continue
        for dotted in _DOTTED.findall(match.group(1)):
            parts = [part.strip() for part in dotted.split(".")]
            for end in range(1, len(parts) + 1):
                found = project.resolve(path, ".".join(parts[:end]), 0)
                if found is not None:
                    yield found


def imported_in_project(path: str, project: Project) -> bool:
    """Does another file of the project import this file's module (by any name of its package chain)?"""
    from loopcheck.project import module_names

    names = module_names(Path(os.path.abspath(path)))
    own = os.path.realpath(path)
    return any(
        names & project._imported_names(other) and os.path.realpath(other) != own for other in project.files()
    )
