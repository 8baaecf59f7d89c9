"""Identity and scope: what the workflow is for, where it stops, and the
systems of record it is integrated into (``intent``, ``integrations``)."""

from __future__ import annotations

from enum import Enum

from specgen.spec.schema.base import Model, Text


class PathKind(str, Enum):
    """Whether the path from input to output is known in advance."""

    automation = "automation"
    agent = "agent"
    hybrid = "hybrid"


class IntegrationAccess(str, Enum):
    """How the workflow uses a system of record."""

    read = "read"
    write = "write"
    read_write = "read_write"


class Integration(Model):
    """A system of record the workflow reads from or writes to."""

    system: Text
    """System name: 'Salesforce', 'SAP S/4', 'ServiceNow'."""
    kind: Text
    """What kind of system: crm, erp, ticketing, core-banking..."""
    access: IntegrationAccess = IntegrationAccess.read
    """read, write or read_write."""


class Intent(Model):
    """Workflow intent and scope: what the system is for and where it stops."""

    objective: Text
    """The business objective in one or two sentences."""
    business_process: Text | None = None
    """The business process this workflow serves."""
    path: PathKind | None = None
    """automation (path known in advance), agent (decided at runtime) or hybrid."""
    path_rationale: Text | None = None
    """Why that choice of automation or agent."""
    inputs: list[Text] = []
    """What comes into the workflow."""
    outputs: list[Text] = []
    """What the workflow produces."""
    in_scope: list[Text] = []
    """What the system does."""
    out_of_scope: list[Text] = []
    """What the system must not be used for."""
    users: list[Text] = []
    """Who uses the outputs."""
    known_limitations: list[Text] = []
    """Known limitations a user must keep in mind."""
