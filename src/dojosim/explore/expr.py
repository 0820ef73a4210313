"""Arithmetic over named values: ``derive:`` outputs and ``solve`` targets.

An expression uses numbers, names (dotted, as outputs and axes are named:
``earth.usd_per_pflop_day``, ``system.chip.tdp``, ``vars.usd_per_chip``),
``+ - * / ** ( )`` and the functions below. Nothing else is evaluated.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from dojosim.errors import SpecError, nearest

FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "sqrt": math.sqrt,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
# A dotted name not preceded by a word character or a dot (so '1e12' stays a number).
_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.\w+)*)(?![\w.])(?!\s*\()")


class Expression:
    """A parsed expression; :attr:`names` are the values it reads."""

    def __init__(self, text: str):
        self.text = text
        self.names: list[str] = []

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.names:
                self.names.append(name)
            return f"_v{self.names.index(name)}"

        code = _NAME.sub(sub, text)
        try:
            self._tree = ast.parse(code.strip(), mode="eval")
        except SyntaxError:
            raise SpecError(f"cannot parse the expression {text!r}") from None
        for node in ast.walk(self._tree):
            self._check(node)

    def _check(self, node: ast.AST) -> None:
        ok = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.Call)
        ok_ops = (*_BINARY, ast.USub, ast.UAdd)
        if isinstance(node, ast.Call):
            fn = node.func
            if not isinstance(fn, ast.Name) or fn.id not in FUNCTIONS or node.keywords:
                name = fn.id if isinstance(fn, ast.Name) else "?"
                raise SpecError(
                    f"unknown function {name!r} in {self.text!r}{nearest(name, list(FUNCTIONS))}"
                )
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise SpecError(f"only numbers may appear in {self.text!r}, got {node.value!r}")
        elif isinstance(node, ast.Name):
            if not (node.id.startswith("_v") or node.id in FUNCTIONS):
                raise SpecError(f"cannot read {node.id!r} in {self.text!r}")
        elif not isinstance(node, ok) and not isinstance(node, ok_ops):
            raise SpecError(
                f"{self.text!r}: only + - * / ** ( ) and {', '.join(FUNCTIONS)} are allowed"
            )

    def check_names(self, known: Mapping[str, Any] | list[str], where: str) -> None:
        """Every name read must be known: a SpecError with a did-you-mean otherwise."""
        for n in self.names:
            if n not in known:
                raise SpecError(
                    f"{self.text!r} reads {n!r}, which is no output, axis or variable"
                    f"{nearest(n, list(known))}",
                    field=where,
                )

    def __call__(self, values: Mapping[str, Any]) -> float:
        """The value; None, text or a failed operation (0/0) give NaN."""
        args = [values.get(n) for n in self.names]
        if any(isinstance(a, bool) or not isinstance(a, int | float) for a in args):
            return math.nan
        try:
            return float(self._eval(self._tree.body, args))
        except (ArithmeticError, ValueError, TypeError):
            return math.nan

    def _eval(self, node: ast.AST, args: list[Any]) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return args[int(node.id[2:])]
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, args), self._eval(node.right, args))
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand, args)
            return -v if isinstance(node.op, ast.USub) else v
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return FUNCTIONS[node.func.id](*(self._eval(a, args) for a in node.args))
