"""Python 2 training scripts are read as the Python 3 they mean (loopcheck.python2): the statements
Python 3 refuses are rewritten line for line, so the file's bugs are found at their own lines; a
file using Python 2 beyond those spellings is still reported as unparseable."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from loopcheck.engine import lint_paths
from loopcheck.python2 import as_python3

PYTHON2 = textwrap.dedent("""\
    try:
        mode = 0777 + 10L
    except IOError, error:
        print "cannot open", error
    if mode <> 0: print mode,
    print >>log, "epoch", epoch
    print
    raise ValueError, "bad mode"
    """)


def test_each_python2_statement_becomes_its_python3_form_on_its_own_line() -> None:
    rewritten = as_python3(PYTHON2)
    assert rewritten is not None
    ast.parse(rewritten)
    assert rewritten.splitlines() == [
        "try:",
        "    mode = 0o777 + 10",
        "except IOError as error:",
        '    print("cannot open", error)',
        "if mode != 0: print(mode,)",
        'print( "epoch", epoch, file=log)',
        "print()",
        'raise ValueError( "bad mode")',
    ]


def test_python3_and_what_cannot_be_rewritten_are_left_alone() -> None:
    assert as_python3('print("ok")\nprint ("a", 1)\nprint = log\n') is None  # nothing to rewrite
    assert as_python3("x = `y`\nprint x\n") is None  # backquotes: beyond the rewrites


SCRIPT = textwrap.dedent("""\
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.drop = nn.Dropout(0.5)
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(self.drop(x))


    def test(model, loader):
        correct = 0
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
        print "accuracy", correct
        return correct


    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        print "epoch %d" % epoch
        test(model, val_loader)
    """)


def test_a_python2_script_is_analysed_and_its_findings_keep_their_lines(tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text(SCRIPT, encoding="utf-8")
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.errors == []
    assert sorted((f.line, f.code) for f in result.findings) == [(18, "LC006"), (18, "LC007")]
    # beyond the rewrites (a backquoted repr), the file is reported as before, not analysed
    script.write_text(SCRIPT.replace('print "accuracy", correct', "print `correct`"), encoding="utf-8")
    result = lint_paths([str(script)], root=str(tmp_path))
    assert result.findings == [] and len(result.errors) == 1 and "cannot parse" in result.errors[0].reason


def test_an_indentation_mixing_tabs_and_spaces_is_read_as_python2_read_it() -> None:
    """Python 2 took a tab in an indentation to the next multiple of 8 columns, whatever the spaces
    around it; Python 3 refuses the mix. In a file that is Python 2 (a print statement), expanded
    so, the block structure is Python 2's; the mix alone keeps Python 3's error
    (tests/test_reliability.py)."""
    source = "def f(x):\n\tif x:\n\t\tprint x\n\t\treturn 1\n        return 2\n"
    try:
        ast.parse(source)
    except SyntaxError:
        pass
    else:
        raise AssertionError("CPython 3 was expected to refuse the mix")
    rewritten = as_python3(source)
    assert rewritten == "def f(x):\n        if x:\n                print(x)\n                return 1\n        return 2\n"
    namespace: dict[str, object] = {}
    exec(compile(rewritten, "<python2>", "exec"), namespace)
    assert namespace["f"](True) == 1 and namespace["f"](False) == 2  # type: ignore[operator]
