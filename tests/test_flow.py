"""Order is judged by a dataflow over each iteration (states merged at joins), never by
enumerating paths: loops with many branches are analysed whole, per path where it matters."""
from __future__ import annotations

import textwrap

from loopcheck.engine import lint_source


def codes(source: str) -> list[tuple[int, str]]:
    findings, errors = lint_source(textwrap.dedent(source), "flow.py")
    assert errors == []
    return [(f.line, f.code) for f in findings]


def _twelve_ifs() -> str:
    return "\n".join(f"    if args.log_{i}:\n        print('{i}')" for i in range(12))


def test_a_loop_of_twelve_independent_ifs_still_gets_its_findings() -> None:
    source = (
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for x, y in loader:\n"
        "    loss = criterion(model(x), y)\n"
        f"{_twelve_ifs()}\n"
        "    loss.backward()\n"
        "    optimizer.zero_grad()\n"
        "    optimizer.step()\n"
    )
    backward_line = source.splitlines().index("    loss.backward()") + 1
    assert codes(source) == [(backward_line + 1, "LC002")]


def test_a_loop_of_twelve_ifs_without_any_reset_is_reported() -> None:
    source = (
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for x, y in loader:\n"
        "    loss = criterion(model(x), y)\n"
        f"{_twelve_ifs()}\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
    )
    backward_line = source.splitlines().index("    loss.backward()") + 1
    assert codes(source) == [(backward_line, "LC001")]


def test_a_reset_on_one_branch_only_leaves_the_other_path_accumulating() -> None:
    assert codes("""
        optimizer = torch.optim.AdamW(model.parameters())
        scaler = torch.amp.GradScaler("cuda")
        for x, y in loader:
            if args.amp:
                with torch.autocast("cuda"):
                    loss = criterion(model(x), y)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
    """) == [(8, "LC001")]


def test_a_reset_on_every_path_is_enough() -> None:
    assert codes("""
        optimizer = torch.optim.AdamW(model.parameters())
        for x, y in loader:
            if args.amp:
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(criterion(model(x), y)).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
    """) == []


def test_accumulation_window_opened_and_closed_by_different_modulo_tests_is_not_flagged() -> None:
    assert codes("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for i, (x, y) in enumerate(loader):
            if i % accum == 0:
                optimizer.zero_grad()
            (criterion(model(x), y) / accum).backward()
            if (i + 1) % accum == 0:
                optimizer.step()
    """) == []


def test_two_ifs_on_the_same_test_take_the_same_arm() -> None:
    # the reset and the step are each under `if not args.frozen:`; no path steps without the reset
    assert codes("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            if not args.frozen:
                optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            if not args.frozen:
                optimizer.step()
    """) == []


def test_tests_of_one_name_against_two_literals_cannot_both_hold() -> None:
    # `if phase == "train": model.train()` and `if phase == "val": model.eval()` as two ifs: the
    # iteration that puts the model in eval mode is not the one that trains, and the one that
    # trains has put it back in train mode first
    source = """
        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(10):
            for phase in ["train", "val"]:
                if phase == "train":
                    model.train()
                if phase == "val":
                    model.eval()
                for x, y in loaders[phase]:
                    loss = criterion(model(x), y)
                    if phase == "train":
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
    """
    assert [code for _, code in codes(source)] == ["LC007"]  # (the validation forwards keep graphs: a bug)


def test_a_reset_after_continue_does_not_cover_the_path_that_skipped_it() -> None:
    assert codes("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            if loss.item() > 10:
                continue
            optimizer.zero_grad()
    """) == [(5, "LC001")]


def test_finally_runs_on_the_way_out_of_a_continue() -> None:
    assert codes("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            try:
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                if loss.item() > 10:
                    continue
            finally:
                optimizer.zero_grad()
    """) == []


def test_eval_mode_left_at_the_end_of_one_iteration_reaches_the_next_training_pass() -> None:
    assert codes("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(0.5)
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(self.drop(x))

        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model.train()
        for epoch in range(10):
            for x, y in train_loader:
                optimizer.zero_grad()
                criterion(model(x), y).backward()
                optimizer.step()
            if epoch % 5 == 0:
                model.eval()
                with torch.no_grad():
                    for x, y in val_loader:
                        model(x)
    """) == [(20, "LC008")]


DISABLED_BY_CONTINUE = """\
model = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in train_loader:
    opt.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    opt.step()

model.eval()
for x in test_loader:
    feats = np.asarray(x)
    continue
    preds = model(torch.from_numpy(feats))
    print(preds.argmax(1))


def stream(net, frames):
    for f in frames:
        net.eval()
        return f
        print(net(f).argmax(1))


stream(model, test_frames)
"""


def test_what_follows_a_jump_in_its_block_never_runs() -> None:
    # a `continue` (or `return`) left above the lines it disables: they are dead code
    assert codes(DISABLED_BY_CONTINUE) == []
    live = DISABLED_BY_CONTINUE.replace("    continue\n", "").replace("        return f\n", "")
    assert [code for _, code in codes(live)] == ["LC007", "LC007"]


PHASES_BY_NAME = """\
TRAIN = 'Train'
VAL = 'Test'


def train_model(model, criterion, optimizer, scheduler, num_epochs):
    for epoch in range(num_epochs):
        for phase in [TRAIN, VAL]:
            if phase == TRAIN:
                scheduler.step()
                model.train()
            else:
                model.eval()
            for inputs, labels in dataloaders[phase]:
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == TRAIN):
                    loss = criterion(model(inputs), labels)
                    if phase == "Train":
                        loss.backward()
                        optimizer.step()


model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
train_model(model, nn.CrossEntropyLoss(), optimizer, scheduler, 25)
"""


def test_a_test_on_a_script_constant_is_the_test_on_its_value() -> None:
    # `phase == TRAIN` with `TRAIN = 'Train'` is `phase == "Train"`: the scheduler steps at the top
    # of the training phase, before the optimizer steps of that phase
    assert codes(PHASES_BY_NAME) == [(9, "LC004")]
    # a name bound twice is no constant: which phase runs the step cannot be told
    assert codes(PHASES_BY_NAME.replace("VAL = 'Test'\n", "VAL = 'Test'\nTRAIN = 'train'\n")) == []


def test_a_list_made_empty_then_filled_is_no_known_false_for_the_tests_below() -> None:
    """`loss = []` in a function whose other parameters are known (`update(..., save=True)`) is
    not the constant False: appends fill it, and `if loss:` below runs its backward."""
    from loopcheck.engine import lint_source

    source = textwrap.dedent("""
        import torch
        import torch.nn as nn


        class Agent:
            def __init__(self):
                self.policy = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.1))
                self.optimizer = torch.optim.Adam(self.policy.parameters())

            def update(self, episodes, save=False):
                for episode in range(episodes):
                    states, actions, returns = self.play()
                    self.policy.train()
                    for i in range(0, len(actions), 8):
                        self.optimizer.zero_grad()
                        loss = []
                        for k in range(8):
                            if i + k >= len(actions):
                                break
                            probs = self.policy(states[i + k])
                            loss.append(-returns[i + k] * torch.log(probs[actions[i + k]]))
                        if loss:
                            torch.cat(loss).sum().backward()
                            self.optimizer.step()
                    if save:
                        torch.save(self.policy, "best.pt")


        agent = Agent()
        agent.update(100, save=True)
    """)
    found, errors = lint_source(source, "agent.py")
    assert errors == []
    # the policy's forward is the update's own: no evaluation pass
    assert [(f.code, f.line) for f in found] == []
