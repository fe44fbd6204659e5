"""An object whose `step()` result the code keeps (`self.epsilon = self.epsilon_scheduler.step()`,
`beta = self.beta_scheduler.step()`) schedules some value other than the learning rate: a torch
learning-rate scheduler's `step()` returns None. Whatever its name says, it is no scheduler of the
optimizer, and stepping it before the optimizer skips nothing (issue 7, survey project: DQN agents
whose epsilon and priority-exponent schedules, handed in by callers out of sight, were reported by
LC004). So is an object on which the file calls a method no learning-rate scheduler of torch or
timm has (`self.lr = self.lr_scheduler.get_value()`: a rate the agent writes into the groups
itself). A torch scheduler stays one, also when its result is (pointlessly) kept, and so does an
object used only through the schedulers' methods (`step_update` of timm)."""
from __future__ import annotations

import pytest

from loopcheck.engine import lint_source

AGENT = """\
import torch


class Agent:
    def __init__(self, net, lr, epsilon_scheduler, beta_scheduler):
        self.net = net
        self.optim = torch.optim.Adam(net.parameters(), lr=lr)
        self.epsilon_scheduler = epsilon_scheduler
        self.beta_scheduler = beta_scheduler

    def train(self, env, steps):
        for t in range(steps):
            STEP
            loss = self.net(env.sample()).mean()
            self.optim.zero_grad()
            loss.backward()
            self.optim.step()
"""


def lc004(step: str) -> list[int]:
    return [f.line for f in lint_source(AGENT.replace("STEP", step), "agent.py")[0] if f.code == "LC004"]


@pytest.mark.parametrize("step", ["self.epsilon = self.epsilon_scheduler.step()", "beta = self.beta_scheduler.step()"])
def test_a_schedule_whose_step_returns_a_value_is_no_learning_rate_schedule(step: str) -> None:
    assert lc004(step) == []


def test_a_schedule_whose_step_result_is_dropped_is_still_judged_by_its_name() -> None:
    assert lc004("self.epsilon_scheduler.step()") == [13]


def test_a_torch_scheduler_is_one_whatever_is_done_with_its_result() -> None:
    source = AGENT.replace(
        "        self.beta_scheduler = beta_scheduler\n",
        "        self.beta_scheduler = torch.optim.lr_scheduler.StepLR(self.optim, 10)\n",
    ).replace("STEP", "beta = self.beta_scheduler.step()")
    assert [f.line for f in lint_source(source, "agent.py")[0] if f.code == "LC004"] == [13]


@pytest.mark.parametrize(
    "read, expected",
    [("self.lr = self.epsilon_scheduler.get_value()", []), ("self.epsilon_scheduler.step_update(t)", [13])],
)
def test_a_schedule_is_known_by_the_methods_called_on_it(read: str, expected: list[int]) -> None:
    source = AGENT.replace(
        "        self.beta_scheduler = beta_scheduler\n",
        "        self.beta_scheduler = beta_scheduler\n        " + read.replace("(t)", "(0)") + "\n",
    ).replace("STEP", "self.epsilon_scheduler.step()")
    assert [f.line - 1 for f in lint_source(source, "agent.py")[0] if f.code == "LC004"] == expected
