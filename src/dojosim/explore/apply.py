"""Set and read dotted paths in a scenario mapping, before the library resolves it.

Setting a field inside a catalog entry (``system.chip.memory_bandwidth`` where
the scenario says ``system: dgx-h100``) turns the name into an inline override,
``system: {base: dgx-h100, chip: {base: h100-sxm5-80g, memory_bandwidth: ...}}``;
a list or mapping inside an entry (``network``, ``peak_flops``) is copied whole
from the catalog first, since an override replaces a top-level field whole.
"""

from __future__ import annotations

import copy
from typing import Any

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.explore.fields import ENTRY_FIELDS


def _entry_base(kind: str, node: dict[str, Any]) -> str | None:
    base = node.get("base")
    return base if isinstance(base, str) else None


def _as_entry(kind: str, value: Any, path: str) -> dict[str, Any]:
    """A catalog name as an override mapping ``{base: name}``; a mapping copied."""
    if isinstance(value, str):
        network = kind == "model" and value not in catalog.names("model")
        if network and value in catalog.names("network"):
            raise SpecError(
                f"{value!r} is a catalog network, whose fields cannot be overridden inline; "
                "vary model by name instead",
                field=path,
            )
        return {"base": value}
    if isinstance(value, dict):
        return dict(value)
    raise SpecError(f"expected a catalog name or a mapping, got {value!r}", field=path)


def _catalog_value(kind: str, node: dict[str, Any], key: str, path: str) -> Any:
    """The value an override's base entry gives ``key`` (deep-copied), or None."""
    base = _entry_base(kind, node)
    if base is None:
        return None
    try:
        raw = catalog.raw(kind, base)
    except SpecError as exc:
        raise SpecError(exc.detail, field=path) from None
    return copy.deepcopy(raw.get(key))


def _system_chip(system: dict[str, Any], path: str) -> Any:
    """The ``chip`` of a system override: as written, else its base system's chip name."""
    if "chip" in system:
        return system["chip"]
    return _catalog_value("system", system, "chip", path)


def _child(node: Any, seg: str, path: str) -> Any:
    if isinstance(node, list):
        i = int(seg)
        if i >= len(node):
            raise SpecError(f"index {i} is past the end of a list of {len(node)}", field=path)
        return node[i]
    return node.get(seg) if isinstance(node, dict) else None


def set_path(mapping: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``mapping`` with ``path`` set to ``value`` (copies only what it changes)."""
    segs = path.split(".")
    if segs[0] == "vars":
        return mapping
    out = dict(mapping)
    node: Any = out
    kind: str | None = None  # the catalog kind of the entry override we are inside, if any
    entry_node: dict[str, Any] | None = None
    for i, seg in enumerate(segs[:-1]):
        walked = tuple(segs[: i + 1])
        here = ".".join(walked)
        child: Any
        if walked in ENTRY_FIELDS:
            child_kind = ENTRY_FIELDS[walked]
            current = node.get(seg) if isinstance(node, dict) else None
            if current is None and walked == ("system", "chip") and entry_node is not None:
                current = _system_chip(entry_node, here)
            if current is None:
                raise SpecError(f"the scenario has no {here} to override", field=path)
            child = _as_entry(child_kind, current, here)
            if child_kind == "system" and isinstance(current, str):
                # Keep the catalog name, so the system's catalog price still applies.
                child["name"] = current
            kind, entry_node = child_kind, child
        else:
            current = _child(node, seg, path)
            if (
                current is None
                and kind is not None
                and entry_node is not None
                and entry_node is node
            ):
                current = _catalog_value(kind, entry_node, seg, here)
            if current is None:
                child = [] if segs[i + 1].isdigit() else {}
            elif isinstance(current, dict | list):
                child = copy.copy(current)
            else:
                raise SpecError(f"{here} is a value, not a group of fields", field=path)
        if isinstance(node, list):
            node[int(seg)] = child
        else:
            node[seg] = child
        node = child
    last = segs[-1]
    if isinstance(node, list):
        _child(node, last, path)
        node[int(last)] = value
    else:
        node[last] = value
    return out


def get_path(mapping: dict[str, Any], path: str) -> Any:
    """The value ``path`` has in a scenario mapping, looking through catalog names; None if unset."""
    segs = path.split(".")
    node: Any = mapping
    kind: str | None = None
    for i, seg in enumerate(segs):
        walked = tuple(segs[: i + 1])
        value = _child(node, seg, path)
        if value is None and kind is not None and isinstance(node, dict):
            if walked == ("system", "chip"):
                value = _system_chip(node, path)
            else:
                value = _catalog_value(kind, node, seg, path)
        if walked in ENTRY_FIELDS and value is not None:
            kind = ENTRY_FIELDS[walked]
            value = _as_entry(kind, value, ".".join(walked))
        if value is None:
            return None
        node = value
    if isinstance(node, dict) and "value" in node and len(segs) > 1:
        return node["value"]  # a catalog quantity with its own provenance
    return node
