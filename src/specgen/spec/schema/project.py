"""The project file (``specgen.yml``): people and roles shared by all specs,
site settings, and the organisation's policy (thresholds, waivers and
declarative policy rules)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field

from specgen.spec.schema.base import SCHEMA_VERSION, Model, Stage, Text, Title
from specgen.spec.schema.ownership import Person, Role
from specgen.spec.values import Duration, Id, RoleOrPersonRef, RoleRef


class WaiverSeverity(str, Enum):
    """What a waived rule becomes, from switched off to error."""

    off = "off"
    info = "info"
    warning = "warning"
    error = "error"


class RuleSeverity(str, Enum):
    """The severity of a policy rule's findings, from info to error."""

    info = "info"
    warning = "warning"
    error = "error"


class PolicyRequirement(str, Enum):
    """What a policy rule requires of its field."""

    present = "present"
    """The field is set (a list: not empty)."""
    min_items = "min_items"
    """The field holds at least ``value`` items."""
    min_value = "min_value"
    """The field's number, duration or percentage is at least ``value``."""
    equals = "equals"
    """The field equals ``value``."""


class Waiver(Model):
    """A recorded exception to one rule: who allowed it, why, until when."""

    rule: Text
    """The rule id, e.g. 'EVAL-002'."""
    specs: list[Id] = []
    """Specs (ids) it applies to; empty means every spec."""
    reason: Text
    """Why the rule does not apply or is accepted as a gap."""
    approved_by: RoleOrPersonRef
    """Role or person who approved the waiver."""
    expires: dt.date
    """After this date the waiver stops applying."""
    severity: WaiverSeverity = WaiverSeverity.off
    """What the rule becomes while waived: off, info, warning or error."""


class PolicyRule(Model):
    """A declarative rule added by the organisation, without Python."""

    id: Annotated[str, Field(pattern="^[A-Z]+-[0-9]{3}$")]
    """Rule id, e.g. 'ORG-001'."""
    title: Title
    """What it requires."""
    field: Text
    """Dotted path into the spec: 'audit.retention', 'acceptance.conditions'."""
    require: PolicyRequirement = PolicyRequirement.present
    """present, min_items, min_value or equals."""
    value: float | str | bool | None = None
    """The number or value for min_items, min_value and equals."""
    from_stage: Stage = Stage.experimentation
    """The first stage it applies at."""
    severity: RuleSeverity = RuleSeverity.error
    """info, warning or error."""
    rationale: Text
    """Why the organisation requires it."""


class Thresholds(Model):
    """Numbers the built-in rules use, tunable per organisation."""

    golden_set_min: Annotated[int, Field(ge=0)] = 100
    """Minimum golden-set size at system of record."""
    golden_set_min_rollout: Annotated[int, Field(ge=0)] = 30
    """Minimum golden-set size at limited rollout."""
    red_team_min: Annotated[int, Field(ge=0)] = 50
    """Minimum red-team probes at system of record."""
    handover_within_months: Annotated[int, Field(ge=1)] = 12
    """Handover to the buyer's team within this many months of the spec's release."""
    audit_retention_min: Duration = Duration.parse("1y")
    """Minimum audit retention at system of record."""
    evidence_max_age_days: Annotated[int, Field(ge=1)] = 90
    """Evidence older than this many days is stale."""
    evidence_min_cases: Annotated[int, Field(ge=1)] = 30
    """Evidence measured on fewer cases does not prove a condition."""
    evidence_interval_bound: bool = False
    """At system of record, a proportion proves a condition only when its 95% interval's
    bound (the lower one for '>=') meets the bar."""


class ApprovalPolicy(Model):
    """What an approval needs, beyond its record, to count."""

    signed_commits: bool = False
    """Count an approval only when the commits that wrote its lines (in the
    approvals file, or inline in the spec) carry a good signature, checked with
    ``git verify-commit``. Approvals not committed yet are reported and not
    counted; those in unsigned or unverifiable commits are errors."""


class Policy(Model):
    """The organisation's tuning of the rules."""

    thresholds: Thresholds = Thresholds()
    """Numbers used by built-in rules."""
    waivers: list[Waiver] = []
    """Recorded waivers."""
    rules: list[PolicyRule] = []
    """Extra declarative rules."""
    approvals: ApprovalPolicy = ApprovalPolicy()
    """What an approval needs to count (e.g. a signed commit)."""


class SiteSettings(Model):
    """How the handover site looks."""

    name: Title | None = None
    """Site title."""
    logo: Text | None = None
    """Path to a logo image, relative to the project file."""
    primary_color: Annotated[str, Field(pattern="^[a-z-]+$")] = "indigo"
    """mkdocs-material primary colour name: indigo, teal, deep-purple..."""
    accent_color: Annotated[str, Field(pattern="^[a-z-]+$")] = "indigo"
    """mkdocs-material accent colour name."""
    one_runbooks_page: bool = False
    """All runbooks of a workflow on one page instead of a page per runbook (a shorter build)."""


class Project(Model):
    """The project file (specgen.yml): what specs share."""

    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)] = SCHEMA_VERSION
    """Version of the project file format."""
    organisation: Text | None = None
    """The buyer organisation."""
    vendor: Text | None = None
    """The delivery partner, if any."""
    site: SiteSettings = SiteSettings()
    """Handover site settings."""
    people: list[Person] = []
    """People shared by all specs."""
    roles: list[Role] = []
    """Roles shared by all specs."""
    loosening_signoff: list[RoleRef] = []
    """Roles that must sign off a change that loosens governance."""
    policy: Policy = Policy()
    """Rule thresholds, waivers and extra rules."""
