"""Notebooks: code cells are analysed like a script, findings say which cell, magics are skipped."""
from __future__ import annotations

import json
from pathlib import Path

from loopcheck.engine import lint_paths
from loopcheck.notebook import notebook_source


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    document = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True), "outputs": []}
            for kind, source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_notebook_cells_are_analysed_and_findings_name_the_cell(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "train.ipynb",
        [
            ("markdown", "# Training\nA loop without zero_grad."),
            ("code", "%matplotlib inline\nimport torch\n!nvidia-smi\nopt = torch.optim.SGD(model.parameters(), lr=0.1)"),
            ("code", "%%time\nthis is not python at all"),
            ("code", "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    opt.step()"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == []
    assert [(f.path, f.line, f.code) for f in result.findings] == [(str(notebook), 9, "LC001")]
    assert result.findings[0].message.endswith("(notebook cell 4, line 3)")
    assert result.findings[0].related[0].note.endswith("(notebook cell 4, line 4)")


def test_a_clean_notebook_has_no_findings_and_checkpoints_are_skipped(tmp_path: Path) -> None:
    clean = [("code", "for x, y in loader:\n    opt.zero_grad()\n    criterion(model(x), y).backward()\n    opt.step()")]
    write_notebook(tmp_path / "clean.ipynb", clean)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / ".ipynb_checkpoints" / "old.ipynb", [("code", "for x in l:\n    loss.backward()\n    opt.step()")])
    # (the VS Code Local History extension's copies of earlier versions, also never run)
    (tmp_path / ".history").mkdir()
    (tmp_path / ".history" / "train_20240309201438.py").write_text("for x in l:\n    loss.backward()\n    opt.step()\n", encoding="utf-8")
    result = lint_paths([str(tmp_path)])
    assert result.findings == [] and result.errors == [] and result.files_checked == 1


def test_a_broken_notebook_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    write_notebook(tmp_path / "ok.ipynb", [("code", "x = 1")])
    result = lint_paths([str(tmp_path)])
    assert [(Path(e.path).name, e.reason.split(" (")[0]) for e in result.errors] == [("broken.ipynb", "not a valid notebook")]
    assert result.files_checked == 1


def test_a_shell_magic_alone_in_a_block_keeps_the_cell_valid(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / "setup.ipynb",
        [
            ("code", "if not os.path.exists('data'):\n    !wget https://example.invalid/data.zip\nelse:\n    %ls data"),
            ("code", "%%writefile helper.py\n    indented = 'not python for this notebook'\n"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == [] and result.files_checked == 1


def test_continued_shell_commands_and_assigned_shell_output_are_skipped(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / "colab.ipynb",
        [
            ("code", "!pip install -q \\\n    transformers \\\n    peft\nimport torch"),
            ("code", "VERSION = !curl -s https://example.invalid/version\nprint(VERSION)"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == [] and result.files_checked == 1


def notebook_python(tmp_path: Path, *sources: str) -> str:
    """The joined Python source loopcheck analyses for a notebook of these code cells."""
    path = write_notebook(tmp_path / "peek.ipynb", [("code", source) for source in sources])
    return notebook_source(path.read_text(encoding="utf-8")).source


def assert_readable(tmp_path: Path, *sources: str) -> None:
    write_notebook(tmp_path / "nb.ipynb", [("code", source) for source in sources])
    result = lint_paths([str(tmp_path / "nb.ipynb")])
    assert result.errors == [] and result.files_checked == 1


def test_a_percent_continuation_line_inside_brackets_is_python(tmp_path: Path) -> None:
    cell = "acc = 0.5\nprint('acc: %.2f'\n      % (acc,))"
    spec = 'label = f"{acc:#x}" + ("a"\n    % ())'  # `#` in a format spec is no comment
    assert_readable(tmp_path, cell, spec)
    assert notebook_python(tmp_path, cell, spec) == cell + "\n" + spec + "\n"


def test_comments_and_strings_ending_in_a_question_mark_are_python(tmp_path: Path) -> None:
    cell = "x = 1  # what does this do?\n# and this?\ny = 'why?'\nz = (x,  # really?\n     y)"
    assert_readable(tmp_path, cell)
    assert notebook_python(tmp_path, cell) == cell + "\n"


def test_help_requests_are_skipped(tmp_path: Path) -> None:
    cell = "import torch\ntorch.nn.Linear?\ntorch.optim??\n?torch.save\nif True:\n    torch.load?  # the signature\nx = 1"
    assert_readable(tmp_path, cell)
    lines = notebook_python(tmp_path, cell).splitlines()
    assert lines == ["import torch", "pass", "pass", "pass", "if True:", "    pass", "x = 1"]


def test_magic_looking_lines_inside_a_multiline_string_are_kept(tmp_path: Path) -> None:
    cell = 'script = """\n!pip install torch \\\n%cd /content\n  ?help\n"""\nnote = \'\'\'\n%d done\n\'\'\' % 3\nprint(script)'
    assert_readable(tmp_path, cell)
    assert notebook_python(tmp_path, cell) == cell + "\n"


def test_assigned_magic_and_shell_output_are_skipped(tmp_path: Path) -> None:
    cell = "files = !ls\nfirst, second = !ls data\nresult = %timeit -o sum(range(10))\nprint(files, result)"
    assert_readable(tmp_path, cell)
    assert notebook_python(tmp_path, cell).splitlines()[:3] == ["pass"] * 3


def test_a_cell_magic_blanks_the_whole_cell(tmp_path: Path) -> None:
    cell = "\n%%bash\nfor x in loader:\n    loss.backward()\n    opt.step()\nnot python at all ?"
    assert_readable(tmp_path, "import torch", cell)
    assert notebook_python(tmp_path, "import torch", cell) == "import torch\n" + "\n" * 6


def test_a_cell_magic_that_runs_its_cell_as_python_keeps_the_code(tmp_path: Path) -> None:
    # `%%time` (or `%%capture out`, `%%prun`) runs the rest of the cell in the notebook's
    # namespace: a training loop timed so is still the notebook's training loop
    body = "for x in loader:\n    %time step(x)\n    loss.backward()\n    opt.step()"
    for magic in ("%%time", "%%capture out", "%%prun -s cumulative"):
        cell = f"\n{magic}\n{body}"
        assert_readable(tmp_path, "import torch", cell)
        lines = ["import torch", "", "", "for x in loader:", "    pass", "    loss.backward()", "    opt.step()"]
        assert notebook_python(tmp_path, "import torch", cell) == "\n".join(lines) + "\n"
    notebook = write_notebook(
        tmp_path / "timed.ipynb",
        [("code", "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)"), ("code", "%%time\n" + body)],
    )
    assert [(f.cell, f.cell_line, f.code) for f in lint_paths([str(notebook)]).findings] == [(2, 4, "LC001")]


def test_a_backslash_continued_shell_command_consumes_its_next_lines(tmp_path: Path) -> None:
    cell = "!pip install a \\\n    b (c\nfor i in range(3):\n    %time f(i) \\\n        + 1\nx = 1"
    assert_readable(tmp_path, cell)
    assert notebook_python(tmp_path, cell).splitlines() == ["pass", "", "for i in range(3):", "    pass", "", "x = 1"]


def test_only_real_line_breaks_split_a_cell(tmp_path: Path) -> None:
    cell = "sep = 'a\u2028b\x0cc\x1cd\x85e'\r\nx = 1\rif x:\n    !ls"
    assert_readable(tmp_path, cell)
    assert notebook_python(tmp_path, cell) == "sep = 'a\u2028b\x0cc\x1cd\x85e'\nx = 1\nif x:\n    pass\n"


def test_a_malformed_notebook_is_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    def document(cells: object) -> str:
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    broken = {
        "null.ipynb": document(None),
        "text.ipynb": document("x = 1"),
        "object.ipynb": document({"cell_type": "code", "source": "x = 1"}),
        "cell.ipynb": document(["x = 1"]),
        "dict_source.ipynb": document([{"cell_type": "code", "source": {"x": 1}}]),
        "number_source.ipynb": document([{"cell_type": "code", "source": 3}]),
        "mixed_source.ipynb": document([{"cell_type": "code", "source": ["x = 1\n", 2]}]),
    }
    for name, text in broken.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    write_notebook(tmp_path / "ok.ipynb", [("code", "x = 1")])
    result = lint_paths([str(tmp_path)])
    assert sorted(Path(e.path).name for e in result.errors) == sorted(broken)
    assert all(e.reason.startswith("not a valid notebook (") for e in result.errors)
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert "'cells' is null, not a list" in reasons["null.ipynb"]
    assert "cell 1 'source' is an object, not a string or a list of strings" in reasons["dict_source.ipynb"]
    assert result.files_checked == 1 and result.findings == []


def test_a_bug_after_a_percent_continuation_line_is_found(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "train.ipynb",
        [
            ("code", "import torch\nacc = 0.5\nprint('acc: %.2f'\n      % (acc,))  # ok?"),
            ("markdown", "## Train"),
            ("code", "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    opt.step()"),
        ],
    )
    result = lint_paths([str(tmp_path)])
    assert result.errors == []
    assert [(f.path, f.line, f.code) for f in result.findings] == [(str(notebook), 7, "LC001")]
    assert result.findings[0].message.endswith("(notebook cell 3, line 3)")


def test_a_cell_that_is_no_valid_python_is_left_out_and_the_others_are_analysed(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "exercise.ipynb",
        [
            ("code", "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)"),
            ("code", "def f(x):\n    # your code here\n"),
            ("code", "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    opt.step()"),
        ],
    )
    result = lint_paths([str(notebook)])
    assert result.errors == []
    assert [(f.code, f.message.rsplit("(", 1)[-1]) for f in result.findings] == [("LC001", "notebook cell 3, line 3)")]
    assert [n.reason.split(" (")[0] for n in result.notes] == ["notebook cell 2 is no valid Python"]


def test_a_notebook_of_another_language_is_a_note_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "julia.ipynb"
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": ["f(x) = 2x\n"], "outputs": []}],
        "metadata": {"kernelspec": {"language": "julia", "name": "julia-1.9"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    result = lint_paths([str(path)])
    assert result.errors == [] and result.findings == []
    assert [n.reason for n in result.notes] == ["a julia notebook, not Python: nothing to check"]


def test_a_model_bound_in_a_cell_that_is_no_valid_python_is_not_assumed_to_hold_mode_layers(tmp_path: Path) -> None:
    """`net = # COMPLETE HERE` in an exercise: the cell is left out, so what `net` is cannot be
    seen; it is not taken for a library model that may hold dropout (LC006), while the grad
    mode of the pass is plain to see (LC007)."""
    cells = [
        ("code", "import torch\nimport torch.nn as nn"),
        ("code", "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n        return self.fc(x)"),
        ("code", "BINDING"),
        ("code", "opt = torch.optim.SGD(net.parameters(), lr=0.1)\nfor x, y in loader:\n    opt.zero_grad()\n    nn.functional.cross_entropy(net(x), y).backward()\n    opt.step()"),
        ("code", "scores = net(x_test)\nprint((scores.argmax(1) == y_test).float().mean())"),
    ]
    left_out = write_notebook(tmp_path / "exercise.ipynb", [(k, t.replace("BINDING", "net = # COMPLETE HERE")) for k, t in cells])
    result = lint_paths([str(left_out)])
    assert [n.reason.split(" (")[0] for n in result.notes] == ["notebook cell 3 is no valid Python"]
    assert [f.code for f in result.findings] == ["LC007"]
    unseen = write_notebook(tmp_path / "library.ipynb", [(k, t.replace("BINDING", "import zoo\nnet = zoo.make_net()")) for k, t in cells])
    assert sorted(f.code for f in lint_paths([str(unseen)]).findings) == ["LC006", "LC007"]


def test_a_cell_left_out_between_a_models_construction_and_its_use_may_have_trained_it(tmp_path: Path) -> None:
    """A fresh model shown once is a shape check; but when a cell that is no valid Python (an
    exercise's blank) lies in between, it may have trained the model: the forward is judged."""
    cells = [
        ("code", "import torch\nimport torch.nn as nn"),
        ("code", "net = nn.Linear(784, 10)"),
        ("code", "TRAINING"),
        ("code", "prob = net(test_data[3].view(1, 784))\nshow_prob(prob)"),
    ]
    blank = "optimizer = torch.optim.SGD(net.parameters(), lr=0.01)\nfor x, y in loader:\n    loss = # complete here\n    loss.backward()\n    optimizer.step()"
    left_out = write_notebook(tmp_path / "exercise.ipynb", [(k, t.replace("TRAINING", blank)) for k, t in cells])
    assert [f.code for f in lint_paths([str(left_out)]).findings] == ["LC007"]
    untrained = write_notebook(tmp_path / "shape.ipynb", [(k, t.replace("TRAINING", "print(net)")) for k, t in cells])
    assert lint_paths([str(untrained)]).findings == []


PERCENT_SCRIPT = """\
# %%
MAGIC
import torch
import torch.nn as nn

# %%
model = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.5))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(10):
    for x, y in train_loader:
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

# %%
%%time
print("a cell magic blanks its cell")
"""


def test_a_percent_format_cell_script_with_ipython_syntax_is_read_like_a_notebook(tmp_path: Path) -> None:
    """A VS Code / Jupytext `# %%` script holding `%matplotlib inline` runs in an interactive window:
    its IPython lines become `pass`, line for line, and its findings keep their line numbers."""
    script = tmp_path / "train.py"
    script.write_text(PERCENT_SCRIPT.replace("MAGIC", "%matplotlib inline\n!pip install torch"), encoding="utf-8")
    result = lint_paths([str(script)])
    assert result.errors == []
    assert [(f.code, f.line) for f in result.findings] == [("LC001", 13)]
    # without cell markers a magic is a syntax error, reported as such
    script.write_text(PERCENT_SCRIPT.replace("# %%\n", "").replace("MAGIC", "%matplotlib inline"), encoding="utf-8")
    result = lint_paths([str(script)])
    assert result.findings == [] and len(result.errors) == 1 and "cannot parse" in result.errors[0].reason


def test_each_cell_that_runs_a_trained_model_is_a_pass_of_its_own(tmp_path: Path) -> None:
    # a script's forwards of one model after its training are one pass (one `with
    # torch.no_grad():` can hold them); a notebook's cells run one by one, each needs its own
    training = (
        "import torch\nimport torch.nn as nn\nfrom matplotlib import pyplot as plt\n"
        "seq_model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))\n"
        "optimizer = torch.optim.SGD(seq_model.parameters(), lr=1e-3)\n"
        "for epoch in range(5000):\n"
        "    loss = ((seq_model(t_u) - t_c) ** 2).mean()\n"
        "    optimizer.zero_grad()\n"
        "    loss.backward()\n"
        "    optimizer.step()"
    )
    answer = "print('output', seq_model(t_u_val))\nprint('answer', t_c_val)"
    plot = (
        "t_range = torch.arange(20., 90.).unsqueeze(1)\n"
        "plt.plot(t_range.numpy(), seq_model(0.1 * t_range).detach().numpy(), 'c-')\n"
        "plt.plot(t_u.numpy(), seq_model(0.1 * t_u).detach().numpy(), 'kx')"
    )
    write_notebook(tmp_path / "fit.ipynb", [("code", training), ("code", answer), ("code", plot)])
    result = lint_paths([str(tmp_path)])
    assert [(f.cell, f.cell_line, f.code) for f in result.findings] == [(2, 1, "LC007"), (3, 2, "LC007")]
    (tmp_path / "fit.ipynb").unlink()
    (tmp_path / "fit.py").write_text("\n".join((training, answer, plot)) + "\n", encoding="utf-8")
    assert [(f.line, f.code) for f in lint_paths([str(tmp_path)]).findings] == [(11, "LC007")]


def test_a_related_location_in_another_file_keeps_its_path(tmp_path: Path) -> None:
    # given only the notebook, the pass its epoch loop enters every 20 epochs is reported at the
    # call: the pass's model call is in the helper's file, not in a cell of the notebook
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'nb'\n", encoding="utf-8")
    (tmp_path / "helpers.py").write_text(
        "import torch\n\n\ndef evaluate(model, loader):\n    model.eval()\n    correct = 0\n"
        "    for x, y in loader:\n        correct += (model(x).argmax(1) == y).sum().item()\n    return correct\n",
        encoding="utf-8",
    )
    training = (
        "opt = torch.optim.SGD(net.parameters(), lr=0.1)\nfor epoch in range(100):\n    net.train()\n"
        "    for x, y in train_loader:\n        opt.zero_grad()\n"
        "        nn.functional.cross_entropy(net(x), y).backward()\n        opt.step()\n"
        "    if epoch % 20 == 0:\n        print(evaluate(net, test_loader))"
    )
    notebook = write_notebook(
        tmp_path / "run.ipynb",
        [
            ("code", "import torch\nimport torch.nn as nn\nfrom helpers import evaluate\nnet = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.2))"),
            ("code", training),
        ],
    )
    result = lint_paths([str(notebook)])
    assert [(f.cell, f.cell_line, f.code) for f in result.findings] == [(2, 9, "LC007")]
    [related] = result.findings[0].related
    assert Path(related.path or "").name == "helpers.py" and (related.line, related.column) == (8, 21)
    assert "notebook" not in related.note


TRAINER_CELL = """import torch
import torch.nn as nn


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(x)

    def fit_sgd(self, xs, ys, epochs=10):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.01)
        for epoch in range(epochs):
            for x, y in zip(xs, ys):
                nn.functional.mse_loss(self(x), y).backward()
                optimizer.step()
"""


def test_a_training_method_no_cell_runs_is_not_judged(tmp_path: Path) -> None:
    # a notebook is a program: nothing outside calls its functions; a method named only where it
    # is defined never trains (a leftover of an earlier attempt)
    write_notebook(tmp_path / "left.ipynb", [("code", TRAINER_CELL), ("code", "model = Regressor()\nprint(model)")])
    assert lint_paths([str(tmp_path / "left.ipynb")]).findings == []
    # called by a cell, its loop trains without a reset
    write_notebook(tmp_path / "run.ipynb", [("code", TRAINER_CELL), ("code", "model = Regressor()\nmodel.fit_sgd(xs, ys)")])
    assert [f.code for f in lint_paths([str(tmp_path / "run.ipynb")]).findings] == ["LC001"]


def test_a_name_error_stops_its_own_cell_only_and_a_run_magic_may_define_the_name(tmp_path: Path) -> None:
    """`broken = DropoutNett()` beside `class DropoutNet`: the NameError ends that cell, not the
    next one (Jupyter runs each cell on its own); a `%run` of another file may define any name."""
    net = (
        "import torch\nimport torch.nn as nn\n\n\nclass DropoutNet(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.drop = nn.Dropout(0.5)\n\n    def forward(self, x):\n"
        "        return self.drop(x)\n"
    )
    evaluation = "correct = 0\nfor x, y in test_loader:\n    correct += NAME(x).argmax(1).eq(y).sum().item()\nprint(correct)"
    loaded = "model = DropoutNet()\nmodel.load_state_dict(torch.load('m.pt'))\nother = DropoutNet()\nother.load_state_dict(torch.load('o.pt'))"
    cells = [
        ("code", net),
        ("code", loaded),
        ("code", "broken = DropoutNett()\n" + evaluation.replace("NAME", "model")),
        ("code", evaluation.replace("NAME", "other")),
    ]
    notebook = write_notebook(tmp_path / "nb.ipynb", cells)
    result = lint_paths([str(notebook)])
    assert result.errors == []
    assert [(f.cell, f.code) for f in result.findings] == [(4, "LC006")]
    write_notebook(notebook, [("code", "%run helpers.py"), *cells])
    assert [(f.cell, f.code) for f in lint_paths([str(notebook)]).findings] == [(4, "LC006"), (5, "LC006")]


def test_a_call_runs_the_definition_made_last_above_it_with_the_model_bound_last_above_it(tmp_path: Path) -> None:
    """A notebook defining `test` twice, and `model` once per section: each top-level call runs
    the `test` defined last above it, on the `model` bound last above it (a parameter hides the
    notebook's own `model`): the second section's sample forward after its `no_grad` block is
    that section's VAE's, with grad enabled."""
    nets = (
        "import torch\nimport torch.nn as nn\n\n\nclass Classifier(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n\n\n"
        "class VAE(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.enc = nn.Linear(4, 2)\n"
        "        self.dec = nn.Linear(2, 4)\n\n    def forward(self, x):\n        return self.dec(self.enc(x))\n\n"
        "    def decode(self, z):\n        return self.dec(z)\n"
    )
    first = (
        "model = Classifier()\n\n\ndef test(loader, model):\n    model.eval()\n    correct = 0\n    with torch.no_grad():\n"
        "        for x, y in loader:\n            correct += (model(x).argmax(1) == y).sum().item()\n    print(correct)"
    )
    second = (
        "model = VAE()\n\n\ndef test(loader, model, epoch):\n    model.eval()\n    total = 0.0\n    with torch.no_grad():\n"
        "        for x in loader:\n            total += ((model(x) - x) ** 2).mean().item()\n    print(total)\n"
        "    z = torch.randn(16, 2)\n    samples = model.decode(z)\n    writer.add_images('samples', samples, epoch)"
    )
    train = (
        "optimizer = torch.optim.Adam(model.parameters())\nfor x in train_loader:\n    optimizer.zero_grad()\n"
        "    model(x).pow(2).mean().backward()\n    optimizer.step()\n"
    )
    notebook = write_notebook(
        tmp_path / "vae.ipynb",
        [("code", nets), ("code", first), ("code", train + "test(test_loader, model)"), ("code", second), ("code", train + "test(test_loader, model, 1)")],
    )
    result = lint_paths([str(notebook)])
    assert result.errors == []
    assert [(f.cell, f.cell_line, f.code) for f in result.findings] == [(4, 12, "LC007")]


def test_a_function_defined_again_in_a_later_cell_and_never_called_after_never_runs(tmp_path: Path) -> None:
    """A course notebook defines `train_n_test` (grad on in its test pass), calls it, then defines
    it again with another optimizer in a later cell and never calls it: the second definition never
    runs. Called after (also through a magic, `%time train_n_test(...)`), it does."""
    definition = (
        "def train_n_test(model, optimizer):\n"
        "    for x, y in train_loader:\n"
        "        optimizer.zero_grad()\n"
        "        nn.functional.cross_entropy(model(x), y).backward()\n"
        "        optimizer.step()\n"
        "    model.eval()\n"
        "    for x, y in test_loader:\n"
        "        print(model(x).argmax(1).eq(y).sum().item())\n"
    )
    setup = "import torch\nimport torch.nn as nn\nmodel = nn.Linear(4, 2)\n"
    call = "train_n_test(model, torch.optim.SGD(model.parameters(), lr=0.1))"

    def found(*later: str) -> list[tuple[int, str]]:
        cells = [("code", setup), ("code", definition), ("code", call), ("code", definition.replace("SGD", "Adam")), *(("code", c) for c in later)]
        notebook = write_notebook(tmp_path / "course.ipynb", cells)
        return [(f.cell, f.code) for f in lint_paths([str(notebook)]).findings]

    # the first definition runs (its test pass has grad on); the second is never called
    assert found() == [(2, "LC007")]
    assert found(call) == [(2, "LC007"), (4, "LC007")]
    assert found("%time " + call) == [(2, "LC007"), (4, "LC007")]
    # a notebook's function handed on as a value may run
    assert found("runner = train_n_test") == [(2, "LC007"), (4, "LC007")]
