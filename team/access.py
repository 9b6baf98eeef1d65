"""Access control: the generic parts every app's ``access.py`` builds on, and the team's own object kinds.

Every view, API endpoint and service asks the ``access`` module of the app that owns the object kind:
``inventory.access`` for datasets, ``quality.access`` for quality results, ``goals.access`` for goals and measures,
this module for departments, people and program-wide capabilities. One naming scheme throughout:

* ``Actor.can_<verb>()``: a program-wide capability (manage people, manage structure...), no object involved;
* ``can_<verb>(actor)`` in an app's ``access``: a capability of that app, no object involved (define goals, open
  the quality pages); decided from the roles alone, no query;
* ``<KINDS>``: the :class:`ScopedPolicy` of one object kind (who reads, who writes, what is public), and
  ``<KIND>_OF_<OTHERS>`` the same policy seen from another model (:meth:`ScopedPolicy.seen_from`: a department, a
  dataset), declared beside it;
* ``<kinds>_readable_by(actor, queryset=None)`` / ``<kinds>_writable_by(...)``: a queryset narrowed in SQL;
* ``can_<verb>_<kind>(actor, obj, ...)``: a yes or no about one object, decided in memory where it can be
  (:meth:`ScopedPolicy.allows`);
* ``get_<kind>_for_user(user, <lookup>, *, write=False)``: the object, or 404 (missing, or not readable: its
  existence never leaks) or 403 (readable, not writable). Built on :func:`get_object_for_user`.

Services that change state take the acting user (``by``) and enforce these rules themselves (:func:`enforce`), so
a web form, the API and an import cannot disagree; views ask first only to choose what to show.

Two layers:

* :class:`Actor` is what a signed-in user may do, read once per request from their current role assignments.
  Program-wide capabilities (manage people, manage structure, edit program content) are methods on it.
* :class:`ScopedPolicy` says who reads and who writes one kind of department-owned object (datasets, action items,
  measure commentary, budget lines...). Its ``readable`` and ``writable`` narrow a queryset in SQL, joining
  through the object's department (and the department's portfolio), so scoping costs one query, never a loop.
  :func:`get_object_for_user` turns that into the 404 / 403 every view needs.

The matrix (the README repeats it for people):

=====================  ===================================================================================
principal, Stat lead   read everything; manage the team and program settings
Stat analyst           read everything; create and edit program content anywhere; manage people and roles
department lead        read their department's non-public items; update its action items and commentary
department contact     read the inventory; edit their own department's dataset metadata
budget analyst         read everything in their portfolio; edit its budget lines
data expert            read the inventory and quality results
seats at the table     read the program (sessions, memos, measures); change nothing
the public             public pages only
=====================  ===================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404

from core.models import Job

from .models import DEPARTMENT_ROLES, PORTFOLIO_ROLES, PROGRAM_ROLES, Department, Person, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    #: Whoever a request comes from (``request.user``): a login, or a visitor without one.
    Visitor = User | AnonymousUser

ANONYMOUS_ACTOR_KEY = "_statprogram_actor"


@dataclass(frozen=True)
class Actor:
    """A user's standing in the program today. Anonymous visitors get an Actor with no roles."""

    user_id: int | None = None
    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    lead_department_ids: frozenset[int] = frozenset()
    contact_department_ids: frozenset[int] = frozenset()
    expert_department_ids: frozenset[int] = frozenset()
    portfolio_ids: frozenset[int] = frozenset()
    #: Their Person, when they hold a role (a dataset's steward is a Person: see ``quality.access``).
    person_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    # --- who they are ---------------------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(role in self.roles for role in roles)

    @property
    def is_program_staff(self) -> bool:
        """Principal, Stat lead or Stat analyst (or a superuser): they read everything."""
        return self.has_role(*PROGRAM_ROLES)

    @property
    def has_any_role(self) -> bool:
        return self.is_superuser or bool(self.roles)

    # --- program-wide capabilities -------------------------------------------------------------------------
    def can_view_team(self) -> bool:
        """The roster and people's contact details: anyone who holds a role in the program."""
        return self.has_any_role

    def can_manage_people(self) -> bool:
        """Add and edit people, assign and end roles (program roles need :meth:`can_grant_role` too)."""
        return self.has_role(Role.PRINCIPAL, Role.STAT_LEAD, Role.STAT_ANALYST)

    def can_grant_role(self, role: str) -> bool:
        """Analysts may staff departments and portfolios; only a principal or Stat lead grants program roles,
        so nobody can raise themselves to Stat lead."""
        if role in PROGRAM_ROLES:
            return self.has_role(Role.PRINCIPAL, Role.STAT_LEAD)
        return self.can_manage_people()

    def can_edit_person(self, roles: Iterable[str], *, admin_login: bool = False) -> bool:
        """Edit one person's details. Their email is where their password-reset link goes, so only someone who
        could grant every role they hold may change it (an analyst cannot take over the Stat lead's login), and
        only a superuser may edit someone whose login opens the admin."""
        if not self.can_manage_people() or not all(self.can_grant_role(role) for role in roles):
            return False
        return not admin_login or self.is_superuser

    def can_manage_structure(self) -> bool:
        """Departments, portfolios and program settings."""
        return self.has_role(Role.PRINCIPAL, Role.STAT_LEAD)

    def can_edit_program_content(self) -> bool:
        """Create and edit program content anywhere (datasets, goals, sessions, memos)."""
        return self.has_role(Role.STAT_LEAD, Role.STAT_ANALYST)

    def can_view_gaps(self) -> bool:
        return self.can_manage_people()


ANONYMOUS = Actor()


def actor_for(user: Visitor | None) -> Actor:
    """The :class:`Actor` for ``user``, read with one query and kept on the user object for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, ANONYMOUS_ACTOR_KEY, None)
    if cached is not None:
        return cached
    rows = RoleAssignment.objects.current().filter(person__user=user, person__active=True)
    actor = _actor_from(rows, user_id=user.pk, is_superuser=user.is_superuser and user.is_active)
    setattr(user, ANONYMOUS_ACTOR_KEY, actor)
    return actor


def actor_for_person(person) -> Actor:
    """What ``person`` may do today, with or without a login: for what is sent to them rather than asked for (an
    email's recipient). One query (two when their login is not loaded); an inactive person holds no role."""
    user = person.user if person.user_id else None
    is_superuser = bool(user and user.is_superuser and user.is_active)
    rows = RoleAssignment.objects.current().filter(person=person, person__active=True)
    actor = _actor_from(rows, user_id=person.user_id, is_superuser=is_superuser)
    return replace(actor, person_id=person.pk)


def _actor_from(rows: QuerySet[RoleAssignment], *, user_id: int | None, is_superuser: bool) -> Actor:
    roles, leads, contacts, experts, portfolios, people = set(), set(), set(), set(), set(), set()
    for role, department_id, portfolio_id, person_id in rows.values_list(
        "role", "department_id", "portfolio_id", "person_id"
    ):
        people.add(person_id)
        roles.add(role)
        if role == Role.DEPARTMENT_LEAD:
            leads.add(department_id)
        elif role == Role.DEPARTMENT_CONTACT:
            contacts.add(department_id)
        elif role == Role.DATA_EXPERT and department_id:
            experts.add(department_id)
        elif role == Role.BUDGET_ANALYST:
            portfolios.add(portfolio_id)
    return Actor(
        user_id=user_id,
        is_superuser=is_superuser,
        roles=frozenset(roles),
        lead_department_ids=frozenset(leads),
        contact_department_ids=frozenset(contacts),
        expert_department_ids=frozenset(experts),
        portfolio_ids=frozenset(portfolios),
        person_id=next(iter(people), None),  # a login is one person's
    )


def forget_actor(user: Visitor | None) -> None:
    """Drop the cached Actor after the user's roles change within one request."""
    if user is not None and hasattr(user, ANONYMOUS_ACTOR_KEY):
        delattr(user, ANONYMOUS_ACTOR_KEY)


# --- per-object-kind policies ----------------------------------------------------------------------------------


class Scope(NamedTuple):
    """Where an object sits, for :meth:`ScopedPolicy.allows` when no model instance is at hand (or when the object
    has several owner departments, as a goal does): its departments, their portfolios, and whether it is public."""

    department_ids: frozenset[int] = frozenset()
    portfolio_ids: frozenset[int] = frozenset()
    public: bool = False


def _attribute_path(obj: Any, path: str) -> Any:
    """``obj`` followed along an ORM path (``"dataset__department"``); ``None`` when a link is empty."""
    for name in path.split("__") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _matches(q: Q, obj: Any) -> bool:
    """Whether ``obj`` satisfies ``q``, evaluated in memory. Only exact and ``__in`` lookups, which is all a
    policy's ``public_q`` uses (``Q(public=True, goal__public=True)``)."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(_matches(child, obj))
            continue
        lookup, expected = child  # type: ignore[misc]  # a Q's leaves are (lookup, value) pairs
        if lookup.endswith("__in"):
            results.append(_attribute_path(obj, lookup[: -len("__in")]) in expected)
        elif lookup.endswith("__exact"):
            results.append(_attribute_path(obj, lookup[: -len("__exact")]) == expected)
        else:
            results.append(_attribute_path(obj, lookup) == expected)
    result = any(results) if q.connector == Q.OR else all(results)
    return not result if q.negated else result


def _own_department_ids(actor: Actor, roles: frozenset[str]) -> set[int]:
    """The departments whose objects ``actor`` reaches through ``roles`` they hold for one department."""
    own: set[int] = set()
    if Role.DEPARTMENT_LEAD in roles:
        own |= actor.lead_department_ids
    if Role.DEPARTMENT_CONTACT in roles:
        own |= actor.contact_department_ids
    if Role.DATA_EXPERT in roles:
        own |= actor.expert_department_ids
    return own


@dataclass(frozen=True)
class ScopedPolicy:
    """Who reads and who writes one kind of department-owned object.

    ``department_field`` is the ORM path from the object to its Department (``""`` for a Department itself);
    ``public_q`` the condition that makes an object readable by everyone, anonymous visitors too.
    Role sets say who reads or writes every object (``*_all``), those of departments they lead or curate
    (``*_own_department``), or those of their portfolio's departments (``*_portfolio``).
    """

    name: str
    department_field: str
    public_q: Q | None = None
    read_all: frozenset[str] = frozenset(PROGRAM_ROLES)
    read_own_department: frozenset[str] = frozenset()
    read_portfolio: frozenset[str] = frozenset()
    write_all: frozenset[str] = frozenset({Role.STAT_LEAD, Role.STAT_ANALYST})
    write_own_department: frozenset[str] = frozenset()
    write_portfolio: frozenset[str] = frozenset()

    def _department_lookup(self, suffix: str) -> str:
        return f"{self.department_field}__{suffix}" if self.department_field else suffix

    def _scope_q(self, actor: Actor, *, all_roles, own_roles, portfolio_roles) -> Q | None:
        """``None`` means every object; an empty ``Q(pk__in=[])`` means none."""
        if actor.has_role(*all_roles):
            return None
        q = Q(pk__in=[])
        own_ids = _own_department_ids(actor, own_roles)
        if own_ids:
            q |= Q(**{self._department_lookup("id__in"): sorted(own_ids)})
        if actor.portfolio_ids and Role.BUDGET_ANALYST in portfolio_roles:
            q |= Q(**{self._department_lookup("portfolio_id__in"): sorted(actor.portfolio_ids)})
        return q

    def read_q(self, actor: Actor) -> Q | None:
        q = self._scope_q(
            actor,
            all_roles=self.read_all | self.write_all,
            own_roles=self.read_own_department | self.write_own_department,
            portfolio_roles=self.read_portfolio | self.write_portfolio,
        )
        if q is not None and self.public_q is not None:
            q |= self.public_q
        return q

    def write_q(self, actor: Actor) -> Q | None:
        if not actor.is_authenticated:
            return Q(pk__in=[])
        return self._scope_q(
            actor,
            all_roles=self.write_all,
            own_roles=self.write_own_department,
            portfolio_roles=self.write_portfolio,
        )

    def seen_from(self, name: str, *, department_field: str, public_q: Q | None = None) -> ScopedPolicy:
        """The same rule about the same objects, reached from another model: ``department_field`` is the path from
        that model to the Department (``""`` for a Department itself), ``public_q`` what is public seen from it
        (none by default: "may this actor read this kind of object of that department?" has no public part)."""
        return replace(self, name=name, department_field=department_field, public_q=public_q)

    def reads_every(self, actor: Actor) -> bool:
        """Whether ``actor`` reads every object of this kind, whatever its department: no query."""
        return actor.has_role(*(self.read_all | self.write_all))

    def reads_some(self, actor: Actor) -> bool:
        """Whether ``actor`` reads any object of this kind beyond the public ones (a menu item, an index page), for
        their role alone: no query."""
        if self.reads_every(actor):
            return True
        if _own_department_ids(actor, self.read_own_department | self.write_own_department):
            return True
        return bool(actor.portfolio_ids) and Role.BUDGET_ANALYST in (self.read_portfolio | self.write_portfolio)

    def read_expression(self, actor: Actor) -> ExpressionWrapper | Value:
        """Whether ``actor`` reads each row's object, as a SQL boolean to annotate a queryset with (``Value(True)``
        for those who read every object)."""
        q = self.read_q(actor)
        return Value(True) if q is None else ExpressionWrapper(q, output_field=BooleanField())

    def readable(self, actor: Actor, queryset: QuerySet) -> QuerySet:
        q = self.read_q(actor)
        return queryset if q is None else queryset.filter(q)

    def writable(self, actor: Actor, queryset: QuerySet) -> QuerySet:
        q = self.write_q(actor)
        return queryset if q is None else queryset.filter(q)

    def _scope_of(self, obj: Any, *, public: bool = True) -> Scope:
        """The departments, portfolios and (unless ``public`` is false: a write never depends on it) public flag of
        a model instance, read from its loaded relations (the department, and its portfolio only when asked for)."""
        if isinstance(obj, Scope):
            return obj
        if self.department_field and not _is_single_valued(type(obj), self.department_field):
            raise TypeError(f"{self.name}: an object with several departments needs a Scope, not the instance")
        department = _attribute_path(obj, self.department_field) if self.department_field else obj
        is_public = public and self.public_q is not None and _matches(self.public_q, obj)
        if department is None:
            return Scope(public=is_public)
        return Scope(
            department_ids=frozenset({department.pk}),
            portfolio_ids=frozenset({department.portfolio_id}) if department.portfolio_id else frozenset(),
            public=is_public,
        )

    def allows(self, actor: Actor, obj_or_scope: Any, *, write: bool = False) -> bool:
        """May ``actor`` read (or, with ``write``, write) this object? Decided in memory, without a query when the
        object's department (and, for budget analysts, the department's portfolio) is loaded; a :class:`Scope`
        says the same for an object with several departments or none at hand. Agrees with :meth:`read_q` and
        :meth:`write_q`, which say it in SQL."""
        if write and not actor.is_authenticated:
            return False
        if write:
            all_roles, own_roles, portfolio_roles = self.write_all, self.write_own_department, self.write_portfolio
        else:
            all_roles = self.read_all | self.write_all
            own_roles = self.read_own_department | self.write_own_department
            portfolio_roles = self.read_portfolio | self.write_portfolio
        if actor.has_role(*all_roles):
            return True
        own = _own_department_ids(actor, own_roles)
        needs_portfolio = bool(actor.portfolio_ids) and Role.BUDGET_ANALYST in portfolio_roles
        if not own and not needs_portfolio and (write or self.public_q is None):
            return False  # nothing about the object can change the answer: no need to look at it
        scope = self._scope_of(obj_or_scope, public=not write)
        if own & scope.department_ids:
            return True
        if needs_portfolio and actor.portfolio_ids & scope.portfolio_ids:
            return True
        return not write and scope.public

    def can_create_in(self, actor: Actor, department_id: int | None) -> bool:
        """May ``actor`` create an object of this kind owned by ``department_id``?"""
        if not actor.is_authenticated:
            return False
        if actor.has_role(*self.write_all):
            return True
        if department_id is None:
            return False
        own: set[int] = set()
        if Role.DEPARTMENT_LEAD in self.write_own_department:
            own |= actor.lead_department_ids
        if Role.DEPARTMENT_CONTACT in self.write_own_department:
            own |= actor.contact_department_ids
        if department_id in own:
            return True
        if actor.portfolio_ids and Role.BUDGET_ANALYST in self.write_portfolio:
            return Department.objects.filter(pk=department_id, portfolio_id__in=actor.portfolio_ids).exists()
        return False


_M = TypeVar("_M", bound=Model)


def get_object_for_user(
    policy: ScopedPolicy, user: Visitor, queryset: QuerySet[_M], *, write: bool = False, **lookup: Any
) -> _M:
    """The object matching ``lookup`` if ``user`` may read it (and write it, with ``write``).

    Raises 404 when it does not exist or the user may not read it (so its existence does not leak), and 403
    when the user may read it but not write it.
    """
    actor = actor_for(user)
    try:
        obj = policy.readable(actor, queryset).get(**lookup)
    except ObjectDoesNotExist as exc:  # the model's DoesNotExist
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc
    if write and not _writes(policy, actor, obj):
        raise PermissionDenied(f"You may read this {queryset.model._meta.verbose_name} but not change it.")
    return obj


def _writes(policy: ScopedPolicy, actor: Actor, obj: Model) -> bool:
    """Whether ``actor`` writes ``obj``: in memory, unless its departments are many (then one query)."""
    if policy.department_field and not _is_single_valued(type(obj), policy.department_field):
        return policy.writable(actor, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    return policy.allows(actor, obj, write=True)


def _is_single_valued(model: type[Model], path: str) -> bool:
    """Whether the ORM ``path`` from ``model`` follows only foreign keys and one-to-ones (one object at its end)."""
    current: type[Model] | None = model
    for name in path.split("__"):
        if current is None:
            return False
        relation = current._meta.get_field(name)
        if relation.many_to_many or relation.one_to_many:
            return False
        current = relation.related_model if isinstance(relation.related_model, type) else None
    return True


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    """Raise 403 unless ``allowed``: the one-line guard views use for program-wide capabilities."""
    if not allowed:
        raise PermissionDenied(message)


def enforce(by: Visitor | None, allowed: Callable[[Actor], bool], message: str) -> None:
    """The guard services use: raise 403 unless the acting user ``by`` passes ``allowed`` (a rule on their
    :class:`Actor`). ``by=None`` is the system itself (management commands, seeding, Celery tasks), which the
    callers that pass it vouch for."""
    if by is not None and not allowed(actor_for(by)):
        raise PermissionDenied(message)


def enforce_system(by: object, message: str) -> None:
    """The guard of a service only the system runs (the schedule, the worker, deliveries): its ``by`` is typed
    ``None``, and a user passed anyway is refused with ``PermissionDenied``."""
    if by is not None:
        raise PermissionDenied(message)


def roles_in(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(str(r) for r in roles)


# --- the team's own object kinds: people and their roles; departments and portfolios ------------------------------
#
# People are not department-owned: everyone with a role reads the team (:meth:`Actor.can_view_team`); the Stat team
# manages people (:meth:`Actor.can_manage_people`) and the principal and Stat lead the structure
# (:meth:`Actor.can_manage_structure`). What one person's page offers depends on the roles they hold:


def held_roles(person) -> list[str]:
    """The roles ``person`` holds today or is due to hold: every assignment not yet ended (one query). A role that
    starts next month counts, because whoever changes the person's email now receives the password reset that opens
    that role's account on its first day."""
    return list(person.assignments.not_ended().values_list("role", flat=True))


def has_admin_login(person) -> bool:
    """Whether ``person``'s login opens Django's admin (their user is read if it is not loaded)."""
    return bool(person.user_id and (person.user.is_staff or person.user.is_superuser))


def can_edit_person(actor: Actor, person, *, roles: Iterable[str] | None = None) -> bool:
    """May ``actor`` change ``person``'s details (name, email, phone, department, login)? Only someone who could
    grant every role they hold or are due to hold (:func:`held_roles`: their email is where their password-reset
    link goes), and only a superuser for someone whose login opens the admin. ``roles`` saves the query when the
    caller has them (every role not yet ended)."""
    held = held_roles(person) if roles is None else list(roles)
    return actor.can_edit_person(held, admin_login=has_admin_login(person))


def can_edit_login(actor: Actor, user) -> bool:
    """May ``actor`` change the login ``user`` (its email, its name, its password) or link it to a person? The same
    rule as :func:`can_edit_person`, for the person the login belongs to (a login of nobody's holds no role); only
    a superuser for a login that opens the admin."""
    person = Person.objects.filter(user=user).first()
    held = held_roles(person) if person is not None else []
    return actor.can_edit_person(held, admin_login=user.is_staff or user.is_superuser)


def can_change_role(actor: Actor, role: str) -> bool:
    """May ``actor`` assign or end an assignment of ``role``?"""
    return actor.can_manage_people() and actor.can_grant_role(role)


DEPARTMENT_ROLE_VALUES = roles_in(DEPARTMENT_ROLES)
PORTFOLIO_ROLE_VALUES = roles_in(PORTFOLIO_ROLES)


# --- background jobs -------------------------------------------------------------------------------------------


def can_see_job(actor: Actor, job: Job) -> bool:
    """A job (a harvest, an import: ``core.models.Job``) and its input are seen by the person who started it and by
    the Stat lead, no one else."""
    return actor.is_authenticated and (job.actor_id == actor.user_id or actor.has_role(Role.STAT_LEAD))


def get_job_for_user(user, pk: int, *, kind: str) -> Job:
    """The job ``pk`` of ``kind``, or 404 (missing, another kind, or not the user's to see: its existence never
    leaks). Its input is not read."""
    job = Job.objects.defer("payload").filter(pk=pk, kind=kind).first()
    if job is None or not can_see_job(actor_for(user), job):
        raise Http404("No such job.")
    return job
