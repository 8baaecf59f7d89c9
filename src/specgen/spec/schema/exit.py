"""Leaving and signing: the exit plan and handover to the buyer (``exit``), who
signs the production-readiness definition (``signoff``) and the recorded
approvals of versions of a spec (``approvals``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field

from specgen.spec.schema.base import Model, Text, Title
from specgen.spec.values import Duration, PersonRef, RoleRef


class ArtifactKind(str, Enum):
    """A kind of artifact the buyer takes over."""

    spec = "spec"
    prompts = "prompts"
    policies = "policies"
    evaluation_set = "evaluation_set"
    red_team_catalogue = "red_team_catalogue"
    runbooks = "runbooks"
    code = "code"
    infrastructure = "infrastructure"
    data = "data"
    documentation = "documentation"
    model = "model"


class SignoffArea(str, Enum):
    """Who signs the production-readiness definition."""

    engineering = "engineering"
    security = "security"
    risk_compliance = "risk_compliance"
    business_sponsor = "business_sponsor"
    finance = "finance"


class Artifact(Model):
    """An artifact the buyer owns and can take away."""

    name: Title
    """Artifact."""
    kind: ArtifactKind
    """Kind of artifact."""
    location: Text | None = None
    """Where it lives."""
    format: Text | None = None
    """Format: YAML, Markdown, JSONL..."""
    owned_by_buyer: bool = True
    """Whether the buyer owns it."""


class HandoverMilestone(Model):
    """A dated step of the handover plan."""

    name: Title
    """Milestone."""
    date: dt.date
    """Target date."""
    done: bool = False
    """Whether it is done."""


class Handover(Model):
    """The handover to the buyer's team."""

    to: RoleRef
    """Role taking over."""
    date: dt.date
    """Date of the written handover."""
    plan: Text | None = None
    """The plan in a few sentences."""
    milestones: list[HandoverMilestone] = []
    """Dated milestones."""


class ExitPlan(Model):
    """How the buyer takes over or leaves the vendor."""

    artifacts: list[Artifact] = []
    """Artifacts the buyer keeps."""
    handover: Handover | None = None
    """The handover plan."""
    transition_estimate: Duration | None = None
    """How long a transition to another partner would take."""
    transition_notes: Text | None = None
    """What a transition would take."""
    decommissioning: Text | None = None
    """How the system would be retired."""


class SpecApproval(Model):
    """A recorded approval of one version of this spec."""

    role: RoleRef
    """The role approving."""
    by: PersonRef
    """The person approving."""
    date: dt.date
    """When."""
    fingerprint: Annotated[str, Field(pattern="^sha256:[0-9a-f]{64}$")]
    """Content fingerprint of the spec that was approved."""
    sections: dict[str, str] = {}
    """Per-section fingerprints at approval, to say what changed since."""


class SignoffParty(Model):
    """Who signs the production-readiness definition for one area."""

    area: SignoffArea
    """The area signed for."""
    role: RoleRef
    """The role signing."""
