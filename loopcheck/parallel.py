"""`--jobs N`: the files of a run shared among worker processes, results gathered in file order.

Each worker builds its own projects (a helper module used by files of two workers is parsed in
both) and takes a few files at a time from a shared list, so that a slow file does not hold the
others back; consecutive files of the sorted list, which share folders and helpers, mostly go
to the same worker. The parent watches each worker's current file:

- a worker that dies (a crash in native code, the memory killer) costs only that file, reported
  as an error; a new worker takes over the rest of its files;
- a file that takes longer than the time limit gets its worker killed and is reported as such.

Output does not depend on the number of workers: results are merged in the order of the files.
"""
from __future__ import annotations

import os
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

from loopcheck.finding import FileError

_DEFINED = r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)"
"""The names a file defines (compiled when a run plans its workers: `--jobs` is read by every run)."""
Report = Callable[[str, Any, Any], None]
"""Called with (path, LintResult, dependencies as JSON or None) for each file, in no fixed order."""


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, not the machine's count)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def crash_message(exitcode: int | None) -> str:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
    return f"internal error: the process analysing this file died ({how}); the other files were checked"


def timeout_message(limit: float) -> str:
    return (
        f"not analysed: took longer than {limit:g} s, the limit for one file "
        "(LOOPCHECK_FILE_TIMEOUT sets it, in seconds)"
    )


class _Worker:
    """A worker process, the files it was given and the one it is on (a plain class: this module is
    imported by every run, and a dataclass costs start-up time to build)."""

    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.unit: deque[str] | None = None
        self.current: str | None = None
        self.started = 0.0


def _context() -> Any:
    import multiprocessing  # here, not at start-up: `--jobs` is read by every run

    methods = multiprocessing.get_all_start_methods()
    # fork starts a worker in milliseconds with libcst and the rules already imported
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run(paths: list[str], settings: Any, jobs: int, report: Report, timeout: float | None) -> None:
    """Analyse `paths` in `jobs` worker processes; `settings` is the engine's `_Settings`."""
    from multiprocessing.connection import wait

    context = _context()
    pending: deque[deque[str]] = deque(deque(unit) for unit in plan(paths, settings, jobs))
    jobs = min(jobs, len(pending))
    workers: list[_Worker] = []

    def start() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, settings), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def retire(worker: _Worker, reason: str) -> None:
        """The worker is gone or killed: its current file fails, its other files go back to the list."""
        if worker.current is not None:
            from loopcheck.engine import LintResult

            report(worker.current, LintResult(errors=[FileError(worker.current, reason)]), None)
            if worker.unit and worker.unit[0] == worker.current:
                worker.unit.popleft()
        if worker.unit:
            pending.appendleft(worker.unit)
        worker.connection.close()
        workers.remove(worker)

    try:
        for _ in range(min(jobs, len(pending))):
            workers.append(start())
        while workers:
            for worker in list(workers):
                if worker.unit is None:
                    if pending:
                        worker.unit = pending.popleft()
                        worker.connection.send(list(worker.unit))
                    else:
                        worker.connection.send(None)
                        worker.connection.close()
                        worker.process.join()
                        workers.remove(worker)
            if not workers:
                break
            now = time.monotonic()
            deadlines = [w.started + timeout - now for w in workers if w.current is not None and timeout]
            wait_for = max(0.0, min(deadlines)) if deadlines else None
            ready = wait([w.connection for w in workers] + [w.process.sentinel for w in workers], wait_for)
            for worker in list(workers):
                died = False
                if worker.connection in ready or worker.process.sentinel in ready:
                    try:
                        while worker.connection.poll():
                            _receive(worker, worker.connection.recv(), report)
                    except (EOFError, OSError):
                        died = True
                    if worker.process.sentinel in ready and not died:
                        died = not worker.process.is_alive()
                if died:
                    worker.process.join()
                    retire(worker, crash_message(worker.process.exitcode))
                    if pending:
                        workers.append(start())
                    continue
                if timeout and worker.current is not None and time.monotonic() - worker.started > timeout:
                    worker.process.kill()
                    worker.process.join()
                    retire(worker, timeout_message(timeout))
                    if pending:
                        workers.append(start())
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()


def plan(paths: list[str], settings: Any, jobs: int) -> list[list[str]]:
    """Units of work in file order, each of one project: a project's files are cut into slices of
    consecutive files (which share folders, so helpers) in proportion to its share of the run,
    unless its files are coupled: when most of them import, directly or not, most of the others
    (a package whose `__init__` star-imports every module), each worker would parse the whole
    project again, and the project stays in one unit."""
    from loopcheck.project import Projects

    projects = Projects(settings.root, boundary=settings.boundary, checked=settings.files)
    groups: dict[Any, list[str]] = {}
    for path in paths:
        groups.setdefault(projects.of(path).root, []).append(path)
    units: list[list[str]] = []
    for root, files in groups.items():
        slices = min(len(files), max(1, round(jobs * len(files) / len(paths))))
        if slices > 1 and coupled(files, projects.of(files[0])):
            slices = 1
        size = -(-len(files) // slices)
        units.extend(files[i:i + size] for i in range(0, len(files), size))
    return units


def coupled(files: list[str], project: Any, samples: int = 12) -> bool:
    """Do the files, on average, reach more than half of each other through their import lines and
    the files that call their functions (what the loop model follows)? Told from the texts, from
    a few files spread over the list (a scheduling guess: it never changes a result)."""
    from pathlib import Path

    from loopcheck.prefilter import project_imports
    from loopcheck.project import _CALLED, module_names

    import re

    defined = re.compile(_DEFINED, re.MULTILINE)
    everything = project.files()
    calling: dict[str, set[str]] = {}
    importing: dict[str, set[str]] = {}
    for path in everything:
        for name in set(_CALLED.findall(project._text(path))):
            calling.setdefault(name, set()).add(path)
        for name in project._imported_names(path):
            importing.setdefault(name, set()).add(path)

    def edges(path: str) -> set[str]:
        text = project._text(path)
        reached = {found for found in project_imports(text, path, project) if found}
        importers = set().union(*(importing.get(name, ()) for name in module_names(Path(path))))
        if importers:
            for name in set(defined.findall(text)):
                reached |= calling.get(name, set()) & importers
        return {os.path.realpath(found) for found in reached}

    real = {os.path.realpath(path) for path in files}
    known: dict[str, set[str]] = {}
    step = max(1, len(files) // samples)
    starts = [os.path.realpath(path) for path in files[::step]]
    far = 0
    for start in starts:
        seen = {start}
        stack = [start]
        inside = 0
        while stack and inside <= len(real) / 2:
            current = stack.pop()
            if current not in known:
                known[current] = edges(current)
            for other in known[current]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
                    inside += other in real
        far += inside > len(real) / 2
    return far > len(starts) / 2


def _receive(worker: _Worker, message: tuple[Any, ...], report: Report) -> None:
    kind = message[0]
    if kind == "start":
        worker.current = message[1]
        worker.started = time.monotonic()
    elif kind == "done":
        _, path, result, dependencies = message
        worker.current = None
        if worker.unit and worker.unit[0] == path:
            worker.unit.popleft()
        report(path, result, dependencies)
    elif kind == "idle":
        worker.unit = None
        worker.current = None


def _worker_main(connection: Connection, settings: Any) -> None:
    from loopcheck.engine import _ProcessState, analyse_files

    state = _ProcessState(settings)
    try:
        while True:
            paths = connection.recv()
            if paths is None:
                return

            def started(path: str) -> None:
                connection.send(("start", path))

            def done(path: str, result: Any, dependencies: Any) -> None:
                connection.send(("done", path, result, dependencies))

            analyse_files(paths, settings, done, started=started, time_limit=None, state=state)
            connection.send(("idle",))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return
