"""Expressions as text, fast: the builder needs the text of every `if` test and loop header.

libcst's code generation is exact but costly (it builds whitespace and parentheses for every
node). The text here is what a reader would write — names, attributes, calls, operators, literals —
normalised (single spaces), which is all the model uses it for: keys (two `if`s on the same
test), and patterns (`%`, `epoch`, `val_loader`). Unusual expressions fall back to libcst.
"""
from __future__ import annotations

import libcst as cst

from loopcheck.lazyre import lazy

WHOLE_LINE_COMMENT = lazy(r"(?m)^[ \t]*#.*$")
"""A comment that is a whole line (its text blanked, the line kept: line numbers hold)."""

_EMPTY = cst.Module([])

_BINARY = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.MatrixMultiply: "@", cst.LeftShift: "<<", cst.RightShift: ">>",
    cst.BitAnd: "&", cst.BitOr: "|", cst.BitXor: "^",
}
_COMPARE = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
}
_UNARY = {cst.Not: "not ", cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~"}


def expression_text(node: cst.CSTNode) -> str:
    text = _text(node)
    return text if text is not None else _EMPTY.code_for_node(node)


def _text(node: cst.CSTNode) -> str | None:
    kind = type(node)
    if kind is cst.Name:
        return node.value  # type: ignore[attr-defined]
    if kind is cst.Attribute:
        base = _text(node.value)  # type: ignore[attr-defined]
        return None if base is None else f"{base}.{node.attr.value}"  # type: ignore[attr-defined]
    if kind in (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString):
        return node.value  # type: ignore[attr-defined]
    if kind is cst.Call:
        func = _text(node.func)  # type: ignore[attr-defined]
        args = [_argument(a) for a in node.args]  # type: ignore[attr-defined]
        return None if func is None or None in args else f"{func}({', '.join(args)})"  # type: ignore[arg-type]
    if kind is cst.BinaryOperation:
        left, right = _text(node.left), _text(node.right)  # type: ignore[attr-defined]
        operator = _BINARY.get(type(node.operator))  # type: ignore[attr-defined]
        return None if left is None or right is None or operator is None else _paren(node, f"{left} {operator} {right}")
    if kind is cst.UnaryOperation:
        inner = _text(node.expression)  # type: ignore[attr-defined]
        operator = _UNARY.get(type(node.operator))  # type: ignore[attr-defined]
        return None if inner is None or operator is None else _paren(node, f"{operator}{inner}")
    if kind is cst.BooleanOperation:
        left, right = _text(node.left), _text(node.right)  # type: ignore[attr-defined]
        operator = "and" if isinstance(node.operator, cst.And) else "or"  # type: ignore[attr-defined]
        return None if left is None or right is None else _paren(node, f"{left} {operator} {right}")
    if kind is cst.Comparison:
        parts = [_text(node.left)]  # type: ignore[attr-defined]
        for target in node.comparisons:  # type: ignore[attr-defined]
            operator = _COMPARE.get(type(target.operator))
            parts.extend([operator, _text(target.comparator)])
        return None if None in parts else _paren(node, " ".join(parts))  # type: ignore[arg-type]
    if kind is cst.Subscript:
        base = _text(node.value)  # type: ignore[attr-defined]
        items = [_slice(element.slice) for element in node.slice]  # type: ignore[attr-defined]
        return None if base is None or None in items else f"{base}[{', '.join(items)}]"  # type: ignore[arg-type]
    if kind is cst.Expr:
        return _text(node.value)  # type: ignore[attr-defined]
    if kind is cst.Assign:
        targets = [_text(t.target) for t in node.targets]  # type: ignore[attr-defined]
        value = _text(node.value)  # type: ignore[attr-defined]
        return None if value is None or None in targets else " = ".join([*targets, value])  # type: ignore[list-item]
    if kind is cst.AugAssign:
        target, value = _text(node.target), _text(node.value)  # type: ignore[attr-defined]
        operator = node.operator.__class__.__name__  # type: ignore[attr-defined]
        symbol = _BINARY.get(getattr(cst, operator.replace("Assign", ""), None)) if operator.endswith("Assign") else None
        return None if target is None or value is None or symbol is None else f"{target} {symbol}= {value}"
    if kind is cst.Return:
        value = _text(node.value) if node.value is not None else ""  # type: ignore[attr-defined]
        return None if value is None else f"return {value}".rstrip()
    if kind is cst.IfExp:
        parts = [_text(node.body), _text(node.test), _text(node.orelse)]  # type: ignore[attr-defined]
        return None if None in parts else _paren(node, f"{parts[0]} if {parts[1]} else {parts[2]}")
    if kind is cst.Lambda:
        body = _text(node.body)  # type: ignore[attr-defined]
        names = ", ".join(p.name.value for p in node.params.params)  # type: ignore[attr-defined]
        return None if body is None else f"lambda {names}: {body}"
    if kind in (cst.ListComp, cst.GeneratorExp, cst.SetComp):
        element = _text(node.elt)  # type: ignore[attr-defined]
        clauses = _for_clauses(node.for_in)  # type: ignore[attr-defined]
        if element is None or clauses is None:
            return None
        inner = f"{element} {clauses}"
        return f"[{inner}]" if kind is cst.ListComp else (f"{{{inner}}}" if kind is cst.SetComp else f"({inner})")
    if kind is cst.DictComp:
        key, value, clauses = _text(node.key), _text(node.value), _for_clauses(node.for_in)  # type: ignore[attr-defined]
        return None if None in (key, value, clauses) else f"{{{key}: {value} {clauses}}}"
    if kind is cst.Dict:
        items = []
        for element in node.elements:  # type: ignore[attr-defined]
            if isinstance(element, cst.DictElement):
                key, value = _text(element.key), _text(element.value)
                items.append(None if key is None or value is None else f"{key}: {value}")
            else:
                value = _text(element.value)
                items.append(None if value is None else f"**{value}")
        return None if None in items else "{" + ", ".join(items) + "}"  # type: ignore[arg-type]
    if kind is cst.StarredElement:
        value = _text(node.value)  # type: ignore[attr-defined]
        return None if value is None else f"*{value}"
    if kind is cst.Await:
        value = _text(node.expression)  # type: ignore[attr-defined]
        return None if value is None else f"await {value}"
    if kind is cst.NamedExpr:
        target, value = _text(node.target), _text(node.value)  # type: ignore[attr-defined]
        return None if target is None or value is None else f"({target} := {value})"
    if kind is cst.ConcatenatedString:
        left, right = _text(node.left), _text(node.right)  # type: ignore[attr-defined]
        return None if left is None or right is None else f"{left} {right}"
    if kind is cst.FormattedString:
        return _EMPTY.code_for_node(node)  # rare in tests and headers; exact text is cheap enough here
    if kind is cst.Ellipsis:
        return "..."
    if kind is cst.With:
        items = [_text(item.item) for item in node.items]  # type: ignore[attr-defined]
        return None if None in items else "with " + ", ".join(items)  # type: ignore[arg-type]
    if kind is cst.Assert:
        test = _text(node.test)  # type: ignore[attr-defined]
        return None if test is None else f"assert {test}"
    if kind is cst.Raise:
        exc = _text(node.exc) if node.exc is not None else ""  # type: ignore[attr-defined]
        return None if exc is None else f"raise {exc}".rstrip()
    if kind in (cst.Tuple, cst.List):
        items = [_text(e.value) if isinstance(e, cst.Element) else None for e in node.elements]  # type: ignore[attr-defined]
        if None in items:
            return None
        inner = ", ".join(items)  # type: ignore[arg-type]
        return f"[{inner}]" if kind is cst.List else (f"({inner})" if node.lpar else inner)  # type: ignore[attr-defined]
    return None


def _for_clauses(clause: cst.CompFor | None) -> str | None:
    parts: list[str] = []
    while clause is not None:
        target, iterated = _text(clause.target), _text(clause.iter)
        if target is None or iterated is None:
            return None
        parts.append(f"for {target} in {iterated}")
        for condition in clause.ifs:
            test = _text(condition.test)
            if test is None:
                return None
            parts.append(f"if {test}")
        clause = clause.inner_for_in
    return " ".join(parts)


def _paren(node: cst.CSTNode, text: str) -> str:
    return f"({text})" if getattr(node, "lpar", None) else text


def _argument(arg: cst.Arg) -> str | None:
    value = _text(arg.value)
    if value is None:
        return None
    prefix = f"{arg.keyword.value}=" if arg.keyword is not None else arg.star
    return f"{prefix}{value}"


def _slice(index: cst.BaseSlice) -> str | None:
    if isinstance(index, cst.Index):
        return _text(index.value)
    if isinstance(index, cst.Slice):
        parts = [_text(p) if p is not None else "" for p in (index.lower, index.upper)]
        return None if None in parts else ":".join(parts)  # type: ignore[arg-type]
    return None
