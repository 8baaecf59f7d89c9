"""The registry of built-in rules and the decorator that fills it.

A rule is one function decorated with its metadata::

    @rule("OPS-001", "An on-call rotation answers pages", severity="error",
          from_stage="limited_rollout", dimension="operating_support",
          rationale="...", source="004 · invariant 7: operating model with named owners")
    def _on_call(ctx: RuleContext) -> Iterator[Gap | NotApplicable]:
        ...

Adding a rule is adding such a function to a module that :mod:`specgen.rules`
imports (see ``RULE_MODULES`` there); the engine, the reports and
``specgen rules`` pick it up with no other change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from specgen.diagnostics import Level
from specgen.rules.model import CheckFn, Dimension, Rule, RuleKind
from specgen.spec.schema import Stage

__all__ = ["BUILTIN", "RuleSet", "rule"]


class RuleSet:
    """An ordered collection of rules with unique ids."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, new: Rule) -> Rule:
        """Register a rule; a second rule with the same id is a programming error."""
        if new.id in self._rules:
            raise ValueError(f"rule {new.id} is registered twice")
        self._rules[new.id] = new
        return new

    def rule(
        self,
        rule_id: str,
        title: str,
        *,
        severity: Level | str,
        from_stage: Stage | str,
        dimension: Dimension | str,
        rationale: str,
        source: str,
        kind: RuleKind | str = RuleKind.builtin,
    ) -> Callable[[CheckFn], CheckFn]:
        """Decorator registering ``check`` as the rule ``rule_id``."""

        def register(check: CheckFn) -> CheckFn:
            self.add(
                Rule(
                    id=rule_id,
                    title=title,
                    severity=Level(severity),
                    from_stage=Stage(from_stage),
                    dimension=Dimension(dimension),
                    rationale=rationale,
                    source=source,
                    kind=RuleKind(kind),
                    check=check,
                )
            )
            return check

        return register

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, if registered."""
        return self._rules.get(rule_id)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)


BUILTIN = RuleSet()
"""Every rule shipped with specgen (warning signs included)."""

rule = BUILTIN.rule
"""Register a built-in rule (see the module docstring)."""
