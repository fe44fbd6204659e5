"""A script importing a name from a module that its folders do not hold but the project does,
elsewhere (`from utils import gen_color_img` in `scripts/`, the project's only `utils` being
`scripts/models/utils.py`), where no module of the project so named defines the name: the import
means the project's module, and whatever folder is put on the path it raises ImportError, so none
of the script's code runs and it is not analysed (issue 7, survey project: lane-detection inference
scripts importing a helper that was never committed). When a module so named defines the name
(the user may put its folder on `PYTHONPATH`), or the project holds no module of that name (an
installed library's), the script is analysed. A cached result is dropped when the module gains
the name."""
from __future__ import annotations

from pathlib import Path

import pytest

from loopcheck.engine import lint_paths

SCRIPT = """\
import torch
import torch.nn as nn
from utils import gen_color_img

model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
model.load_state_dict(torch.load("model.pt"))
model.eval()
for x in [torch.randn(1, 8)] * 3:
    out = model(x)
    gen_color_img(out)
"""

UTILS = """\
import numpy as np


def DEFINED(x):
    return np.asarray(x)
"""


def project(tmp_path: Path, defined: str | None) -> Path:
    root = tmp_path / "proj"
    (root / "scripts" / "models").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (root / "scripts" / "inference.py").write_text(SCRIPT)
    if defined is not None:
        (root / "scripts" / "models" / "utils.py").write_text(UTILS.replace("DEFINED", defined))
    return root


def test_a_name_no_module_of_the_project_defines_stops_the_script(tmp_path: Path) -> None:
    result = lint_paths([str(project(tmp_path, "cluster_embeddings"))])
    assert result.findings == []
    assert any("gen_color_img from utils" in note.reason for note in result.notes)


@pytest.mark.parametrize("defined", ["gen_color_img", None])
def test_a_module_defining_it_or_none_in_the_project_leaves_the_script_analysed(tmp_path: Path, defined: str | None) -> None:
    assert [f.code for f in lint_paths([str(project(tmp_path, defined))]).findings] == ["LC007"]


def test_the_module_gaining_the_name_drops_the_cached_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPCHECK_CACHE_DIR", str(tmp_path / "cache"))
    root = project(tmp_path, "cluster_embeddings")
    assert lint_paths([str(root)], cache=True).findings == []
    (root / "scripts" / "models" / "utils.py").write_text(UTILS.replace("DEFINED", "gen_color_img"))
    assert [f.code for f in lint_paths([str(root)], cache=True).findings] == ["LC007"]
