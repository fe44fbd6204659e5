"""What the loop model may ask about the rest of the project: imported modules and outside callers.

The project layer implements this; a model built on its own (one source text, no project) gets
`NO_PROJECT`, which knows of no other file, and names imported from elsewhere stay unknown.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from loopcheck.lazyre import lazy

if TYPE_CHECKING:
    from loopcheck.model import LoopModel


class ProjectView(Protocol):
    def module(self, importer: str, dotted: str, level: int) -> LoopModel | None:
        """The model of the project module `dotted` as imported from file `importer` (with `level`
        leading dots), or None when it is not a readable file of the project."""

    def files_calling(self, name: str, besides: str) -> list[LoopModel]:
        """Models of the project's other files that call something named `name`."""

    def files_deriving(self, name: str, besides: str) -> list[LoopModel]:
        """Models of the project's other files that define a class deriving from one named `name`."""

    def mentions(
        self, pattern: str, folder: str | None = None, near: str | None = None, importers_of: str | None = None
    ) -> bool:
        """Does any file of the project (of one folder of it, of the same program as the file `near`,
        or among the files importing the file `importers_of`) match this regular expression?"""

    def folder_of(self, path: str) -> str:
        """The folder of a project file, as `mentions` takes it."""

    def stale_import(self, importer: str, dotted: str, level: int) -> bool:
        """Does `dotted` name a module of one of the project's own packages that is not there?"""

    def missing_module(self, importer: str, dotted: str, level: int) -> bool:
        """Does a relative import (`from .model import Net`, level >= 1) name a module that is no
        file and no folder of the project?"""

    def namespace_lacks(self, importer: str, dotted: str, name: str) -> bool:
        """Does `from <dotted> import <name>` name a folder of the project with no `__init__.py`
        and no module called `name` (the import raises ImportError)?"""

    def star_imported_aliases(self, importer: str, dotted: str, level: int) -> dict[str, str]:
        """The module aliases a star import of a project module brings (`import torch as t` in the
        module: `t` is `torch` in the importer)."""

    def out_of_reach(self, importer: str, dotted: str) -> bool:
        """Does a file that sets its own `sys.path` (to folders of the project only) import a module
        the project holds only in folders outside that path (the import raises ImportError)?"""

    def package_lacks(self, importer: str, dotted: str) -> bool:
        """Does an absolute import name, below a regular package of the project, a module that is
        no file, folder or built extension of it (the import raises ImportError)?"""

    def lacking_everywhere(self, importer: str, dotted: str, names: list[str]) -> str | None:
        """Of the names imported from a module the importer's path does not reach but the project
        holds elsewhere, one that no module of the project so named defines (ImportError)."""

    def root_package_module(self, dotted: str, path: str) -> bool:
        """Is `path` the module `dotted` of a package directly in the project's root (the one the
        project's files import, run from the root or installed)?"""

    def declared_torch(self, folder: str) -> tuple[int, int] | None:
        """The newest PyTorch version the project states for a folder (readme, requirements)."""

    @property
    def passes_in_progress(self) -> set[str]:
        """Files whose evaluation passes are being found while another file's are asked for."""


class _NoProject:
    def module(self, importer: str, dotted: str, level: int) -> LoopModel | None:
        return None

    def files_calling(self, name: str, besides: str) -> list[LoopModel]:
        return []

    def files_deriving(self, name: str, besides: str) -> list[LoopModel]:
        return []

    def mentions(
        self, pattern: str, folder: str | None = None, near: str | None = None, importers_of: str | None = None
    ) -> bool:
        return False

    def folder_of(self, path: str) -> str:
        return os.path.dirname(path)

    def stale_import(self, importer: str, dotted: str, level: int) -> bool:
        return False

    def missing_module(self, importer: str, dotted: str, level: int) -> bool:
        return False

    def namespace_lacks(self, importer: str, dotted: str, name: str) -> bool:
        return False

    def star_imported_aliases(self, importer: str, dotted: str, level: int) -> dict[str, str]:
        return {}

    def out_of_reach(self, importer: str, dotted: str) -> bool:
        return False

    def package_lacks(self, importer: str, dotted: str) -> bool:
        return False

    def lacking_everywhere(self, importer: str, dotted: str, names: list[str]) -> str | None:
        return None

    def root_package_module(self, dotted: str, path: str) -> bool:
        return False

    def declared_torch(self, folder: str) -> tuple[int, int] | None:
        return None

    @property
    def passes_in_progress(self) -> set[str]:
        return set()  # (a model on its own asks no other file for its passes)


NO_PROJECT: ProjectView = _NoProject()


def is_pytest_file(path: str) -> bool:
    """`test_*.py`, `*_test.py` and `conftest.py`: files pytest collects, whose functions are tests."""
    name = os.path.basename(path)
    return name == "conftest.py" or (name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")))


def tests_run_by_the_file(text: str) -> bool:
    """Does a file named for pytest call every `test*` function it defines itself (`if __name__ ==
    "__main__": testing_model(loader)`), while it checks nothing (no `assert`, no
    `torch.allclose(result, expected)`), imports neither pytest nor unittest and holds no `Test*`
    class? pytest calls tests, and tests check; a file that calls its own functions and checks
    nothing is a script named so, and its functions are code like any other. (Read from the text:
    the project index and the loop model must agree on it.)"""
    if _TEST_FRAMEWORK.search(text) is not None:
        return False
    names = set(_TEST_DEFINITIONS.findall(text))
    if not names:
        return False
    called = {match.group(1) for match in _CALLED_NAME.finditer(text)}
    return names <= called


_TEST_FRAMEWORK = lazy(
    r"(?m)^\s*(?:import|from)\s+(?:pytest|unittest)\b|^class\s+Test|^\s*assert\b|\b(?:allclose|assert_close|assert_allclose|testing\.assert_\w+)\("
)
_TEST_DEFINITIONS = lazy(r"(?m)^(?:async\s+)?def\s+(test\w*)\s*\(")
_CALLED_NAME = lazy(r"(?<![\w.])(?<!def )(test\w*)\s*\(")
