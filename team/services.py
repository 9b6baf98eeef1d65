"""Actions that change the team. Views, the API, the admin and management commands all call these.

Each takes the acting user (``by``; ``None`` for the system: seeding and commands) and refuses, with
``PermissionDenied``, what ``team.access`` does not let them do, so every entry point obeys the same rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from .access import can_change_role, can_edit_login, can_edit_person, enforce
from .models import (
    DEPARTMENT_ROLES,
    OPTIONAL_DEPARTMENT_ROLES,
    PORTFOLIO_ROLES,
    Department,
    Person,
    Portfolio,
    Role,
    RoleAssignment,
)
from .signals import send_portfolio_coverage_changed

ONLY_STRUCTURE_MANAGERS = "Only a principal or Stat lead changes the program’s departments and portfolios."
ONLY_PEOPLE_MANAGERS = "Only the Stat team adds and edits people."


def _manages_structure(by: User | None) -> None:
    enforce(by, lambda actor: actor.can_manage_structure(), ONLY_STRUCTURE_MANAGERS)


class _Unchanged:
    """The default of an optional field an update leaves as it is (where ``None`` is a value: no parent)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def _given(**fields) -> dict:
    """The fields an update was given (those not left :data:`UNCHANGED`)."""
    return {name: value for name, value in fields.items() if not isinstance(value, _Unchanged)}


#: Slugs that would collide with a page's own address (``/team/departments/add/``).
RESERVED_SLUGS = frozenset({"add"})


def _unique_slug(model, base: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:100] or "item"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_department_unique(department: Department) -> None:
    """Names are unique whatever their case; codes are stored upper-cased, so they are too."""
    others = Department.objects.exclude(pk=department.pk)
    errors: dict[str, str] = {}
    if department.name and others.filter(name__iexact=department.name).exists():
        errors["name"] = f"Another department is already called {department.name}."
    if department.code and others.filter(code__iexact=department.code).exists():
        errors["code"] = f"Another department already uses the short code {department.code}."
    if errors:
        raise ValidationError(errors)


def _check_portfolio_unique(portfolio: Portfolio) -> None:
    if portfolio.name and Portfolio.objects.exclude(pk=portfolio.pk).filter(name__iexact=portfolio.name).exists():
        raise ValidationError({"name": f"Another portfolio is already called {portfolio.name}."})


def _save_unique(obj, what: str) -> None:
    """Save ``obj``; a concurrent request that took the same name or code first gets a clear error, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(f"Another {what} with this name or short code was saved just now. Try again.") from exc


@transaction.atomic
def department_create(
    *,
    by: User | None,
    name: str,
    code: str,
    slug: str = "",
    parent: Department | None = None,
    portfolio: Portfolio | None = None,
    description: str = "",
    contact_email: str = "",
    active: bool = True,
) -> Department:
    """Create a department (or a division of ``parent``) with a unique slug derived from its name.

    Guarantees: the name (whatever its case) and the upper-cased short code belong to no other department; the
    slug never collides with another department's or with a page's address; the contact mailbox is stored
    lower-cased.
    """
    _manages_structure(by)
    department = Department(
        name=name.strip(),
        code=code.strip().upper(),
        slug=slug or _unique_slug(Department, name),
        parent=parent,
        portfolio=portfolio,
        description=description,
        contact_email=_clean_email(contact_email),
        active=active,
    )
    _check_department_unique(department)
    department.full_clean()
    _save_unique(department, "department")
    return department


@transaction.atomic
def department_update(
    *,
    department: Department,
    by: User | None,
    name: str | _Unchanged = UNCHANGED,
    code: str | _Unchanged = UNCHANGED,
    parent: Department | None | _Unchanged = UNCHANGED,
    portfolio: Portfolio | None | _Unchanged = UNCHANGED,
    description: str | _Unchanged = UNCHANGED,
    contact_email: str | _Unchanged = UNCHANGED,
    active: bool | _Unchanged = UNCHANGED,
) -> Department:
    """Change a department's fields (those given; the others stay); a department can be neither its own parent nor
    its own division's.

    The slug stays as it is, so links to the department keep working after a rename. On a ValidationError the
    instance still carries the refused values: reload it before showing it.
    """
    _manages_structure(by)
    fields = _given(
        name=name,
        code=code,
        parent=parent,
        portfolio=portfolio,
        description=description,
        contact_email=contact_email,
        active=active,
    )
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    if "contact_email" in fields:
        fields["contact_email"] = _clean_email(fields["contact_email"])
    portfolio_before = department.portfolio_id
    for field, value in fields.items():
        setattr(department, field, value)
    ancestor = department.parent
    while ancestor is not None:
        if ancestor.pk == department.pk:
            raise ValidationError({"parent": "A department cannot be a division of itself or of its own divisions."})
        ancestor = ancestor.parent
    _check_department_unique(department)
    department.full_clean()
    _save_unique(department, "department")
    if department.portfolio_id != portfolio_before:
        send_portfolio_coverage_changed([department.pk])
    return department


@transaction.atomic
def portfolio_create(*, by: User | None, name: str, description: str = "", slug: str = "") -> Portfolio:
    """Create a portfolio whose name (whatever its case) no other portfolio has, with a slug derived from it."""
    _manages_structure(by)
    portfolio = Portfolio(name=name.strip(), slug=slug or _unique_slug(Portfolio, name), description=description)
    _check_portfolio_unique(portfolio)
    portfolio.full_clean()
    _save_unique(portfolio, "portfolio")
    return portfolio


@transaction.atomic
def portfolio_update(*, portfolio: Portfolio, by: User | None, name: str, description: str) -> Portfolio:
    """Rename a portfolio or change its description; the slug stays, so links keep working."""
    _manages_structure(by)
    portfolio.name = name.strip()
    portfolio.description = description
    _check_portfolio_unique(portfolio)
    portfolio.full_clean()
    _save_unique(portfolio, "portfolio")
    return portfolio


@transaction.atomic
def portfolio_set_departments(*, portfolio: Portfolio, by: User | None, departments: Iterable[Department]) -> Portfolio:
    """Make ``departments`` exactly the departments of ``portfolio`` (a department sits in one portfolio, so one
    taken from another portfolio leaves it).

    Each department that moves is saved on its own, so its history records the move (a bulk ``update`` would not).
    """
    _manages_structure(by)
    ids = {d.pk for d in departments}
    leaving = Q(portfolio=portfolio) & ~Q(pk__in=ids)
    joining = Q(pk__in=ids) & ~Q(portfolio=portfolio)  # from another portfolio or from none
    moved = []
    for department in Department.objects.select_for_update().filter(leaving | joining).order_by("pk"):
        department.portfolio = portfolio if department.pk in ids else None
        department.save(update_fields=["portfolio", "updated_at"])
        moved.append(department.pk)
    send_portfolio_coverage_changed(moved)
    return portfolio


def _may_edit_person(by: User | None, person: Person) -> None:
    enforce(
        by,
        lambda actor: actor.can_manage_people() and can_edit_person(actor, person),
        f"You may not edit {person}: they hold a role you cannot grant.",
    )


def _may_link_login(by: User | None, user: User | None) -> None:
    """A login linked to a person follows their email: linking one is editing the login
    (:func:`team.access.can_edit_login`)."""
    if user is not None:
        enforce(
            by,
            lambda actor: can_edit_login(actor, user),
            f"You may not link the login {user.username}: it opens the admin or belongs to someone you may not edit.",
        )


def _clean_email(email: str) -> str:
    return (email or "").strip().lower()


@transaction.atomic
def person_create(
    *,
    by: User | None,
    full_name: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    department: Department | None = None,
    user: User | None = None,
) -> Person:
    """Add a person to the program. Email addresses are unique among people (case-insensitively); a login linked to
    them must be one ``by`` may edit (:func:`team.access.can_edit_login`)."""
    enforce(by, lambda actor: actor.can_manage_people(), ONLY_PEOPLE_MANAGERS)
    _may_link_login(by, user)
    email = _clean_email(email)
    if email and Person.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone in the program already has this email address."})
    person = Person(
        full_name=full_name.strip(), title=title.strip(), email=email, phone=phone.strip(), department=department
    )
    person.user = user
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    by: User | None,
    full_name: str | _Unchanged = UNCHANGED,
    title: str | _Unchanged = UNCHANGED,
    email: str | _Unchanged = UNCHANGED,
    phone: str | _Unchanged = UNCHANGED,
    department: Department | None | _Unchanged = UNCHANGED,
    active: bool | _Unchanged = UNCHANGED,
    user: User | None | _Unchanged = UNCHANGED,
) -> Person:
    """Change a person's details (the fields given; the others stay). Changing the email of a person with a login
    changes their login email too. Refused unless ``by`` could grant every role the person holds or is due to hold
    (:func:`team.access.can_edit_person`): their email is where their password-reset link goes; and a login linked
    to them must be one ``by`` may edit (:func:`team.access.can_edit_login`)."""
    _may_edit_person(by, person)
    fields = _given(
        full_name=full_name, title=title, email=email, phone=phone, department=department, active=active, user=user
    )
    if fields.get("user") is not None and fields["user"].pk != person.user_id:
        _may_link_login(by, fields["user"])
    if "email" in fields:
        fields["email"] = _clean_email(fields["email"])
        if fields["email"] and Person.objects.filter(email__iexact=fields["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": "Someone in the program already has this email address."})
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    if person.user_id and "email" in fields and person.email:
        User.objects.filter(pk=person.user_id).update(email=person.email)
    return person


@transaction.atomic
def person_give_login(*, person: Person, by: User | None, username: str = "", password: str | None = None) -> User:
    """Create a login for ``person`` (if they have none) and return it.

    Without a password the login gets an unusable one: the person sets theirs through the reset-by-email link.
    Refused unless ``by`` may edit the person (:func:`team.access.can_edit_person`).
    """
    _may_edit_person(by, person)
    if person.user is not None:
        return person.user
    if not person.email:
        raise ValidationError({"email": "A person needs an email address before they can be given a login."})
    username = username or person.email
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"email": f"A login named {username} already exists."})
    first, _, last = person.full_name.partition(" ")
    user = User(username=username, email=person.email, first_name=first[:150], last_name=last[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


def _check_scope(role: str, department: Department | None, portfolio: Portfolio | None, speciality: str) -> None:
    errors: dict[str, str] = {}
    if role in DEPARTMENT_ROLES and department is None:
        errors["department"] = f"A {Role(role).label.lower()} is assigned to a department: choose one."
    if role in PORTFOLIO_ROLES and portfolio is None:
        errors["portfolio"] = "A budget analyst is assigned to a portfolio: choose one."
    if role not in DEPARTMENT_ROLES | OPTIONAL_DEPARTMENT_ROLES and department is not None:
        errors["department"] = f"A {Role(role).label.lower()} is not assigned to a department."
    if role not in PORTFOLIO_ROLES and portfolio is not None:
        errors["portfolio"] = f"A {Role(role).label.lower()} is not assigned to a portfolio."
    if role == Role.DATA_EXPERT and not speciality:
        errors["speciality"] = "Choose the data expert's speciality."
    if role != Role.DATA_EXPERT and speciality:
        errors["speciality"] = "Only data experts have a speciality."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def role_assign(
    *,
    person: Person,
    role: str,
    by: User | None,
    department: Department | None = None,
    portfolio: Portfolio | None = None,
    speciality: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> RoleAssignment:
    """Give ``person`` a role (for a department or portfolio where the role calls for one).

    Guarantees: the scope matches the role; a person never holds the same open role for the same scope twice
    (a clear error, not a duplicate); the assignment's history records who made it.
    """
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    enforce(by, lambda actor: can_change_role(actor, role), f"You may not grant the {Role(role).label.lower()} role.")
    _check_scope(role, department, portfolio, speciality)
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "A role cannot end before it starts."})
    duplicate = RoleAssignment.objects.filter(
        person=person, role=role, department=department, portfolio=portfolio, ends_on__isnull=True
    )
    if duplicate.exists():
        scope = department or portfolio
        raise ValidationError(
            f"{person} is already {Role(role).label.lower()}" + (f" of {scope}" if scope else "") + "."
        )
    assignment = RoleAssignment(
        person=person,
        role=role,
        department=department,
        portfolio=portfolio,
        speciality=speciality,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=by,
    )
    assignment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent request assigned the same role first
        raise ValidationError(f"{person} already holds this role.") from exc
    if portfolio is not None:
        send_portfolio_coverage_changed(portfolio.departments.values_list("pk", flat=True))
    return assignment


@transaction.atomic
def role_end(*, assignment: RoleAssignment, by: User | None, ends_on: datetime.date | None = None) -> RoleAssignment:
    """End a role assignment on ``ends_on`` (today by default), keeping it in the roster's history.

    Ending an already-ended assignment is refused; the end date cannot precede the start date; only someone who
    may grant the role ends it.
    """
    enforce(
        by,
        lambda actor: can_change_role(actor, assignment.role),
        f"You may not end a {Role(assignment.role).label.lower()} role.",
    )
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    ends_on = ends_on or timezone.localdate()
    if assignment.ends_on is not None and assignment.ends_on <= timezone.localdate():
        raise ValidationError("This role has already ended.")
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": "A role cannot end before it starts."})
    assignment.ends_on = ends_on
    assignment.ended_by = by
    assignment.save(update_fields=["ends_on", "ended_by"])
    if assignment.portfolio_id is not None:
        send_portfolio_coverage_changed(
            Department.objects.filter(portfolio_id=assignment.portfolio_id).values_list("pk", flat=True)
        )
    return assignment
