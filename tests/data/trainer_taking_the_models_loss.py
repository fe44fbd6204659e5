import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(x)

    def loss(self, logits, targets):
        return F.cross_entropy(logits, targets)


class Trainer:
    def __init__(self, model, optimizer, loader, loss=None, accum=1):
        self.model = model
        self.optimizer = optimizer
        self.loader = loader
        if loss:
            self.loss = loss
        elif hasattr(self.model, "loss"):
            self.loss = self.model.loss
        else:
            raise ValueError("no loss")
        self.accum = accum

    def _train_step(self, mode, idx, batch):
        inputs, targets = batch
        with torch.set_grad_enabled(mode == "train"):
            logits = self.model(inputs)
            loss = self.loss(logits, targets)
        if mode == "train":
            loss.backward()
            if not self.accum or idx % self.accum == 0:
                self.optimizer.step()
                self.optimizer.zero_grad(set_to_none=True)
        return loss

    def train(self, epochs):
        for epoch in range(epochs):
            for idx, batch in enumerate(self.loader, start=1):
                loss = self._train_step("train", idx, batch)


model = GPT()
optimizer = torch.optim.AdamW(model.parameters())
trainer = Trainer(model, optimizer, [(torch.randn(4, 8), torch.randint(0, 3, (4,)))] * 5, accum=4)
trainer.train(3)
