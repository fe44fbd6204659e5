"""LC006 eval-without-eval-mode: an evaluation pass over a model still in training mode.

Dropout keeps dropping and BatchNorm keeps updating its running statistics from test data.
"""
from __future__ import annotations

from typing import Iterable

from loopcheck.model import LoopModel
from loopcheck.model.evaluation import (
    acts_between_own_updates,
    method_free_of_mode_layers,
    mode_parts_in_eval,
    mode_layers_switched_off_by_argument,
    repeated_on_the_same_input,
    switched_to_eval_by_argument,
    train_mode_on_purpose,
)
from loopcheck.rules.base import Report, Rule, evaluation_report


class EvalWithoutEvalMode(Rule):
    """Reports the first model call of an evaluation pass (model calls with no backward on their path
    that compute predictions, losses or metrics: a loop over data, a single forward in an evaluation
    function or on held-out data, or whose outputs, or what is computed from them, are drawn as
    pictures (images, fields or surfaces over a grid of inputs: `imshow`, `pcolormesh`,
    `contourf`, `plot_surface`), a call of the model's own method named for evaluation that runs it
    and trains nothing (`model.evaluate()`), validation every k steps inside the training loop, a shared
    `run_epoch(..., train=False)`) when no `model.eval()` reaches it; and, in a loop pass that runs
    several models built apart (`classifier(generator(x))`) and puts its first one in eval mode, the
    first call of each other one that no `eval()` of its own reaches (parts of one model,
    `net.encoder` and `net.decoder`, are that model): not earlier in its function
    (on the model or a module holding it), not in its class's constructor, and not along every
    call chain that enters the pass, in any file of the project; `eval()` on each element of a
    container it cannot list (`for m in models: m.eval()`, `for _, m in self.model_dict.items():
    m.eval()`) leaves any model's mode unknown. A model whose class (in any
    project file) holds no Dropout or BatchNorm, nor reads `self.training`, needs no `eval()`, and
    neither does a call of one of its methods other than forward that runs none of them
    (`model.inference(x)` through parts built without a mode layer), nor a forward that applies
    its dropout only under a flag parameter whose default is false and that the call leaves so
    (`if is_training: x = self.dropout(x)`, called as `model(x)`), nor one that puts itself in eval
    mode first when the call asks (`if _eval: self.eval()`, called as `model(x, _eval=True)`); a
    model whose class cannot be seen is assumed to need it (layers built by a project helper are
    read from the helper; a model an object keeps from its constructor's parameter, `self.model =
    model`, is what the code building the object passes; a copy, `deepcopy(net)`, is what `net` was
    where it was copied, and so is a module a library builds around a model given first
    (`tta.ClassificationTTAWrapper(model, transforms)`); a factory's class is the one the import its branch made names, `import
    networks.network as net; return net.conv_net(n)`; the parts of a library model,
    `nn.Sequential(*list(resnet18().children())[:-3])`, may hold them). A function no code of the project calls is entered in a context
    loopcheck cannot see: nothing is said of it. Also silent: a forward that only checks the code
    (its outputs only printed, displayed, asserted on or measured for their shape, or a model not
    yet trained or loaded, with no metric computed; a dropped output counts as used when forward
    hooks registered before it keep what a forward of data computes), a forward of an example typed
    into the code (`model(torch.tensor([[4.0]]))`: no data), a model put in training mode on purpose with
    no backward after it before its mode is switched again (refreshing batch-norm statistics), a
    pass that runs the model again and again on one input in a counted loop that trains nothing
    (`for i in range(50): preds.append(net(x_test))`: Monte Carlo dropout), a model last run by a library engine
    built over it (`create_supervised_evaluator(model)`: its mode is unknown), a model loaded
    whole (`torch.load(path)`, or taken out of what it unpickled: `torch.load(path)["model"]`), and a method under a project decorator that calls `eval()` on its model.
    A `train()` later in the body of a loop around the pass, with no switch before the pass in that
    body, reaches the pass of the next iteration (unless it sits under a test of the iteration,
    `if i == last:`). A mode set on each arm of one test (`if optimizer is not None:
    model.train()` / `else: model.eval()`) is the one each caller's flag chooses. A drop rate
    kept as an attribute (`self.p = p`, `nn.LSTM(..., dropout=self.p)`) and built 0 drops nothing. A
    library model built in a constructor only to copy its weights (`mod = vgg16(pretrained=True)`,
    read for `mod.state_dict()`) is no part of the module. A helper run once for training and once for validation is judged per call (what precedes
    that call). Files pytest collects that hold tests are not analysed; a script only named
    `test_*.py` is. One finding per function and model."""

    code = "LC006"
    name = "eval-without-eval-mode"
    severity = "error"
    message = "{model} is evaluated in training mode: call {model}.eval() before this pass (and {model}.train() after)"
    rationale = (
        "In training mode Dropout zeroes activations at random and BatchNorm normalises with the "
        "batch's statistics while overwriting its running averages. Metrics computed that way are "
        "noisy and pessimistic, and evaluation silently changes the model."
    )
    use_instead = """\
model.eval()
with torch.no_grad():
    for x, y in val_loader:
        correct += (model(x).argmax(1) == y).sum().item()
model.train()
"""
    VALID = (
        # never called in the project: a framework or a user decides its mode, which we cannot see
        """\
def evaluate(model, loader):
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
""",
        """\
def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
""",
        # the caller switches the mode
        """\
def run_validation(model, loader):
    with torch.no_grad():
        for x, y in loader:
            out = model(x)

model.eval()
run_validation(model, val_loader)
""",
        # a model class without mode-dependent layers needs no eval()
        """\
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)

model = Tiny()
with torch.no_grad():
    for x, y in val_loader:
        out = model(x)
""",
    )
    INVALID = (
        """\
def evaluate(model, loader):
    with torch.no_grad():
        for x, y in loader:
            out = model(x)  # expect: LC006

for epoch in range(epochs):
    train_one_epoch(model, train_loader, optimizer)
    evaluate(model, val_loader)
""",
        # a single forward over a whole graph in an evaluation function is a pass too
        """\
model = GCN(nfeat, nhid, nclass, dropout=0.5)

def test():
    output = model(features, adj)  # expect: LC006
    return accuracy(output[idx_test], labels[idx_test])

test()
""",
        """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.drop(x))

model = Net()
model.load_state_dict(torch.load("net.pt"))
with torch.no_grad():
    for x, y in val_loader:
        out = model(x)  # expect: LC006
""",
    )

    def check(self, model: LoopModel) -> Iterable[Report]:
        reported: set[tuple[int, object, int]] = set()
        # (each model a pass runs is judged on its own where the pass puts its first model in eval
        # mode: `cls_t.eval()` leaves `gen_t_s` as it was; a pass with no eval() at all is one finding)
        for evaluation in (
            each for found in model.evaluation_passes
            for each in (found.each_model() if found.others and model.eval_mode_reaches(found.first_call, found.model, found.entered_by) else [found])
        ):
            if evaluation.key in reported:
                continue
            if not model.may_hold_mode_layers(evaluation.model):
                continue
            if method_free_of_mode_layers(model.at(evaluation.first_call.context.function), evaluation.first_call):
                continue  # `model.inference(x)` runs none of the layers that eval() would switch
            if mode_layers_switched_off_by_argument(model.at(evaluation.first_call.context.function), evaluation.first_call):
                continue  # `model(x)` of a forward that applies dropout only `if is_training:`
            if switched_to_eval_by_argument(model.at(evaluation.first_call.context.function), evaluation.first_call):
                continue  # `model(x, _eval=True)` of a forward that calls `self.eval()` when asked
            if model.eval_mode_reaches(evaluation.first_call, evaluation.model, evaluation.entered_by):
                continue
            if mode_parts_in_eval(model.at(evaluation.first_call.context.function), evaluation.first_call, evaluation.entered_by):
                continue  # `self.gan.G.eval()`, then `self.gan.generate_img(z)` running only `self.G`
            if train_mode_on_purpose(model, evaluation.function, evaluation.first_call.node, evaluation.model):
                continue
            if acts_between_own_updates(model, evaluation):
                continue  # an agent's `get_action`, called from outside between its own updates
            if repeated_on_the_same_input(model.at(evaluation.function), evaluation):
                continue  # `for i in range(50): preds.append(net(x_test))`: Monte Carlo dropout
            reported.add(evaluation.key)
            yield evaluation_report(model, evaluation, self.message.format(model=evaluation.model_name()))
