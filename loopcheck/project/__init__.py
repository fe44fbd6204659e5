"""The project a file belongs to: its root, how its imports resolve, every file parsed at most once.

The engine asks the project for the loop model of each file it reports on; a loop model asks it
(through `loopcheck.model.scope.ProjectView`) for the modules its imports name and for the files
that call its functions. Files outside the ones reported on are read only when a model needs them.
"""
from __future__ import annotations

import os
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator, Protocol, Sequence

from loopcheck.lazyre import lazy
from loopcheck.model import LoopModel
from loopcheck.model.scope import is_pytest_file, tests_run_by_the_file
from loopcheck.source import UnreadableFile, declares_encoding, load, parse_source, read_bytes

SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", "node_modules", ".tox",
     ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".ipynb_checkpoints", ".loopcheck_cache"}
)
ROOT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")
_CALLED = lazy(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\s*\(")  # starts at a word: linear on a 1 MB word
_IMPORT_LINE = lazy(r"^[ \t]*(?:from[ \t]+[\w. \t]+import[^#\n]*|import[ \t]+[^#\n]*)", re.MULTILINE)
_WORD = lazy(r"[A-Za-z_]\w*")
_TESTS = lazy(r"(?m)^(?:async\s+)?(?:def\s+test|class\s+Test)|^\s*(?:import|from)\s+(?:pytest|unittest)\b")
_IMPORTED_FIRST_NAME = lazy(r"""(?m)^[ \t]*"?[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b|import[ \t]+([A-Za-z_]\w*))""")
"""The first name of a module a line imports absolutely (also in a notebook's JSON source lines)."""
_SYS_PATH_ADDED = lazy(
    r"""sys\.path\.(?:append|insert)\(\s*(?:-?\d+\s*,\s*)?(?:(?:os\.path\.(?:abspath|realpath|normpath)|str|(?:pathlib\.)?Path)\(\s*)*"""
    r"""r?(['"])([^'"\n]+)\1\s*(?:\)\s*)*\)"""
)
"""`sys.path.append("../lib")`, also through `os.path.abspath("../train")` or `str(Path("src"))`: the literal folder is group 2."""
_TOP_IMPORT = lazy(r"(?m)^(?:import[ \t]+([\w. \t,]+?)|from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([\w \t,*]+?))[ \t]*(?:#.*)?$")
"""A one-line import at a module's top level (no parentheses): `import torch as t`, `from torch import nn`."""
_ALL_NAMES = lazy(r"(?m)^__all__[ \t]*=[ \t]*[\[(]([^\])]*)[\])]")
_SYS_PATH_EDIT = lazy(r"""sys\.path\s*(?:\.\s*(?:append|insert|extend)\s*\(|\+=|=(?!=)|\[)""")
"""Any change a file makes to `sys.path` (literal or not)."""
_SYS_PATH_NAMED = lazy(r"""sys\.path\.(?:append|insert)\(\s*(?:-?\d+\s*,\s*)?([A-Za-z_]\w*)\s*\)""")
"""`sys.path.append(path_to_utils)`: a folder named by a variable, bound to a literal elsewhere in the file."""
_ALIASED = lazy(r"([A-Za-z_]\w*)\s+as\s+[A-Za-z_]\w*")
_TORCH_VERSION = lazy(r"(?i)(?<![\w.-])(?:py)?torch(?![\w.])[ \t]*(?:version[ \t]*)?([=<>~!:(, \t-]{0,6})v?(\d+)\.(\d+|x)((?:\.\d+)*\+?)")
"""A version of PyTorch a project states (`torch==0.4.1`, `pytorch=1.0.1`, `PyTorch (>=0.4.1)`,
`PyTorch 1.x`, `pytorch 0.4+`); not `torch.optim.Adam(lr=0.001)` nor `torchvision==0.2.1`. The
first group holds the operator, the last what follows the minor number (a `+` says "or newer")."""
_OPEN_ENDED = (99, 99)
"""The version stated by lower bounds alone (`torch>=0.4`): any release, the newest included."""
_DECLARING = lazy(r"(?i)^(readme|requirements|environment|install|conda|spec-file|setup\.(py|cfg)$|pyproject\.toml$)")
"""The files where a project states what it runs on: readme, requirements, conda environment (or
the explicit list `conda list --explicit` writes, `spec-file.txt`), setup."""
DECLARATION_BYTES = 200_000
"""Of a declaring file, at most this much is read."""


class ProjectObserver(Protocol):
    """What `Project` tells of the questions loop models ask it (see `loopcheck.cache`)."""

    def module(self, importer: str, dotted: str, level: int, path: str | None) -> None: ...
    def callers(self, name: str, besides: str, paths: list[str]) -> None: ...
    def deriving(self, name: str, besides: str, paths: list[str]) -> None: ...
    def named(self, dotted: str, besides: str, paths: list[str]) -> None: ...
    def mentions(self, pattern: str, found: bool) -> None: ...
    def declared_torch(self, folder: str, version: tuple[int, int] | None) -> None: ...


UNMARKED_FILE_LIMIT = 300
"""Python files a project root that no marker names (see `Project`) may hold for all of them to
be read for cross-file facts; beyond it only the files the run checks are."""
UNMARKED_ENTRY_LIMIT = 20_000
"""Folder entries listed, at most, to tell whether such a root holds more than that."""


def find_root(path: Path, boundary: Path | Sequence[Path] | None = None) -> Path:
    """The nearest folder above `path` that marks a project (.git, pyproject.toml, setup.py,
    setup.cfg), not above `boundary`; without one, the folder that holds its top package."""
    return locate_root(path, boundary)[0]


def locate_root(path: Path, boundary: Path | Sequence[Path] | None = None) -> tuple[Path, bool]:
    """`find_root`, and whether a marker named the root (not the boundary or a package's folder).
    Of several boundaries (the current folder and the folders a run was given), the outermost
    above the file bounds it: `loopcheck /elsewhere/tree/` run from outside an unmarked tree reads
    the tree as one project, as it does when run from inside it."""
    start = path if path.is_dir() else path.parent
    bounds = (boundary,) if isinstance(boundary, Path) else tuple(boundary or ())
    ancestors = (start, *start.parents)
    outer = next((directory for directory in reversed(ancestors) if directory in bounds), None)
    below: Path | None = None
    for directory in ancestors:
        if any(os.path.exists(directory / marker) for marker in ROOT_MARKERS):
            return directory, True
        if outer is not None and directory == outer:
            return directory, False
        if below is not None and _walk_skips(directory.name):
            # a folder no project walk enters (`.trees/`, `build/`, a hidden copy): the project of a
            # file under it cannot be a folder above it, whose walk would not reach the file's
            # neighbours; it is the folder just below
            return below, False
        below = directory
    return package_base(start), False


def _holds(folder: str, path: str) -> bool:
    """Does the folder hold the file (at any depth)? Either may be given relative to the current
    folder (`loopcheck model/net.py`) or absolute."""
    folder = os.path.abspath(folder)
    return os.path.commonpath([folder, os.path.dirname(os.path.abspath(path))]) == folder


def _walk_skips(name: str) -> bool:
    """Is a folder of this name left out of a project's files (see `Project.files`)?"""
    return is_skipped_directory(name) or (name.startswith(".") and name not in (".", ".."))


def package_base(directory: Path) -> Path:
    """The folder that holds the top package containing `directory` (itself, outside a package)."""
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def _joined(folder: str, *names: str) -> str:
    """`str(Path(folder, *names))` for plain names, without making paths: `.` is left out as
    pathlib leaves it (`x.py`, not `./x.py`)."""
    if folder == "." and names:
        return os.path.join(*names)
    return os.path.join(folder, *names)


def is_skipped_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")


class Project:
    """The Python files under one root, their loop models (built once, when first needed).

    `checked`, given for a root that no marker names (a lone script's folder, or the current
    folder), holds the files the run checks: when the root holds more than UNMARKED_FILE_LIMIT
    Python files (a home folder, a downloads folder), the project is those of them under the root,
    so that a lone file costs what it costs alone; imports still resolve to any file of the root.
    """

    def __init__(self, root: Path, checked: Sequence[str] | None = None) -> None:
        self.root = root
        self._checked = checked
        self.bounded = False
        """Whether the root held too many files and the project is the checked files alone."""
        self._models: dict[str, LoopModel | UnreadableFile] = {}
        self.passes_in_progress: set[str] = set()
        """Files whose evaluation passes are being found while another file's are asked for."""
        self._modules: dict[tuple[str, str, int], str | None] = {}
        self._files: list[str] | None = None
        self._texts: dict[str, str] = {}
        self._added: dict[str, tuple[Path, ...]] = {}
        self._roots: dict[str, tuple[Path, ...]] = {}
        self._star_aliases: dict[tuple[str, int], dict[str, str]] = {}
        self._importing: dict[frozenset[str], list[str]] = {}
        self._called_names: dict[str, frozenset[str]] = {}
        self._calling: dict[tuple[str, str], list[LoopModel]] = {}
        self._real: dict[str, str] = {}
        self._mentions: dict[str, bool] = {}
        self._importing_found: dict[tuple[str, int], list[str]] = {}
        """The files importing a file (see `_importing_files`), found once per run."""
        self._declared: dict[str, tuple[int, int] | None] = {}
        self._import_words: dict[str, frozenset[str]] = {}
        self._aliases: dict[str, frozenset[str]] = {}
        self._resolved_root = root.resolve()
        self._caller_paths: dict[tuple[str, str], list[str]] = {}
        self._deriving_paths: dict[tuple[str, str], list[str]] = {}
        self._file_exists: dict[str, bool] = {}
        self._searches: dict[str, int] = {}
        self._package_bases: dict[Path, Path] = {}
        self._base_strings: dict[tuple[str, int], list[str]] = {}
        self._listings: dict[str, frozenset[str]] = {}
        self._inside_known: dict[str, bool] = {}
        self.observer: ProjectObserver | None = None
        """Told of every question a loop model asks (the cache records what a result depends on)."""

    # files ------------------------------------------------------------------------------

    def files(self) -> list[str]:
        """Every `.py` and `.ipynb` file under the root, skipped folders left out, sorted."""
        if self._files is None:
            limited = self._checked is not None
            found: list[str] = []
            entries = 0
            for directory, dirnames, filenames in os.walk(self.root):
                # hidden folders (tool caches, extracted trees, `.github`) hold no code of the project's
                dirnames[:] = sorted(d for d in dirnames if not is_skipped_directory(d) and not d.startswith("."))
                found.extend(
                    os.path.join(directory, name) for name in sorted(filenames) if name.endswith((".py", ".ipynb"))
                )
                entries += len(dirnames) + len(filenames)
                if limited and (len(found) > UNMARKED_FILE_LIMIT or entries > UNMARKED_ENTRY_LIMIT):
                    self.bounded = True
                    found = self._checked_files()
                    break
            self._files = found
        return self._files

    def _checked_files(self) -> list[str]:
        """The checked files under the root, in the order of the walk of `files` (a folder's own
        files, then its subfolders', by name)."""
        keyed = []
        for path in self._checked or ():
            if not path.endswith((".py", ".ipynb")):
                continue
            relative = os.path.relpath(os.path.abspath(path), self.root)
            parts = relative.split(os.sep)
            if relative.startswith(os.pardir) or any(is_skipped_directory(d) or d.startswith(".") for d in parts[:-1]):
                continue
            keyed.append(((tuple(parts[:-1]), parts[-1]), os.path.join(self.root, relative)))
        return [path for _, path in sorted(set(keyed))]

    def load(self, path: str) -> LoopModel:
        """The loop model of one file, parsed on first use; raises UnreadableFile."""
        key = self._realpath(path)
        cached = self._models.get(key)
        if cached is None:
            try:
                source = load(path)
                cached = LoopModel(parse_source(source), path=path, project=self, source=source)
            except UnreadableFile as error:
                cached = error
            self._models[key] = cached
        if isinstance(cached, UnreadableFile):
            raise cached
        return cached

    def _model_or_none(self, path: str) -> LoopModel | None:
        try:
            return self.load(path)
        except UnreadableFile:
            return None
        except RecursionError:
            return None

    # the ProjectView the models see -----------------------------------------------------

    def module(self, importer: str, dotted: str, level: int) -> LoopModel | None:
        path = self.resolve(importer, dotted, level)
        if self.observer is not None:
            self.observer.module(importer, dotted, level, path)
        return self._model_or_none(path) if path is not None else None

    def resolve(self, importer: str, dotted: str, level: int) -> str | None:
        """The file of the project that `dotted` names when imported from `importer` (nothing parsed)."""
        # (a file that puts folders on `sys.path` itself resolves its imports on its own)
        key = (importer if not level and self._own_paths(importer) else os.path.dirname(importer), dotted, level)
        if key not in self._modules:
            self._modules[key] = self._find_module(Path(importer), dotted, level)
        return self._modules[key]

    def _bases(self, importer: Path, level: int) -> list[Path]:
        """The folders an import made by `importer` is looked up from, nearest first."""
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            return [base]
        return list(dict.fromkeys([*self._usual_bases(importer), *self._source_roots(str(importer))]))

    def _usual_bases(self, importer: Path) -> list[Path]:
        """The folders an absolute import is looked up from, but for a source root only the
        file's imports tell (`_source_roots`)."""
        here = importer.parent
        base_of_package = self._package_bases.get(here)
        if base_of_package is None:
            base_of_package = self._package_bases[here] = package_base(here)
        # a script in a sub-folder (`chapter/tmp/run.py` importing `chapter/lib`) is also run from
        # the folders above it: they come after its own folder and package, nearest first; `src/`
        # and `lib/` at the root are the usual source folders a project puts on the path (`tools/
        # _init_paths.py` adding `../lib`), and so are a script's own `src/` and `lib/` beside it
        # (`mnist/main.py` importing `model` from `mnist/src/model/`) and the folders it appends to
        # `sys.path` itself (`sys.path.append("../semi-supervised")`, from its folder)
        return list(dict.fromkeys([
            here, base_of_package, *self._ancestors(here), self.root, *self._added_paths(str(importer)),
            here / "src", here / "lib", self.root / "src", self.root / "lib",
        ]))

    def _own_paths(self, importer: str) -> tuple[Path, ...]:
        """The folders one file puts on its path that its folder's other files may not."""
        return self._added_paths(importer) or self._source_roots(importer)

    def _source_roots(self, importer: str) -> tuple[Path, ...]:
        """The one folder of the project holding every project module that the file imports by a
        first name no usual folder gives, when there are two or more (a notebook in `notebook/`
        importing `model`, `dataset` and `utils.evaluation`, all of them in `source/`): the folder
        the file is run with on its path (`PYTHONPATH`, an editor's source root). None when no
        folder, or more than one, holds them all, and for a file that changes `sys.path` itself."""
        found = self._roots.get(importer)
        if found is None:
            found = self._roots[importer] = self._find_source_roots(importer)
        return found

    def _find_source_roots(self, importer: str) -> tuple[Path, ...]:
        text = self._text(importer) if os.path.isfile(importer) else ""
        if "sys.path" in text:
            return ()  # (a file that sets its own path is run with what it puts there: `unreachable_import`)
        names = {match.group(1) or match.group(2) for match in _IMPORTED_FIRST_NAME.finditer(text)}
        if len(names) < 2:
            return ()
        usual = [str(base) for base in self._usual_bases(Path(importer))]
        holders = self._module_holders
        lacking = [
            name for name in sorted(names) if name in holders
            and not any(name in (listed := self._listing(base)) or name + ".py" in listed for base in usual)
        ]
        if len(lacking) < 2:
            return ()
        common = set.intersection(*(set(holders[name]) for name in lacking))
        return (Path(common.pop()),) if len(common) == 1 else ()

    @cached_property
    def _module_holders(self) -> dict[str, frozenset[str]]:
        """For each first name a module of the project can be imported by (`model` for `model.py`,
        `utils` for a `utils/` folder of Python files), the folders that hold it."""
        found: dict[str, set[str]] = {}
        top = str(self.root)
        for path in self.files():
            if not path.endswith(".py"):
                continue
            folder = os.path.dirname(path)
            found.setdefault(os.path.basename(path)[:-3], set()).add(folder)
            while folder.startswith(top + os.sep):
                parent = os.path.dirname(folder)
                found.setdefault(os.path.basename(folder), set()).add(parent)
                folder = parent
        return {name: frozenset(folders) for name, folders in found.items()}

    def _added_paths(self, importer: str) -> tuple[Path, ...]:
        """The project folders a file adds to `sys.path` by a literal (`sys.path.append("../lib")`,
        `sys.path.insert(0, "src")`), taken from the file's folder as a script is run from there."""
        found = self._added.get(importer)
        if found is None:
            text = self._text(importer) if os.path.isfile(importer) else ""
            here = Path(importer).parent
            folders = []
            if "sys.path" in text:
                added = [match.group(2) for match in _SYS_PATH_ADDED.finditer(text)]
                for match in _SYS_PATH_NAMED.finditer(text):
                    # (`path_to_utils = 'pyfiles'` in a cell above, `sys.path.append(path_to_utils)`)
                    bound = rf"""(?m)^[ \t]*{match.group(1)}[ \t]*=[ \t]*r?(['"])([^'"\n]+)\1[ \t]*(?:#.*)?$"""
                    added.extend(found.group(2) for found in re.finditer(bound, text))
                for written in added:
                    folder = self._added_folder(here, written)
                    if folder is not None:
                        folders.append(folder)
            found = self._added[importer] = tuple(dict.fromkeys(folders))
        return found

    def _added_folder(self, here: Path, written: str) -> Path | None:
        """The project folder a literal put on `sys.path` by a file in `here` names (relative to
        `here`, or an absolute path read by its tail); None for one that is no folder of the project."""
        folder = self._project_folder_for(written) if os.path.isabs(written) else Path(os.path.normpath(here / written))
        return folder if folder is not None and folder.is_dir() and self._inside(folder) else None

    def _project_folder_for(self, written: str) -> Path | None:
        """The project folder an absolute path written on the author's machine names
        (`sys.path.append("/home/me/byol-pytorch/byol_3d")` in a clone of byol-pytorch: its
        `byol_3d/`): the longest tail of the path that is a folder of the project; None for a path
        no tail of which is one (an installed library's folder, the author's data)."""
        parts = Path(os.path.normpath(written)).parts[1:]
        for start in range(len(parts)):
            folder = self.root.joinpath(*parts[start:])
            if folder.is_dir():
                return folder
        return None

    def star_imported_aliases(self, importer: str, dotted: str, level: int, depth: int = 3) -> dict[str, str]:
        """The names of modules and library objects a star import of a project module brings, with
        what they stand for (`from utils import *` where `utils.py` says `import torch as t` and
        `from torch import nn`: `t` is `torch`, `nn` is `torch.nn`), read from the module's text:
        its own one-line top-level imports (those `__all__` lists, when it has one; none starting
        with `_`) and, a few deep, those of the project modules it star-imports in turn."""
        path = self.resolve(importer, dotted, level)
        if self.observer is not None:
            self.observer.module(importer, dotted, level, path)  # (the cache: the importer depends on its text)
        if path is None or depth <= 0:
            return {}
        key = (path, depth)
        found = self._star_aliases.get(key)
        if found is not None:
            return found
        self._star_aliases[key] = {}  # (a cycle of star imports brings nothing more)
        text = self._text(path)
        listed = _ALL_NAMES.search(text)
        exported = set(re.findall(r"""['"](\w+)['"]""", listed.group(1))) if listed else None
        found = {}
        for match in _TOP_IMPORT.finditer(text):
            plain, module, names = match.group(1), match.group(2), match.group(3)
            if plain is not None:
                for name, local in _imported_names(plain):
                    found.setdefault(local or name.split(".")[0], name if local else name.split(".")[0])
            elif names.strip() == "*":
                dots = len(module) - len(module.lstrip("."))
                for local, full in self.star_imported_aliases(path, module.lstrip("."), dots, depth - 1).items():
                    found.setdefault(local, full)
            elif not module.startswith("."):
                for name, local in _imported_names(names):
                    if name != "*":
                        found.setdefault(local or name, f"{module}.{name}")
        found = {
            local: full for local, full in found.items()
            if not local.startswith("_") and (exported is None or local in exported)
        }
        self._star_aliases[key] = found
        return found

    def out_of_reach(self, importer: str, dotted: str) -> bool:
        """Does a file that sets its own `sys.path`, every change of it a folder of the project
        (`sys.path.append("/home/me/repo/byol_3d")`), import a module the project holds only in
        folders it puts on no path (`from dataloader_3d import get_data` with the module in
        `utils/`, which the file does not add)? The project's own module, out of the file's reach:
        the import raises ImportError. Not judged for a file whose path changes cannot all be read
        (`sys.path.insert(0, os.path.dirname(__file__))`), nor for one that changes nothing (it
        may be run with the folder on `PYTHONPATH`)."""
        top = dotted.split(".", 1)[0]
        if not top or self.resolve(importer, dotted, 0) is not None or not self._path_set_by_the_file(importer):
            return False
        wanted = (os.sep + top + ".py", os.sep + os.path.join(top, "__init__.py"))
        return any(path.endswith(wanted) for path in self.files())

    def modules_named(self, dotted: str) -> list[str]:
        """Every file of the project that is the module `dotted` from some folder of it
        (`utils.py` and `models/utils.py` for `utils`; `pkg/mod.py` for `pkg.mod`), sorted."""
        parts = [p for p in dotted.split(".") if p]
        if not parts:
            return []
        tail = os.path.join(*parts)
        wanted = (os.sep + tail + ".py", os.sep + os.path.join(tail, "__init__.py"))
        return [path for path in self.files() if path.endswith(wanted)]

    def lacking_everywhere(self, importer: str, dotted: str, names: list[str]) -> str | None:
        """For `from <dotted> import <names>` in `importer`, where no folder the import is looked up
        from holds the module but the project holds it elsewhere (`from utils import gen_color_img`
        in `scripts/`, the project's only `utils` being `scripts/models/utils.py`): a name that no
        module of the project so named defines (nor holds as a submodule, nor can give through a
        star import, `exec` or `__getattr__`). The import means the project's module, and whichever
        folder put on the path, it raises ImportError. None when there is no such name."""
        if not names or self.resolve(importer, dotted, 0) is not None:
            return None
        paths = self.modules_named(dotted)
        if self.observer is not None:
            self.observer.named(dotted, importer, paths)
        if not paths:
            return None
        from loopcheck.model import names as symbols_of

        defined: list[frozenset[str]] = []
        for path in paths:
            model = self._model_or_none(path)
            found = symbols_of.symbols(model.text) if model is not None and "__getattr__" not in model.text else None
            if found is None:
                return None
            folder = os.path.dirname(path) if path.endswith("__init__.py") else None
            submodules = frozenset(
                entry[:-3] if entry.endswith(".py") else entry for entry in (self._listing(folder) if folder else ())
            )
            defined.append(found[1] | submodules)
        return next((name for name in names if all(name not in known for known in defined)), None)

    def _path_set_by_the_file(self, importer: str) -> bool:
        """Does the file change `sys.path`, each change adding a literal folder of the project?"""
        text = self._text(importer) if os.path.isfile(importer) else ""
        if "sys.path" not in text:
            return False
        edits = len(_SYS_PATH_EDIT.findall(text))
        literal = [match.group(2) for match in _SYS_PATH_ADDED.finditer(text)]
        if not literal or len(literal) != edits:
            return False
        here = Path(importer).parent
        return all(self._added_folder(here, written) is not None for written in literal)

    def stale_import(self, importer: str, dotted: str, level: int) -> bool:
        """Does `dotted` name a module of a package of this project that is not there (`from
        src.Transformer import Transformer` where `src/` holds no `Transformer.py`, removed since):
        the project's own code, out of sight, not an installed library's?"""
        parts = [p for p in dotted.split(".") if p]
        if len(parts) < 2 or self.resolve(importer, dotted, level) is not None:
            return False
        for base in self._bases(Path(importer), level):
            package = base / parts[0]
            if self._inside(package) and package.is_dir():
                return True
        return False

    def missing_module(self, importer: str, dotted: str, level: int) -> bool:
        """Does a relative import name a module that is no file and no folder of the project
        (`from .model import Net` beside no `model.py`: removed, or never committed)?"""
        parts = [p for p in dotted.split(".") if p]
        if not level or not parts:
            return False
        path = self.resolve(importer, dotted, level)
        if self.observer is not None:
            self.observer.module(importer, dotted, level, path)  # (the cache asks again: a file added since)
        if path is not None:
            return False
        base = self._base_folders(Path(importer), level)[0]
        if not self._inside_path(base):
            return False
        folder = base
        for part in parts[:-1]:
            if part not in self._listing(folder):
                return True
            folder = _joined(folder, part)
        # (`nms.pyx`, `nms.cpython-311-x86_64-linux-gnu.so`: a module built from the sources)
        last = parts[-1]
        return not any(name == last or name.startswith(last + ".") for name in self._listing(folder))

    def package_lacks(self, importer: str, dotted: str) -> bool:
        """Does an absolute import name, below a regular package of the project (a folder with an
        `__init__.py`, the first holding the top name where the import is looked up), a module that
        is no file, no folder and no built extension of the project (`from src.chat_dataset import
        make_masks` where `src/` holds no `chat_dataset`, moved since)? The import raises ImportError."""
        parts = [p for p in dotted.split(".") if p]
        if len(parts) < 2:
            return False
        path = self.resolve(importer, dotted, 0)
        if self.observer is not None:
            self.observer.module(importer, dotted, 0, path)  # (the cache asks again: a file added since)
        if path is not None:
            return False
        # (where Python looks for certain: the script's folder, the root it runs from or is installed
        # from, and the folders the script adds to `sys.path`; not the folders above a script, which
        # module lookup also tries, where a project's `gnn/dgl/` would shadow the installed `dgl`)
        here = Path(os.path.abspath(importer)).parent
        bases = [str(here), str(self.root), *(str(p) for p in self._added_paths(importer))]
        base = next((b for b in bases if parts[0] in self._listing(b) or parts[0] + ".py" in self._listing(b)), None)
        if base is None or parts[0] not in self._listing(base):
            return False
        folder = _joined(base, parts[0])
        if "__init__.py" not in self._listing(folder) or not self._inside_path(folder):
            return False
        for part in parts[1:]:
            listing = self._listing(folder)
            if part in listing and part + ".py" not in listing and os.path.isdir(_joined(folder, part)):
                folder = _joined(folder, part)
                continue
            # (`nms.pyx`, `nms.cpython-311-x86_64-linux-gnu.so`: a module built from the sources)
            return not any(name == part or name.startswith(part + ".") for name in listing)
        return False

    def root_package_module(self, dotted: str, path: str) -> bool:
        """Is `path` the module `dotted` of a package directly in the root (`clustre/models/__init__.py`
        for `clustre.models`): the one the project's files import, run from the root or installed?"""
        parts = [p for p in dotted.split(".") if p]
        if len(parts) < 2 or not self._listing(str(self.root / parts[0])):
            return False
        where = os.path.join(str(self.root), *parts)
        return os.path.normpath(os.path.abspath(path)) in (
            os.path.normpath(where + ".py"), os.path.normpath(os.path.join(where, "__init__.py"))
        )

    def namespace_lacks(self, importer: str, dotted: str, name: str) -> bool:
        """Does `from <dotted> import <name>` name a folder of the project (the first the import is
        looked up in, beside the importer first) that has no `__init__.py` (a namespace package:
        `models/` holding `hybrid_convnet2.py` only) and no module, folder or built extension
        called `name`; a module below a module file (`Code.ATCNet.Dataset` beside `Code/ATCNet.py`
        and no `Code/ATCNet/` folder); or a module its project folder lacks (`models.segnet` beside a
        `models/` holding `unet.py` only)? Nothing else can give the name: the import raises ImportError."""
        parts = [p for p in dotted.split(".") if p]
        if not parts or not name:
            return False
        if self.observer is not None:
            self.observer.module(importer, f"{dotted}.{name}", 0, None)  # (the cache asks again: a file added since)
        # (the first of the folders the import is looked up from that holds the first name)
        base = next((b for b in self._base_folders(Path(importer), 0) if parts[0] in self._listing(b) or parts[0] + ".py" in self._listing(b)), None)
        if base is None:
            return False
        folder = base
        for index, part in enumerate(parts):
            listed = self._listing(folder)
            if part + ".py" in listed and part not in listed and index < len(parts) - 1:
                # `from Code.ATCNet.Dataset import X` beside `Code/ATCNet.py` and no `Code/ATCNet/`:
                # a module file is no package, so nothing can be imported from below it
                return self._inside_path(_joined(folder, part + ".py"))
            if index and index == len(parts) - 1 and not any(entry == part or entry.startswith(part + ".") for entry in listed):
                # `from models.segnet import SegNet` beside a `models/` folder holding `unet.py` only:
                # the module is in no file of the project's folder
                return (
                    any(entry.endswith(".py") for entry in listed) and self._inside_path(folder)
                    and not _holds(folder, importer)
                )
            if part not in listed or part + ".py" in listed:
                return False
            folder = _joined(folder, part)
        listing = self._listing(folder)
        if "__init__.py" in listing or not any(entry.endswith(".py") for entry in listing) or not self._inside_path(folder):
            return False
        if _holds(folder, importer):
            # `from sudoku import Sudoku` in `sudoku/solve_sudoku.py`: the folder holding the script
            # is not on the path it runs with; an installed library of that name is what it imports
            return False
        return not any(entry == name or entry.startswith(name + ".") for entry in listing)

    def _find_module(self, importer: Path, dotted: str, level: int) -> str | None:
        parts = [p for p in dotted.split(".") if p]
        if not level and not parts:
            return None
        for base in self._base_folders(importer, level):
            # (strings, and each folder listed once: a run asks for thousands of candidates, most
            # of them for modules whose first name is in no folder of the project: `torch`)
            if parts and parts[0] not in (listed := self._listing(base)) and parts[0] + ".py" not in listed:
                continue
            folder = _joined(base, *parts[:-1])
            if parts:
                file = _joined(folder, parts[-1] + ".py")
                if parts[-1] + ".py" in self._listing(folder) and self._is_file(file) and self._inside_path(file):
                    return file
            package = _joined(folder, parts[-1]) if parts else folder
            file = _joined(package, "__init__.py")
            if "__init__.py" in self._listing(package) and self._is_file(file) and self._inside_path(file):
                return file
        return None

    def _base_folders(self, importer: Path, level: int) -> list[str]:
        """`_bases`, as strings, remembered per folder (and per file for one that adds to `sys.path`)."""
        key = (str(importer) if self._own_paths(str(importer)) else str(importer.parent), level)
        found = self._base_strings.get(key)
        if found is None:
            found = self._base_strings[key] = [str(base) for base in self._bases(importer, level)]
        return found

    def _listing(self, folder: str) -> frozenset[str]:
        """The names in a folder (none for what is no folder), listed once per run."""
        found = self._listings.get(folder)
        if found is None:
            try:
                found = frozenset(os.listdir(folder))
            except OSError:
                found = frozenset()
            self._listings[folder] = found
        return found

    def _ancestors(self, directory: Path) -> list[Path]:
        """The folders between `directory` and the project root, nearest first (none outside it)."""
        found: list[Path] = []
        for parent in directory.parents:
            if parent == self.root or len(parent.parts) <= len(self.root.parts):
                break
            found.append(parent)
        return found if directory.is_relative_to(self.root) else []

    def _is_file(self, file: str) -> bool:
        """`os.path.isfile(file)`, asked once per run (the same `torch.py` is looked for in the root
        for every file that imports torch)."""
        found = self._file_exists.get(file)
        if found is None:
            found = self._file_exists[file] = os.path.isfile(file)
        return found

    def _inside(self, file: Path) -> bool:
        try:
            file.resolve().relative_to(self._resolved_root)
        except ValueError:
            return False
        return True

    def _inside_path(self, file: str) -> bool:
        found = self._inside_known.get(file)
        if found is None:
            found = self._inside_known[file] = self._inside(Path(file))
        return found

    def files_calling(self, name: str, besides: str) -> list[LoopModel]:
        """The other files that call something named `name` and import the module `besides` (by
        any name of its package chain: `engine`, or `pkg` for a package that re-exports it); for
        a `name` written `.predict`, that call a method of that name (see `caller_paths`)."""
        key = (name, besides)
        if self.observer is not None:
            self.observer.callers(name, besides, self.caller_paths(name, besides))
        if key not in self._calling:
            models = (self._model_or_none(path) for path in self.caller_paths(name, besides))
            self._calling[key] = [model for model in models if model is not None]
        return self._calling[key]

    def caller_paths(self, name: str, besides: str) -> list[str]:
        """The files `files_calling` reads, found from the files' texts alone (nothing parsed).
        A `name` written `.predict`: every other file that calls a method of that name, whatever it
        imports (the callers of a method whose receiver's class cannot be told)."""
        key = (name, besides)
        if key not in self._caller_paths and name.startswith("."):
            skip = self._realpath(besides)
            called = re.compile(rf"{re.escape(name)}\s*\(")
            self._caller_paths[key] = [
                path for path in self.files()
                if name[1:] in self._text(path) and called.search(self._text(path)) and not self._holds_tests(path)
                and self._realpath(path) != skip
            ]
        if key not in self._caller_paths:
            skip = self._realpath(besides)
            self._caller_paths[key] = [
                path for path in self._importers(module_names(Path(besides)))
                # (`from .steps import train_dense as train_epoch`: imported under another name, called by it)
                if (name in self._called(path) or name in self._aliased_imports(path)) and self._realpath(path) != skip
            ]
        return self._caller_paths[key]

    def files_deriving(self, name: str, besides: str) -> list[LoopModel]:
        """The other files that import the module `besides` and define a class with a base named
        `name` (`class Ganomaly(BaseModel):` in a file that imports `lib.model`)."""
        paths = self.deriving_paths(name, besides)
        if self.observer is not None:
            self.observer.deriving(name, besides, paths)
        models = (self._model_or_none(path) for path in paths)
        return [model for model in models if model is not None]

    def deriving_paths(self, name: str, besides: str) -> list[str]:
        """The files `files_deriving` reads, found from the files' texts alone (nothing parsed)."""
        key = (name, besides)
        if key not in self._deriving_paths:
            skip = self._realpath(besides)
            pattern = re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*(?<![\w])" + re.escape(name) + r"\b", re.MULTILINE)
            self._deriving_paths[key] = [
                path for path in self._importers(module_names(Path(besides)))
                if self._realpath(path) != skip and name in self._text(path) and pattern.search(self._text(path))
            ]
        return self._deriving_paths[key]

    def _importers(self, names: frozenset[str]) -> list[str]:
        """The files whose import lines hold one of `names`, in file order; not files of pytest tests
        (a test exercises a function, it says nothing of how training calls it)."""
        found = self._importing.get(names)
        if found is None:
            # a file whose text holds none of the names anywhere cannot name them in an import line:
            # a plain substring search passes over most files without splitting their import lines
            found = self._importing[names] = [
                path for path in self.files()
                if self._holds_any(path, names) and names & self._imported_names(path) and not self._holds_tests(path)
            ]
        return found

    def _holds_tests(self, path: str) -> bool:
        """A file pytest collects that holds tests (as `LoopModel.is_pytest_file` tells, from its
        text): a script only named so (`test_n20.py` running a trained model's evaluation from its
        `main()`) is a caller like any other."""
        if not is_pytest_file(path):
            return False
        if os.path.basename(path) == "conftest.py":
            return True
        text = self._text(path)
        return _TESTS.search(text) is not None and not tests_run_by_the_file(text)

    def _holds_any(self, path: str, names: frozenset[str]) -> bool:
        """False when the text cannot name any of `names` in an import line. Searched as plain text
        for the first modules asked about (a one-file run asks of a few); once a file's import lines
        are read (or after a few searches, in a large project asking of many modules), set
        intersection of those is cheaper than searching the text again."""
        if path in self._import_words:
            return True
        searched = self._searches.get(path, 0)
        if searched >= 2:
            return True
        self._searches[path] = searched + 1
        if path not in self._texts and not _bytes_may_hold(path, names):
            return False
        text = self._text(path)
        return any(name in text for name in names)

    def _called(self, path: str) -> frozenset[str]:
        """The names the file calls (`name(`), read only for files that import the callee's module."""
        called = self._called_names.get(path)
        if called is None:
            called = self._called_names[path] = frozenset(_CALLED.findall(self._text(path)))
        return called

    def _imported_names(self, path: str) -> frozenset[str]:
        """Every name that appears in the file's import lines (modules, packages, imported names)."""
        names = self._import_words.get(path)
        if names is None:
            words = (word for line in _IMPORT_LINE.findall(self._text(path)) for word in _WORD.findall(line))
            names = self._import_words[path] = frozenset(words)
        return names

    def _aliased_imports(self, path: str) -> frozenset[str]:
        """The names the file's import lines take under another name (`import_name as local`)."""
        aliased = self._aliases.get(path)
        if aliased is None:
            text = self._text(path)
            lines = _IMPORT_LINE.findall(text) if " as " in text else []
            aliased = self._aliases[path] = frozenset(found for line in lines for found in _ALIASED.findall(line))
        return aliased

    def _realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def mentions(
        self, pattern: str, folder: str | None = None, near: str | None = None, importers_of: str | None = None
    ) -> bool:
        """Does some file of the project match the pattern? With `folder` (relative to the root), only
        the files directly in that folder are searched; with `near` (a file's path relative to the
        root), only the files of the same program as that file (see `_same_program`); with
        `importers_of` (likewise), only the files that import that file's module. The observer is
        told `folder NUL pattern`, `near SOH pattern` or `importers_of STX pattern`, which this
        method takes back as one argument."""
        if folder is None and near is None and importers_of is None:
            if "\0" in pattern:
                folder, pattern = pattern.split("\0", 1)
            elif "\1" in pattern:
                near, pattern = pattern.split("\1", 1)
            elif "\2" in pattern:
                importers_of, pattern = pattern.split("\2", 1)
        if folder is not None:
            key = f"{folder}\0{pattern}"
        elif near is not None:
            key = f"{near}\1{pattern}"
        else:
            key = f"{importers_of}\2{pattern}" if importers_of is not None else pattern
        if key not in self._mentions:
            compiled = re.compile(pattern)
            files = self.files()
            if folder is not None:
                where = os.path.normpath(os.path.join(self.root, folder))
                files = [path for path in files if os.path.dirname(path) == where]
            elif near is not None:
                files = [path for path in files if self._same_program(near, path)]
            elif importers_of is not None:
                files = self._importing_files(os.path.join(self.root, importers_of))
            self._mentions[key] = any(compiled.search(self._text(path)) for path in files)
        if self.observer is not None:
            self.observer.mentions(key, self._mentions[key])
        return self._mentions[key]

    def declared_torch(self, folder: str) -> tuple[int, int] | None:
        """The newest PyTorch version (major, minor) that the project states in the nearest folder,
        from `folder` (relative to the root) up to the root, whose readme, requirements, conda
        environment or setup files name any (`torch==0.4.1`, `PyTorch 1.0`: (1, 0)); None when none
        does. Lower bounds (`pytorch>=0.4`, `PyTorch 0.4+`) count only where nothing is pinned, and
        then state every release after them (the newest: `_OPEN_ENDED`). A collection whose sub-project states its own version is read there first. The
        observer is told the folder and the answer."""
        key = os.path.normpath(folder)
        if key not in self._declared:
            found: tuple[int, int] | None = None
            directory = os.path.normpath(os.path.join(self.root, key))
            top = os.path.normpath(str(self.root))
            while found is None:
                found = self._declared_in(directory)
                if directory == top or not directory.startswith(top + os.sep):
                    break
                directory = os.path.dirname(directory)
            self._declared[key] = found
        if self.observer is not None:
            self.observer.declared_torch(key, self._declared[key])
        return self._declared[key]

    def _declared_in(self, directory: str) -> tuple[int, int] | None:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        versions: list[tuple[int, int]] = []
        open_ended = False
        for name in names:
            if not _DECLARING.match(name) or name.endswith((".ipynb", ".png", ".jpg", ".gif")):
                continue
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    text = handle.read(DECLARATION_BYTES).decode("utf-8", "replace")
            except OSError:
                continue  # a folder named like one, a broken link
            for operator, major, minor, rest in _TORCH_VERSION.findall(text):
                if ">" in operator or rest.endswith("+"):
                    # (`pytorch>=0.4`, `PyTorch 0.4+`: a lower bound states no newest version; the
                    # code is meant to run on any release after it)
                    open_ended = True
                    continue
                versions.append((int(major), 99 if minor.lower() == "x" else int(minor)))
        if versions:
            return max(versions)
        return _OPEN_ENDED if open_ended else None

    def _importing_files(self, target: str, hops: int = 3) -> list[str]:
        """The files whose imports resolve to `target`, and, through a package's `__init__.py` that
        re-exports it (`from ptsemseg.models import get_model`), the files importing that package."""
        key = (target, hops)
        if key not in self._importing_found:
            self._importing_found[key] = self._find_importing_files(target, hops)
        return self._importing_found[key]

    def _find_importing_files(self, target: str, hops: int) -> list[str]:
        found: list[str] = []
        pending = [target]
        for _ in range(hops):
            following: list[str] = []
            for module in pending:
                for path in self._importers(module_names(Path(module))):
                    if path not in found and path != target and self._imports_file(path, module):
                        found.append(path)
                        if os.path.basename(path) == "__init__.py":
                            following.append(path)
            pending = following
            if not pending:
                break
        return found

    def _imports_file(self, path: str, target: str) -> bool:
        """Does an import line of `path` resolve to the file `target` (`from models.segnet import
        SegNet`, `import model`, `from . import engine`)?"""
        wanted = self._realpath(target)
        for line in _IMPORT_LINE.findall(self._text(path)):
            line = line.strip()
            modules: list[tuple[str, int]] = []
            if line.startswith("from"):
                head, _, names = line[4:].partition(" import ")
                head = head.strip()
                level = len(head) - len(head.lstrip("."))
                module = head.lstrip(".")
                modules.append((module, level))
                for name in _WORD.findall(names.replace(" as ", " ")):
                    modules.append((f"{module}.{name}" if module else name, level))
            else:
                for part in line[6:].split(","):
                    dotted = part.split(" as ")[0].strip()
                    if dotted:
                        modules.append((dotted, 0))
            for module, level in modules:
                found = self.resolve(path, module, level) if (module or level) else None
                if found is not None and self._realpath(found) == wanted:
                    return True
        return False

    def _same_program(self, near: str, path: str) -> bool:
        """May code in `path` run in the same program as the file `near` (relative to the root)? Yes
        when either lies directly in the root or both under the same top folder, or when one imports
        from the other's top folder (`from lib.trainer import Trainer` in `tools/train.py`). Two
        top folders that do not import each other (`classification/`, `segmentation/`, each with its
        own `main.py`) are separate programs."""
        mine = os.path.normpath(near).replace(os.sep, "/").split("/")
        theirs = os.path.relpath(path, self.root).replace(os.sep, "/").split("/")
        if len(mine) == 1 or len(theirs) == 1 or mine[0] == theirs[0]:
            return True
        return self._imports_from(path, mine[0]) or self._imports_from(os.path.join(self.root, near), theirs[0])

    def _imports_from(self, path: str, other: str) -> bool:
        return re.search(rf"(?m)^\s*(from|import)\s+{re.escape(other)}\b", self._text(path)) is not None

    def folder_of(self, path: str) -> str:
        """The folder of a project file, relative to the root (for `mentions`)."""
        return os.path.relpath(os.path.dirname(os.path.abspath(path)), os.path.abspath(self.root))

    def _text(self, path: str) -> str:
        text = self._texts.get(path)
        if text is None:
            try:
                text = load(path).text
            except UnreadableFile:
                text = ""
            self._texts[path] = text
        return text


def _imported_names(listed: str) -> Iterator[tuple[str, str]]:
    """Each `name` and its `as` name (empty when there is none) of an import's comma-separated list."""
    for part in listed.split(","):
        name, _, local = part.strip().partition(" as ")
        if name.strip():
            yield name.strip(), local.strip()


def _bytes_may_hold(path: str, names: frozenset[str]) -> bool:
    """False when the bytes of a `.py` file show that its text holds none of `names`: a run over one
    file searches every project file for its importers, and most are passed over without decoding
    them. True (the text decides) for a notebook (its JSON may escape characters), for a file that
    declares its encoding, and for one that cannot be read (its text is then empty)."""
    if not path.endswith(".py"):
        return True
    try:
        data = read_bytes(path)
    except UnreadableFile:
        return True
    return declares_encoding(data) or any(name.encode("utf-8", "surrogatepass") in data for name in names)


@lru_cache(maxsize=4096)
def module_names(module: Path) -> frozenset[str]:
    """The names an import line may use to bring in `module`: its own, and those of the packages
    that hold it (a package's `__init__.py` may re-export it)."""
    names = {module.stem} if module.stem != "__init__" else set()
    directory = module.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        names.add(directory.name)
        directory = directory.parent
    return frozenset(names)


class Projects:
    """The projects of one run, one per root; a file is told to the project that holds it."""

    def __init__(self, root: Path | None = None, boundary: Path | Sequence[Path] | None = None, checked: Sequence[str] = ()) -> None:
        self._root = root
        self._boundary = boundary
        self._checked = tuple(checked)
        """The files the run checks (what a project of an unmarked root is bounded to)."""
        self._by_root: dict[Path, Project] = {}

    def of(self, path: str) -> Project:
        file = Path(os.path.abspath(path))
        if self._root is not None:
            root, marked = self._root, True
        else:
            root, marked = locate_root(file, self._boundary)
        project = self._by_root.get(root)
        if project is None:
            project = self._by_root[root] = Project(root, None if marked else self._checked or (str(file),))
        return project
