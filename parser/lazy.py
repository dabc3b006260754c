"""PEP 562 lazy exports: a package names what it offers, and each name's module is
imported the first time the name is read (``from package import Name`` included).

Used by the packages whose full import is costly and often unneeded: ``parser`` (the
CLI needs only its errors and ``printable`` before the workbench starts) and
``heuristics`` (one submodule should not load the whole engine).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any],
                 exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's ``__getattr__``: ``exports`` maps a name to the submodule defining
    it; the value is imported once, then kept in the package's ``namespace``."""

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return getattr_


__all__ = ["lazy_exports"]
