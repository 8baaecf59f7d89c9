"""Field descriptions read when asked (specgen.spec.schema.fielddocs) give
what pydantic's own ``use_attribute_docstrings`` would have given."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel, Field
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

# every model class of specgen, loaded
import specgen.evidence.model
import specgen.spec.approvals  # noqa: F401
from specgen.spec.schema import Project, Spec
from specgen.spec.schema.base import Model
from specgen.spec.schema.fielddocs import field_description


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    found, queue = [], [root]
    while queue:
        model = queue.pop()
        for sub in model.__subclasses__():
            if sub not in found:
                found.append(sub)
                queue.append(sub)
    return sorted(found, key=lambda m: (m.__module__, m.__qualname__))


def _pydantic_says(model: type[BaseModel], name: str) -> str | None:
    """What pydantic sets: a description given to the field, else the
    docstring in the class that annotates it (pydantic's own extractor)."""
    info = model.model_fields[name]
    if info.description is not None:
        return info.description
    for klass in model.__mro__:
        if name in inspect.get_annotations(klass):
            return extract_docstrings_from_cls(klass, use_inspect=True).get(name)
    return None


MODELS = [m for m in _models(Model) if m.__module__.startswith("specgen.")]


def test_every_model_of_specgen_is_covered() -> None:
    names = {m.__name__ for m in MODELS}
    assert {"Spec", "Project", "EvidenceFile", "ApprovalsFile"} <= names
    assert len(MODELS) > 60


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__qualname__)
def test_each_field_is_described_as_pydantic_would(model: type[BaseModel]) -> None:
    described = 0
    for name in model.model_fields:
        expected = _pydantic_says(model, name)
        assert field_description(model, name) == expected, name
        described += expected is not None
    if model in (Spec, Project):
        assert described == len(model.model_fields)  # every top-level section says what it is


class _Odd(Model):
    plain: int = 1
    """Plain one."""

    undocumented: int = 2
    after_method: int = 3

    def method(self) -> int:
        """Not a field's."""
        return 1

    given: int = Field(default=4, description="Given.")
    """Ignored: the description given wins."""

    spaced: int = 5
    """
        Indented
          and cleaned.
    """

    class Inner(BaseModel):
        inner: int = 6
        """Inner's own."""


class _Child(_Odd):
    undocumented: int = 8
    """Now documented, by the child."""

    plain: int = 9  # annotated again without a docstring: none, as pydantic


def test_odd_layouts_read_as_pydantic_reads_them() -> None:
    for model in (_Odd, _Child, _Odd.Inner):
        for name in model.model_fields:
            assert field_description(model, name) == _pydantic_says(model, name), (model, name)
    assert field_description(_Odd, "spaced") == "Indented\n  and cleaned."
    assert field_description(_Odd, "given") == "Given."
    assert field_description(_Child, "plain") is None
    assert field_description(_Child, "spaced") == "Indented\n  and cleaned."  # inherited
    assert field_description(_Odd, "missing") is None


class _AfterAssignment(Model):
    first: int = 1
    _hidden = 2
    """After an assignment without annotation: nobody's."""
    second: int = 3


def test_a_string_after_a_plain_assignment_describes_nothing() -> None:
    assert field_description(_AfterAssignment, "first") is None
    assert field_description(_AfterAssignment, "second") is None
    assert _pydantic_says(_AfterAssignment, "first") is None
