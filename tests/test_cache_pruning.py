"""The cache folder does not grow without end (issue 8): runs prune entries no run used for 30 days,
entries of another loopcheck code unused for a day, and the least recently used beyond a size
bound; `loopcheck clean` removes the caches as `ruff clean` does, and never passes silently where
a path `clean` exists."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from loopcheck import cache as cache_module
from loopcheck.cache import DAY, MAX_UNUSED, PRUNE_EVERY
from loopcheck.engine import LintResult, lint_paths
from tests.test_cache import cli, project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("LOOPCHECK_CACHE_DIR", str(directory))
    return directory


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("v*/*.json"))


def records(directory: Path) -> list[Path]:
    return sorted(directory.glob("v*/records/*.json"))


def age(paths: list[Path], seconds: float) -> None:
    for path in paths:
        then = time.time() - seconds
        os.utime(path, (then, then))


def allow_pruning(directory: Path) -> None:
    """Make the last pruning old enough for the next run to prune again."""
    stamp = next(directory.glob("v*/last-pruned"))
    age([stamp], PRUNE_EVERY + 60)


def everything(result: LintResult) -> tuple[object, ...]:
    return (result.findings, result.errors, result.notes, result.files_checked)


def test_entries_and_records_unused_for_30_days_are_pruned_used_ones_kept(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    assert len(entries(cache_dir)) == 4 and records(cache_dir)
    # a warm run uses every entry and record: their times of change say so
    age(entries(cache_dir) + records(cache_dir), MAX_UNUSED - DAY)
    allow_pruning(cache_dir)
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    assert all(time.time() - p.stat().st_mtime < 600 for p in entries(cache_dir) + records(cache_dir))
    # an entry of a file no run checks any more, unused for 31 days, goes; the used ones stay
    stale = entries(cache_dir)[0].with_name(entries(cache_dir)[0].name.split("-")[0] + "-" + "0" * 32 + ".json")
    stale.write_text("{}", encoding="utf-8")
    orphan = records(cache_dir)[0].with_name("f" * 32 + ".json")
    orphan.write_text("[]", encoding="utf-8")
    age([stale, orphan], MAX_UNUSED + DAY)
    allow_pruning(cache_dir)
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    assert not stale.exists() and not orphan.exists()
    assert len(entries(cache_dir)) == 4


def test_pruning_runs_at_most_once_an_hour(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    lint_paths([str(root)], cache=True)
    old = entries(cache_dir)[0].with_name("0" * 12 + "-" + "1" * 32 + ".json")
    old.write_text("{}", encoding="utf-8")
    age([old], MAX_UNUSED + DAY)
    lint_paths([str(root)], cache=True)
    assert old.exists()  # pruned moments ago, by the first run
    allow_pruning(cache_dir)
    lint_paths([str(root)], cache=True)
    assert not old.exists()


def test_entries_of_another_loopcheck_code_go_after_a_day_unused(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    ours = entries(cache_dir)
    code = ours[0].name.split("-")[0]
    assert all(p.name.startswith(code + "-") for p in ours)  # every entry names the code that wrote it
    recent = ours[0].with_name("a" * 12 + "-" + "2" * 32 + ".json")  # another installation, used today
    older = ours[0].with_name("b" * 12 + "-" + "3" * 32 + ".json")  # an upgrade ago
    for other in (recent, older):
        other.write_text("{}", encoding="utf-8")
    age([recent], DAY / 2)
    age([older], DAY + 3600)
    old_format = cache_dir / "v0"
    old_format.mkdir()
    (old_format / "x.json").write_text("{}", encoding="utf-8")
    age([old_format], DAY + 3600)
    allow_pruning(cache_dir)
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    assert recent.exists() and not older.exists() and not old_format.exists()
    assert [p for p in entries(cache_dir) if p.name.startswith(code)] == ours


def test_beyond_the_size_bound_the_least_recently_used_go_first(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    ours = entries(cache_dir) + records(cache_dir)
    size = sum(p.stat().st_size for p in ours)
    padding = [entries(cache_dir)[0].with_name(f"{'c' * 12}-{index:032d}.json") for index in range(20)]
    for index, path in enumerate(padding):
        path.write_text(" " * 2000, encoding="utf-8")
        age([path], 3600 + index)  # used an hour ago and earlier: older than this run's
    monkeypatch.setattr(cache_module, "MAX_BYTES", size + 10 * 2000)
    allow_pruning(cache_dir)
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    left = [p for p in padding if p.exists()]
    assert 0 < len(left) < 10  # down to three quarters of the bound
    assert left == padding[: len(left)]  # the most recently used of them stayed
    assert all(p.exists() for p in ours)


def test_clean_removes_the_caches_here_and_in_subfolders(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert cli("check", "proj", cwd=tmp_path).returncode == 1
    assert cli("check", ".", cwd=root).returncode == 1
    assert (tmp_path / ".loopcheck_cache").is_dir() and (root / ".loopcheck_cache").is_dir()
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("clean", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["removed .loopcheck_cache", f"removed {Path('proj', '.loopcheck_cache')}"]
    assert not (tmp_path / ".loopcheck_cache").exists() and not (root / ".loopcheck_cache").exists()
    assert (keep / "notes.txt").exists() and (root / "train.py").exists()
    again = cli("clean", cwd=tmp_path)
    assert (again.returncode, again.stdout.strip()) == (0, "no loopcheck cache here")


def test_clean_empties_the_variables_folder_of_loopchecks_files_only(tmp_path: Path) -> None:
    root = project(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "someone_elses.json").write_text("{}", encoding="utf-8")
    env = {"LOOPCHECK_CACHE_DIR": str(shared)}
    assert cli("check", "proj", cwd=tmp_path, env=env).returncode == 1
    assert entries(shared)
    result = cli("clean", cwd=root, env=env)
    assert result.returncode == 0 and f"removed {shared}" in result.stdout
    assert not entries(shared) and not (shared / "CACHEDIR.TAG").exists() and not (shared / ".gitignore").exists()
    assert sorted(p.name for p in shared.iterdir()) == ["someone_elses.json"]  # not ours: left alone


def test_clean_where_a_path_named_clean_exists_does_not_pass_silently(tmp_path: Path) -> None:
    root = project(tmp_path)
    (tmp_path / "clean").mkdir()
    shutil.copy(FIXTURES / "mnist_cnn_missing_zero_grad.py", tmp_path / "clean" / "train.py")
    assert cli("check", "proj", cwd=tmp_path).returncode == 1
    result = cli("clean", cwd=tmp_path)
    assert result.returncode == 2
    assert "NOT checked" in result.stderr and "loopcheck check clean" in result.stderr
    assert (tmp_path / ".loopcheck_cache").is_dir()  # nothing removed either
    assert cli("check", "clean", cwd=tmp_path).returncode == 1
    forced = cli("clean", "--caches", cwd=tmp_path)
    assert forced.returncode == 0 and not (tmp_path / ".loopcheck_cache").exists()
    assert (root / "train.py").exists()


def test_a_damaged_cache_entry_name_or_stamp_does_not_stop_a_run(tmp_path: Path, cache_dir: Path) -> None:
    root = project(tmp_path)
    cold = lint_paths([str(root)], cache=True)
    (cache_dir / "v1" / "last-pruned").unlink()
    (cache_dir / "v1" / "not-json.txt").write_text("x", encoding="utf-8")
    (cache_dir / "v1" / "dir.json").mkdir()
    assert everything(lint_paths([str(root)], cache=True)) == everything(cold)
    written = [p for p in entries(cache_dir) if p.is_file()]
    assert len(written) == 4 and all(json.loads(p.read_text(encoding="utf-8"))["result"] is not None for p in written)
    assert (cache_dir / "v1" / "last-pruned").exists() and (cache_dir / "v1" / "dir.json").is_dir()
