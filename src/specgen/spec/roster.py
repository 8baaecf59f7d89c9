"""People and roles: the one look-up every stage shares.

A spec refers to people and roles by id; the project file holds the
organisation's, and a spec may add its own. :class:`Roster` resolves an id to
the model and to the words a reader sees. Rules, the site, the readiness
definition, approvals and history all ask it, so "who holds this role" has
one answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from specgen.spec.schema import Person, Project, Role, Spec

__all__ = ["Roster"]


class Roster:
    """The roles and people a spec can name: the project's, then the spec's own
    (a spec's entry with the same id wins)."""

    def __init__(self, project: Project, spec: Spec | None = None) -> None:
        extra_roles = spec.roles if spec is not None else ()
        extra_people = spec.people if spec is not None else ()
        self.roles: dict[str, Role] = {r.id: r for r in (*project.roles, *extra_roles)}
        self.people: dict[str, Person] = {p.id: p for p in (*project.people, *extra_people)}

    # -- models

    def role(self, role_id: str | None) -> Role | None:
        return self.roles.get(role_id) if role_id else None

    def person(self, person_id: str | None) -> Person | None:
        return self.people.get(person_id) if person_id else None

    def holder(self, role_id: str | None) -> Person | None:
        """The named person holding a role, if the role and its holder are known."""
        role = self.role(role_id)
        if role is None or role.holder is None:
            return None
        return self.people.get(role.holder)

    def holds(self, person_id: str, role_id: str) -> bool:
        """Whether the person is the role's named holder."""
        role = self.role(role_id)
        return role is not None and role.holder == person_id

    # -- words

    def person_name(self, person_id: str | None, default: str = "") -> str:
        """The person's name, else the id itself (``default`` for None)."""
        if person_id is None:
            return default
        person = self.people.get(person_id)
        return person.name if person else person_id

    def person_with_organisation(self, person_id: str | None) -> str:
        """'Name (organisation)', else the name, else the id."""
        person = self.person(person_id)
        if person is None:
            return person_id or ""
        return f"{person.name} ({person.organisation})" if person.organisation else person.name

    def role_title(self, role_id: str) -> str:
        """The role's title alone, else the id."""
        role = self.roles.get(role_id)
        return role.title if role else role_id

    def role_label(self, role_id: str) -> str:
        """``role-id (Holder Name)`` or just the id."""
        person = self.holder(role_id)
        return f"{role_id} ({person.name})" if person else role_id

    def names(self) -> dict[str, str]:
        """Person id → name, for every person."""
        return {p.id: p.name for p in self.people.values()}

    def titles(self) -> dict[str, str]:
        """Role id → title, for every role."""
        return {r.id: r.title for r in self.roles.values()}

    def titles_of(self, role_ids: Iterable[str]) -> list[str]:
        return [self.role_title(r) for r in role_ids]
