"""Who answers for the workflow: people and roles, owners, on-call, operating
rhythm and the RACI matrix (``people``, ``roles``, ``ownership``), and the
outcome scorecard with its sign-offs (``scorecard``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field

from specgen.spec.schema.base import Cadence, Model, Text, Title
from specgen.spec.values import Duration, Id, PersonRef, RoleRef


class Direction(str, Enum):
    """Which way a metric should move."""

    increase = "increase"
    decrease = "decrease"


class Person(Model):
    """A named person who can hold roles, be on call or approve."""

    id: Id
    """Identifier used to refer to this person."""
    name: Title
    """Full name."""
    email: Title | None = None
    """Contact address."""
    organisation: Title | None = None
    """Employer (buyer, vendor...), so readers see who depends on whom."""
    built_system: bool = False
    """True when this person helped build the system (it matters for on-call)."""


class Role(Model):
    """A role, held by exactly one named person, that specs refer to by id."""

    id: Id
    """Identifier used to refer to this role."""
    title: Title
    """Role name as people say it: 'Head of Credit Risk'."""
    holder: PersonRef | None = None
    """The person (id) who holds the role today."""
    responsibilities: list[Text] = []
    """What this role answers for."""


class RaciEntry(Model):
    """One activity in the RACI matrix: one Accountable, at least one Responsible."""

    activity: Text
    """The activity: 'approve prompt changes', 'answer pages'."""
    accountable: RoleRef
    """The one role accountable for the activity."""
    responsible: list[RoleRef] = []
    """Roles that do the work."""
    consulted: list[RoleRef] = []
    """Roles consulted before."""
    informed: list[RoleRef] = []
    """Roles informed after."""


class OnCall(Model):
    """Who answers when the system fails at 3 a.m."""

    rotation: list[PersonRef] = []
    """People (ids) on the rotation."""
    hours: Text | None = None
    """Coverage, e.g. '24x7' or 'business hours CET'."""
    response_target: Duration | None = None
    """Time to acknowledge a page."""
    paging_tool: Text | None = None
    """Where pages go: PagerDuty, Opsgenie..."""


class ReviewRhythm(Model):
    """The operating rhythm after launch."""

    evaluation_review: Cadence | None = None
    """How often evaluation results are reviewed (weekly is the norm)."""
    regression_review: Cadence | None = None
    """How often regressions are worked (monthly is the norm)."""
    model_refresh: Cadence | None = None
    """How often the model is refreshed (quarterly is the norm)."""


class Ownership(Model):
    """Named owners, on-call and operating rhythm."""

    accountable: RoleRef
    """The one role accountable for the workflow in production."""
    business_owner: RoleRef | None = None
    """Role owning the business outcome."""
    technical_owner: RoleRef | None = None
    """Role owning technical performance."""
    adoption_owner: RoleRef | None = None
    """Role owning process adoption by users."""
    sponsor: RoleRef | None = None
    """Role of the business sponsor who funds it."""
    budget_holder: Text | None = None
    """The business unit whose budget pays for it."""
    on_call: OnCall | None = None
    """On-call rotation."""
    review_rhythm: ReviewRhythm | None = None
    """Operating rhythm."""
    raci: list[RaciEntry] = []
    """Who is responsible, accountable, consulted, informed, per activity."""


class Metric(Model):
    """The single outcome metric."""

    name: Title
    """What is measured."""
    unit: Text
    """Unit of measure: minutes, %, EUR..."""
    baseline: float | None = None
    """Value before the system."""
    target: float | None = None
    """Value the programme commits to."""
    direction: Direction = Direction.increase
    """Whether higher or lower is better."""


class UnitCost(Model):
    """What one transaction costs."""

    amount: Annotated[float, Field(ge=0)]
    """Cost of one transaction."""
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")]
    """ISO 4217 currency code."""
    per: Text
    """What a transaction is: 'application', 'ticket'."""


class Signature(Model):
    """A dated sign-off by a role."""

    role: RoleRef
    """The role that signed."""
    date: dt.date
    """When it was signed."""


class Scorecard(Model):
    """The programme's outcome in one number, with a stop condition."""

    metric: Metric
    """The outcome metric."""
    review_cadence: Cadence | None = None
    """How often the scorecard is reviewed."""
    stop_condition: Text | None = None
    """The written circumstances under which the programme is rescoped or stopped."""
    unit_cost: UnitCost | None = None
    """Cost per transaction."""
    signed_by: list[Signature] = []
    """Sponsor and finance sign-off."""
