"""A catalog name is only ever a name: a path-like one is refused before any file is looked at."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from dojosim import catalog, scenarios
from dojosim.errors import CatalogError, SpecError
from tests.conftest import BASE

PATHS = [
    "../../etc/passwd",
    "/etc/hosts",
    "..",
    "a/b",
    "..\\..\\win.ini",
    "C:evil",
    "",
    ".hidden",
    "name\x00",
    "x" * 300,
]


def test_every_catalog_and_scenario_name_is_plain() -> None:
    for kind in catalog.LISTABLE:
        for name in catalog.names(kind):
            assert catalog.check_name(name) == name


@pytest.mark.parametrize("name", PATHS)
def test_path_like_names_are_refused(name: str) -> None:
    with pytest.raises(CatalogError, match="never a path"):
        catalog.check_name(name)
    with pytest.raises(CatalogError):
        catalog.get("system", name)
    with pytest.raises(CatalogError):
        catalog.find(name)
    assert scenarios.path(name) is None


def test_a_real_yaml_outside_the_catalog_is_not_read(tmp_path: Path, files_read: list[str]) -> None:
    """A traversal that would reach a valid system file elsewhere is refused, and nothing is read."""
    evil = tmp_path / "evil.yaml"
    system = dict(catalog.raw("system", "dgx-a100-80g"), name="evil")
    evil.write_text(yaml.safe_dump(system))
    folder = catalog.ROOT / catalog.KINDS["system"][0]
    rel = Path("..", "..", *[".."] * len(folder.parts)) / evil.with_suffix("")
    assert (folder / f"{rel}.yaml").resolve() == evil.resolve()  # it would have been found
    s = copy.deepcopy(BASE)
    s["system"] = str(rel)
    with pytest.raises(SpecError) as info:
        from dojosim import estimate

        estimate(s)
    assert info.value.field == "system" and "never a path" in str(info.value)
    assert not [p for p in files_read if "evil" in p]


def test_a_path_that_lands_on_a_real_catalog_file_is_refused_too() -> None:
    s = copy.deepcopy(BASE)
    s["system"] = "../systems/dgx-a100-80g"
    with pytest.raises(SpecError, match="never a path"):
        from dojosim import estimate

        estimate(s)
