"""A checkpoint whose position is read back only by code that trains nothing afterwards is put to
use, not resumed from (issue 7, survey project: a DQN agent's `save()` writes the Q-networks'
weights and `train_steps` once training is over; its `load()` restores `train_steps`, and only an
inference script and a demo call it, neither training: LC012 was reported). A script that loads
the agent and trains it on still resumes from the checkpoint, and is still reported."""
from __future__ import annotations

from pathlib import Path

from tests.lintproject import lint_project

AGENT = """\
import torch
import torch.nn as nn


class Agent:
    def __init__(self):
        self.q = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
        self.optimizer = torch.optim.Adam(self.q.parameters())
        self.train_steps = 0

    def update(self, x, target):
        loss = (self.q(x).max(1).values - target).pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.train_steps += 1

    def act(self, obs):
        with torch.no_grad():
            return int(self.q(obs.unsqueeze(0)).argmax())

    def save(self, path):
        torch.save({"q_state_dict": self.q.state_dict(), "train_steps": self.train_steps}, path)

    def load(self, path):
        payload = torch.load(path)
        self.q.load_state_dict(payload["q_state_dict"])
        self.train_steps = int(payload.get("train_steps", 0))
"""

TRAIN = """\
from agent import Agent


def train(batches, path):
    agent = Agent()
    for episode in range(100):
        for x, target in batches:
            agent.update(x, target)
    agent.save(path)
"""

INFER = """\
from agent import Agent


def play(env, path):
    agent = Agent()
    agent.load(path)
    obs, done = env.reset(), False
    while not done:
        obs, reward, done = env.step(agent.act(obs))
"""

RESUME = """\
from agent import Agent


def resume(batches, path):
    agent = Agent()
    agent.load(path)
    for episode in range(100):
        for x, target in batches:
            agent.update(x, target)
"""


def _findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    return sorted((Path(f.path).name, f.code) for f in lint_project(tmp_path, files))


def test_position_read_back_only_where_nothing_trains_is_no_resume(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"agent.py": AGENT, "train.py": TRAIN, "infer.py": INFER}) == []


def test_position_read_back_before_training_goes_on_is_a_resume(tmp_path: Path) -> None:
    files = {"agent.py": AGENT, "train.py": TRAIN, "infer.py": INFER, "resume.py": RESUME}
    assert _findings(tmp_path, files) == [("agent.py", "LC012")]


def test_a_load_whose_callers_cannot_be_seen_is_taken_as_a_resume(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"agent.py": AGENT, "train.py": TRAIN}) == [("agent.py", "LC012")]
