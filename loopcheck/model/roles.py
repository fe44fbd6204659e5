"""Roles of names: which objects are optimizers, schedulers, models, grad scalers.

Roles come from what built the object (`torch.optim.SGD(...)`), from how it is used
(`x.eval()` makes x a model) and, last, from its name (`optimizer_g`, `lr_scheduler`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import libcst as cst

from loopcheck.lazyre import lazy
from loopcheck.model.build import dotted_name
from loopcheck.model.ir import CallSite, ClassInfo, FunctionInfo, Simple

if TYPE_CHECKING:
    from loopcheck.model import LoopModel

OPTIMIZER = "optimizer"
SCHEDULER = "scheduler"
MODEL = "model"
SCALER = "scaler"
INSTANCE = "instance"

KNOWN_OPTIMIZERS = frozenset(
    {"SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "RMSprop", "Rprop", "ASGD", "NAdam",
     "RAdam", "LBFGS", "SparseAdam", "Adafactor", "Lion", "LAMB", "Lamb", "FusedAdam", "FusedLAMB",
     "AdamW8bit", "Adam8bit", "Muon", "ZeroRedundancyOptimizer", "Shampoo", "Sophia", "LARS"}
)
KNOWN_SCHEDULERS = frozenset(
    {"LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
     "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau",
     "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler"}
)
MODEL_FACTORIES = lazy(
    r"(^|\.)(from_pretrained|create_model|resnet\d+|vgg\d+\w*|densenet\d+|mobilenet\w*|efficientnet\w*|vit_\w+|"
    r"convnext\w*|regnet\w*|swin_\w+|alexnet|squeezenet\w*|googlenet|inception_v3|shufflenet\w*)$"
)
RETURNS_SELF = frozenset({"to", "cuda", "cpu", "half", "float", "double", "eval", "train", "requires_grad_", "type", "bfloat16", "apply", "share_memory"})
"""Module methods that return the module itself."""
WRAPPERS = RETURNS_SELF | {"compile", "script", "trace", "prepare_model", "deepcopy"}
"""Calls whose result has the role and class of what they are given (`copy.deepcopy(model)`: a copy of the same class)."""
MODEL_USE_METHODS = frozenset({"train", "eval", "parameters", "named_parameters", "modules", "children"})
_NOT_OPTIMIZER_METHODS = frozenset({"parameters", "named_parameters", "modules", "children"})
"""Model-use methods no optimizer has (a schedule-free optimizer has `train()` and `eval()` too)."""
_OPTIMIZER_NAME = lazy(r"(?i)optim|^opt($|_|(?-i:[A-Z0-9]))|_opt($|_|(?-i:[A-Z0-9]))")
"""`optimizer`, `opt`, `opt_g`, `optG`, `g_opt`; not `options` or `opts` (the case of the letter after
`opt`/`net` is what tells `optD` from `options`)."""
_SCHEDULER_NAME = lazy(r"(?i)sched")
_SCALER_NAME = lazy(r"(?i)scaler")
_MODEL_NAME = lazy(
    r"(?i)^(model|net|network|classifier|encoder|decoder|generator|discriminator|critic|actor|"
    r"policy|backbone|autoencoder|vae|student|teacher|unet|transformer|gpt|bert|cnn|rnn|lstm|mlp)"
    r"(\d*|_?[a-z]|_ema|_without_ddp|_engine)$|(^|_)(model|net)$|^net(?-i:[A-Z0-9])\w*$"
)
_FACTORY_NAME = lazy(
    r"(?i)(^|_)(create|build|get|make|load|init|setup|prepare|instantiate|unwrap|wrap|compile|export|save|"
    r"print|freeze|unfreeze|count|register|copy|update|eval|train|evaluate|validate|test|run|to)_"
)
_NOT_A_MODEL = lazy(r"Loss$")
"""A library class a factory's tuple element may be built from that is no model to evaluate."""
_NOT_MODELS = lazy(r"(?i)tokenizer|processor|config|feature_?extractor|pipeline|scheduler")
_OTHER_FRAMEWORK_MODEL = lazy(
    r"transformers\.(?:TF|Flax)[A-Z]|(?:mxnet|gluonnlp|gluoncv|tensorflow|keras|tf_keras|jax|flax|haiku|paddle|paddlenlp|"
    r"mindspore|oneflow|chainer|sklearn|xgboost|lightgbm|catboost)\."
)
"""The TensorFlow and Flax classes of `transformers` (`TFBertModel`, `FlaxBertForMaskedLM`), and
what the libraries of other frameworks build (`gluonnlp.model.get_model`, `tf.keras.Sequential`,
`sklearn.svm.SVC`): no torch modules."""


def other_framework_model(qualified: str | None) -> bool:
    """Does the call build a model of another framework (`transformers.TFBertModel.from_pretrained`)?"""
    return bool(qualified) and _OTHER_FRAMEWORK_MODEL.match(qualified) is not None


@dataclass(init=False, eq=False, repr=False)
class Binding:
    """What a name was bound to: the constructor call and the role it implies."""

    name: str
    role: str | None
    qualified: str | None
    call: CallSite | None
    statement: Simple
    function: FunctionInfo
    cls: ClassInfo | None = None
    """For instances of project classes (this file's or another's)."""
    alias: str | None = None
    """For `self.model = model` or `net = self.net`: the name whose value this one takes."""
    classes: tuple[ClassInfo, ...] = ()
    """For `agent = Model(envs)` with `Model` a parameter: the project classes the callers pass."""
    wraps: str | None = None
    """For `parallel_model = nn.DataParallel(model).cuda()` or `net = model.to(device)`: the name of
    the module this one is, or holds: switching either's mode switches the other's layers."""

    def __init__(
        self,
        name: str,
        role: str | None,
        qualified: str | None,
        call: CallSite | None,
        statement: Simple,
        function: FunctionInfo,
        cls: ClassInfo | None = None,
        alias: str | None = None,
        classes: tuple[ClassInfo, ...] = (),
        wraps: str | None = None,
    ) -> None:
        self.name = name
        self.role = role
        self.qualified = qualified
        self.call = call
        self.statement = statement
        self.function = function
        self.cls = cls
        self.alias = alias
        self.classes = classes
        self.wraps = wraps

    @property
    def last(self) -> str:
        return (self.qualified or "").rsplit(".", 1)[-1]

    def same_as(self, other: Binding) -> bool:
        """The same binding: this record, or another record of the same name bound by the same
        statement (as another file's model, or another role table, records it)."""
        return self is other or (self.statement is other.statement and self.name == other.name)


_CONTAINING_WRAPPERS = frozenset({"DataParallel", "DistributedDataParallel", "DDP", "compile", "script", "trace", "prepare_model"})


def _wrapped_module(call: CallSite | None) -> str | None:
    """The module a wrapping call returns or holds: `model` in `model.cuda()`, in
    `nn.DataParallel(model, dim=1).cuda()`, in `torch.compile(model)` (never a copy: `deepcopy`)."""
    while call is not None and call.inner is not None and call.method in RETURNS_SELF:
        call = call.inner
    if call is None or call.inner is not None:
        return None
    if call.method in RETURNS_SELF and call.receiver is not None:
        return call.receiver
    if call.method in _CONTAINING_WRAPPERS and call.args and call.args[0].dotted is not None:
        return call.args[0].dotted
    return None


def classify_constructor(qualified: str | None) -> str | None:
    """The role of what a library call builds, from its qualified name (`torch.optim.SGD`)."""
    if not qualified:
        return None
    last = qualified.rsplit(".", 1)[-1]
    if ".lr_scheduler." in f".{qualified}" or last in KNOWN_SCHEDULERS or re.match(r"get_\w*schedule", last):
        return SCHEDULER
    if last == "GradScaler":
        return SCALER
    if qualified.startswith("torch.optim.") and last[:1].isupper() or last in KNOWN_OPTIMIZERS:
        return OPTIMIZER
    if re.search(r"(?i)(create|build|get|make)_?optim", last):
        return OPTIMIZER
    if _NOT_MODELS.search(qualified) or other_framework_model(qualified):
        return None
    if last in _NN_TENSORS:
        return None  # `nn.Parameter(torch.randn(n, h))`: a tensor, no module to run
    if qualified.startswith(("torch.nn.", "nn.")) and last[:1].isupper() or MODEL_FACTORIES.search(qualified):
        return MODEL
    if qualified.startswith(("torchvision.models.", "timm.models.")) and last[:1].isupper():
        return MODEL
    if qualified.startswith(("timm.", "transformers.")) and (
        last in ("create_model",) or re.search(r"Model|For[A-Z]", last)
    ):
        return MODEL  # not `timm.data.Mixup` or `transformers.AutoTokenizer`
    if last in MODULE_WRAPPERS:
        return MODEL
    return None


_NN_TENSORS = frozenset(
    {"Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer", "ParameterList", "ParameterDict", "PackedSequence"}
)
"""What `torch.nn` builds that is a tensor, or holds only tensors, not layers: nothing to run as a
model (`self.weight = nn.Parameter(...)`, then `self.weight.detach()` computes nothing)."""


MODULE_WRAPPERS = frozenset({"DistributedDataParallel", "DataParallel", "DDP", "FSDP", "FullyShardedDataParallel"})
"""Library modules built around another module: what they run is the wrapped module's class."""


MODULE_BASES = frozenset({"Module", "Sequential", "ModuleList", "ModuleDict", "LightningModule", "PreTrainedModel"})
OPTIMIZER_BASES = frozenset({"Optimizer"})
SCHEDULER_BASES = frozenset({"LRScheduler", "_LRScheduler", "ReduceLROnPlateau"}) | KNOWN_SCHEDULERS


_CLASS_NAME = lazy(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")
"""CapWords: `Model`, `ResNet` (not `G`, `GAN`, `netG`)."""


@lru_cache(maxsize=4096)
def role_from_name(name: str) -> str | None:
    last = name.rsplit(".", 1)[-1]
    if _SCHEDULER_NAME.search(last):
        return SCHEDULER
    if _SCALER_NAME.search(last):
        return SCALER
    if _OPTIMIZER_NAME.search(last):
        return OPTIMIZER
    if _MODEL_NAME.search(last) and not _FACTORY_NAME.search(last):
        return MODEL
    return None


_TENSOR_MAKERS = lazy(
    r"^torch\.(nn\.functional\.\w+|distributions\.[\w.]+|(softmax|log_softmax|sigmoid|tanh|argmax|argmin|cat|stack|"
    r"exp|log|where|clamp|multinomial|tensor|as_tensor|from_numpy|zeros|ones|randn|rand|zeros_like|ones_like)$)"
)
"""torch functions that make tensors (and torch.distributions objects): what they return is no module."""
_NOT_MODULE_VALUES = (
    cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.BooleanOperation, cst.Integer, cst.Float,
    cst.SimpleString, cst.FormattedString, cst.ConcatenatedString,
)


_DATA_TRANSFORMS = ("torchvision.transforms.", "albumentations.", "monai.transforms.")
"""Libraries of data preprocessing: what they build transforms inputs, it holds no trained weights."""


def _makes_no_module(model: LoopModel, binding: Binding) -> bool:
    """Is what the name is bound to surely no module: a tensor a torch function makes (`F.softmax`,
    `torch.argmax`) or a torch.distributions object, arithmetic or a literal (`probs / probs.sum()`),
    or what a project function returns when each of its returns is an object of a known role other
    than a model (`create_policy(kind)` building instances of project classes that are no modules)?"""
    if _TENSOR_MAKERS.match(binding.qualified or "") or isinstance(binding.statement.value, _NOT_MODULE_VALUES):
        return True
    if (binding.qualified or "").startswith(_DATA_TRANSFORMS):
        return True  # `transformer = transforms.Compose([...])`: a preprocessing pipeline, whatever its name
    if other_framework_model(binding.qualified):
        return True  # `TFBertForQuestionAnswering.from_pretrained(...)`: a TensorFlow (or Flax) model
    if binding.call is None:
        return False
    made = model.resolve_call(binding.call, binding.function)
    if not isinstance(made, FunctionInfo):
        return False
    roles = model.at(made).returned_roles_each(made)
    return bool(roles) and None not in roles and MODEL not in roles


def without_module(name: str) -> str:
    """The model a name holds, without the `.module` of a parallel wrapper (`net.module` -> `net`)."""
    return re.sub(r"(\.module)+$", "", name)


def _same_module_either_way(value: cst.IfExp) -> str | None:
    """`model.module if parallel else model`: the one name both arms give (its `.module` is the
    wrapped model itself); None when they differ."""
    arms = [dotted_name(value.body), dotted_name(value.orelse)]
    if None in arms:
        return None
    roots = {without_module(arm or "") for arm in arms}
    return roots.pop() if len(roots) == 1 else None


def _tuple_calls(simple: Simple) -> list[CallSite | None] | None:
    """For `a, b = f(), g()`: the call that makes each target (None where it is no call)."""
    value = simple.value
    if not isinstance(value, cst.Tuple) or len(value.elements) != len(simple.targets) or len(simple.targets) < 2:
        return None
    by_node = {id(call.node): call for call in simple.calls}
    return [by_node.get(id(element.value)) for element in value.elements]


def binds_none(simple: Simple) -> bool:
    """`best_model = None`: a name bound to None, a placeholder until the object it stands for is made."""
    return isinstance(simple.value, cst.Name) and simple.value.value == "None"


def _only_none(table: "RoleTable", name: str, function: FunctionInfo) -> bool:
    """Is every assignment of the name seen from the function `= None` (for `self.x`, in every
    method of the class and its bases)?"""
    if name.startswith("self.") and function.cls is not None:
        bindings = [
            b for cls in table.model.class_chain(function.cls)
            for b in table.model.at_class(cls).roles.attributes.get(id(cls), {}).get(name, [])
        ]
    else:
        # (`_model = None` at the top, `global _model; _model = Net()` in a loader: not only None)
        bindings = table.bindings_of(name, function) + table.assigned_as_global.get(name, [])
    return bool(bindings) and all(binds_none(b.statement) for b in bindings)


BUILDING = [0]
"""How many role tables of the project are being built now: while one is, answers that read
roles see part of a table and must not be remembered."""


_NOT_LOOKED_UP = object()


class RoleTable:
    """Bindings of every function, class and the module, and the lookups over them."""

    def __init__(self, model: LoopModel) -> None:
        self.model = model
        self.ir = model.ir
        self.local: dict[int, dict[str, list[Binding]]] = {}
        self.assigned_as_global: dict[str, list[Binding]] = {}
        """`global model` then `model = Net()` in a function: module names bound from inside functions."""
        self.attributes: dict[int, dict[str, list[Binding]]] = {}
        """Per class (by id): `self.x` bindings made in its methods."""
        self.used_as_model: set[str] = set()
        self.used_as_module: set[str] = set()
        """Receivers of methods only a module has: `model_hp_opt.parameters()` is no optimizer's."""
        self._looked_up: dict[tuple[int, str], Binding | None] = {}

    def build(self) -> None:
        """Classify every assignment. Separate from __init__ so that a lookup made while building
        (through another file's class that derives from one of ours) sees the partial table."""
        BUILDING[0] += 1
        try:
            for function in self.ir.functions:
                self.ensure(function)
        finally:
            BUILDING[0] -= 1

    def ensure(self, function: FunctionInfo) -> None:
        """Classify the function's assignments now, if not done yet: what a factory returns is
        asked for while the module's code is being classified."""
        if id(function) in self.local or function.file is not None and function.file is not self.ir:
            return
        table = self.local.setdefault(id(function), {})
        for simple in function.assignments:
            self._bind(simple, function, table)
        for simple in function.simples:
            for call in simple.calls:
                if call.method in MODEL_USE_METHODS and call.receiver is not None:
                    if call.method not in ("train", "eval") or len(call.args) <= 1:
                        self.used_as_model.add(call.receiver)
                    if call.method in _NOT_OPTIMIZER_METHODS:
                        self.used_as_module.add(call.receiver)

    def _bind(self, simple: Simple, function: FunctionInfo, table: dict[str, list[Binding]]) -> None:
        call = simple.value_call
        role, cls, qualified = self.model.constructed(call, function)
        alias_of_parameter: str | None = None
        # `model.to(device)`, `torch.compile(model)`, `copy.deepcopy(model)`; not a plain call of a
        # function that is only named so (`model = train(Net())`, a project's training helper)
        wrapping = call is not None and call.method in WRAPPERS and (
            call.receiver is not None or call.inner is not None or call.method not in RETURNS_SELF
        )
        if call is not None and role is None and wrapping:
            # `model = model.to(device)`, `Net().eval()`, `torch.compile(model)` keep the role of what they wrap
            moves = call.method in RETURNS_SELF
            if moves and call.inner is not None:
                # `model = Net().to(device)`, `C = Net().eval().cuda()`: the role of what was built
                inner = call.inner
                switched = False
                while inner.inner is not None and inner.method in RETURNS_SELF:
                    switched = switched or (inner.method in ("eval", "train") and len(inner.args) <= 1)
                    inner = inner.inner
                role, cls, qualified = self.model.constructed(inner, function)
                if role is None and (switched or call.method in ("eval", "train") and len(call.args) <= 1):
                    # `resnet = InceptionResnetV1(pretrained=True).eval().to(device)` of a class out of
                    # sight: only a module has a mode to switch, so what was built is a model
                    role = MODEL
            else:
                wrapped = call.receiver if moves else (call.args[0].dotted if call.args else None)
                inner = self.lookup(wrapped, function) if wrapped else None
                if inner is None and wrapped and wrapped not in simple.targets and (
                    wrapped in function.params or ("." not in wrapped and not any(wrapped in other.targets for other in function.assignments))
                ):
                    # `self.model = model.to(rank)` of a parameter: the value the callers pass; `m2 =
                    # copy.deepcopy(mlp)` of a name this function never binds: the global (or
                    # imported) object, resolved when asked
                    alias_of_parameter = wrapped
                elif inner is None or wrapped in simple.targets:
                    return
                else:
                    role, cls = inner.role, inner.cls
        if call is not None and role is None and not wrapping:
            role, cls, qualified = self._passed_through(call, simple, function, (role, cls, qualified))
        alias = dotted_name(simple.value) if simple.value is not None and call is None else alias_of_parameter
        if alias is None and call is None and isinstance(simple.value, cst.IfExp):
            # `model_to_save = model.module if hasattr(model, "module") else model`: the model either way
            alias = _same_module_either_way(simple.value)
            if alias is None and role is None:
                # `current = adam if epoch < warmup else lbfgs`: one of two objects of one role
                role, cls, qualified = self._either_arm(simple.value, function, simple.targets)
        if alias is not None and not simple.augmented:
            # `self.model = model`: the value of another name, resolved when asked (through callers)
            inner = self.lookup(alias, function) if alias not in simple.targets else None
            if inner is not None:
                role, cls, qualified, call = inner.role, inner.cls, inner.qualified, inner.call
        elements = _tuple_calls(simple)
        for index, target in enumerate(simple.targets):
            handed_back: str | None = None
            if elements is not None:
                # `self.eval_net, self.target_net = Net(), Net()`: each built by its own call
                role, cls, qualified = self.model.constructed(elements[index], function)
                call = elements[index]
            elif len(simple.targets) > 1:
                # `optimizer, scheduler = get_optimizer_and_scheduler(...)`: one call, several roles
                role, cls = self._returned_element(call, function, index, len(simple.targets))
                helper = self.model.definition(call.dotted, function) if call is not None and call.inner is None else None
                element = self.model.at(helper).returned_qualified(helper, (index, len(simple.targets))) if isinstance(
                    helper, FunctionInfo
                ) else None
                if element is not None and _NOT_A_MODEL.search(element):
                    # the factory's `loss_fn = nn.CrossEntropyLoss()`: a loss, no model to evaluate (what
                    # the other elements were built from is read through the call, as before)
                    qualified = element
                if role is None and cls is None and call is not None and any(a.dotted == target for a in call.args):
                    # `model, optimizer, loader = engine.make_private(module=model, optimizer=optimizer, ...)`:
                    # a library hands back what it was given, wrapped; the earlier binding stands
                    if self.lookup(target, function) is not None:
                        continue
                if helper is None and role is None and cls is None:
                    handed_back = self._module_handed_back(call, function, target)
                if role is None and cls is None:
                    role = role_from_name(target)
            binding = Binding(
                target, role, qualified, call, simple, function, cls, alias if len(simple.targets) == 1 else None,
                wraps=_wrapped_module(call) if len(simple.targets) == 1 else handed_back,
            )
            if target.startswith("self.") and function.cls is not None:
                self.attributes.setdefault(id(function.cls), {}).setdefault(target, []).append(binding)
            else:
                table.setdefault(target, []).append(binding)
                if target in function.declared_global:
                    self.assigned_as_global.setdefault(target, []).append(binding)

    def _either_arm(
        self, value: cst.IfExp, function: FunctionInfo, targets: tuple[str, ...]
    ) -> tuple[str | None, ClassInfo | None, str | None]:
        """The role (and class, and library constructor) that both arms of a choice between two
        names give, when they agree; else nothing."""
        arms = [dotted_name(value.body), dotted_name(value.orelse)]
        if None in arms or any(arm in targets for arm in arms):
            return None, None, None
        bound = [self.lookup(arm or "", function) for arm in arms]
        if bound[0] is None or bound[1] is None or bound[0].role is None or bound[0].role != bound[1].role:
            return None, None, None
        first, second = bound
        return first.role, first.cls if first.cls is second.cls else None, first.qualified if first.qualified == second.qualified else None

    def _module_handed_back(self, call: CallSite | None, function: FunctionInfo, target: str) -> str | None:
        """`model, optimizer, _, _ = deepspeed.initialize(model=net, ...)`: a library call given one
        module hands it back wrapped, as the element named like a model; switching that one's
        mode switches the module it was given."""
        if call is None or role_from_name(target) != MODEL:
            return None
        given = {
            arg.dotted for arg in call.args
            if arg.dotted is not None and "." not in arg.dotted and arg.dotted != target
            and (bound := self.lookup(arg.dotted, function)) is not None and bound.role == MODEL
        }
        return given.pop() if len(given) == 1 else None

    def _returned_element(
        self, call: CallSite | None, function: FunctionInfo, index: int, size: int
    ) -> tuple[str | None, ClassInfo | None]:
        """`server, clients = federated_training()`: what the project function returns at that
        position of its tuple, when every return agrees."""
        helper = self.model.definition(call.dotted, function) if call is not None and call.inner is None else None
        if not isinstance(helper, FunctionInfo):
            return None, None
        return self.model.at(helper).returned_role(helper, (index, size))

    def _passed_through(
        self, call: CallSite, simple: Simple, function: FunctionInfo, found: tuple[str | None, ClassInfo | None, str | None]
    ) -> tuple[str | None, ClassInfo | None, str | None]:
        """`net = gpu(Net())` with a project helper that returns its argument (moved to a device or
        not): the role and class of the argument."""
        helper = self.model.definition(call.dotted, function) if call.inner is None and call.dotted else None
        if not isinstance(helper, FunctionInfo):
            return found
        index = self.model.at(helper).passes_through(helper)
        arg = call.arg(index, helper.params[index]) if index is not None else None
        if arg is None:
            return found
        if isinstance(arg.node, cst.Call):
            inner = next((c for c in simple.calls if c.node is arg.node), None)
            return self.model.constructed(inner, function) if inner is not None else found
        bound = self.lookup(arg.dotted, function) if arg.dotted else None
        return (bound.role, bound.cls, bound.qualified) if bound is not None else found

    def lookup(self, name: str, function: FunctionInfo) -> Binding | None:
        """The best binding of `name` seen from `function`: constructor-classified ones first.
        Remembered once no role table of the project is being built (the tables are then whole)."""
        key = (id(function), name)
        known = self._looked_up.get(key, _NOT_LOOKED_UP)
        if known is not _NOT_LOOKED_UP:
            return known  # type: ignore[return-value]
        found = self._lookup(name, function)
        if not BUILDING[0]:
            self._looked_up[key] = found
        return found

    def _lookup(self, name: str, function: FunctionInfo) -> Binding | None:
        candidates: list[Binding] = []
        if name.startswith("self.") and function.cls is not None:
            for cls in self.model.class_chain(function.cls):
                owner = self.model.at_class(cls)
                candidates.extend(owner.roles.attributes.get(id(cls), {}).get(name, []))
        else:
            scope: FunctionInfo | None = function
            while scope is not None and not candidates:
                candidates.extend(self.local.get(id(scope), {}).get(name, []))
                if not candidates and name in scope.params:
                    break  # a parameter hides what the enclosing scopes call by its name
                scope = scope.parent
            if not candidates and not is_parameter(name, function):
                candidates.extend(self.assigned_as_global.get(name, []))
            if not candidates and name in function.params:
                producer = self.model.cell_producing(name, function)
                if producer is not None:
                    candidates.extend(self.local.get(id(producer), {}).get(name, []))
        for binding in candidates:
            if binding.role is not None:
                return binding
        return candidates[0] if candidates else None

    def bindings_of(self, name: str, function: FunctionInfo) -> list[Binding]:
        """Every assignment of `name` seen from `function` (its own, else the nearest enclosing scope's)."""
        scope: FunctionInfo | None = function
        while scope is not None:
            found = self.local.get(id(scope), {}).get(name, [])
            if found:
                return list(found)
            if name in scope.params:
                break  # (a parameter hides the enclosing scopes' names)
            scope = scope.parent
        producer = self.model.cell_producing(name, function) if name in function.params else None
        if producer is not None:
            return list(self.local.get(id(producer), {}).get(name, []))
        return [] if is_parameter(name, function) else list(self.assigned_as_global.get(name, []))

    def role(self, name: str, function: FunctionInfo, binding: Binding | None = None) -> str | None:
        binding = binding if binding is not None else self.lookup(name, function)
        if binding is not None and binding.role is not None:
            return binding.role
        if binding is not None and binds_none(binding.statement) and _only_none(
            self.model.at(binding.function).roles, binding.name, binding.function
        ):
            return None  # `self.lr_scheduler = None` and nothing else: no object, whatever the name says
        by_name = role_from_name(name)
        if by_name is not None and by_name != MODEL and name in self.used_as_module:
            # `model_hp_opt = GCNPredictor(...)` then `Adam(model_hp_opt.parameters())`: a name ending
            # in `_opt` (or holding `sched`, `scaler`) that has parameters is a module, whatever it says
            return MODEL
        if by_name == MODEL and binding is not None and _CLASS_NAME.match(name.rsplit(".", 1)[-1]):
            # `Model = eval(model_type)` / `Model = getattr(models, name)`: a CapWords name bound to
            # what we cannot see is a class; what calling it builds is the model, not a forward
            return None
        if by_name == MODEL and binding is not None and _makes_no_module(self.model, binding):
            return None  # `policy = F.softmax(logits)`: whatever the name says, no module was bound
        if by_name == MODEL and binding is None and self.model.holds_only_none(name, function):
            return None  # `def generate(data, transformer=None)` that no call gives one: no module
        if by_name is not None:
            return by_name
        if name in self.used_as_model:
            return MODEL
        return None


def is_parameter(name: str, function: FunctionInfo) -> bool:
    """Is `name` a parameter of the function or of one it is nested in?"""
    scope: FunctionInfo | None = function
    while scope is not None:
        if name in scope.params:
            return True
        scope = scope.parent
    return False
