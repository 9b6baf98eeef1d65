"""The demo city: a fictional mid-size "City of Riverton" with its whole Stat team, for ``manage.py seed_demo``.

Everything here is invented. :func:`demo_city_seed` writes it through the team services and is idempotent: it keys
portfolios and departments on their slugs, people on their email addresses, role assignments on (person, role,
scope) whether current or ended, and logins on their usernames. What already exists is left exactly as it is (an
edit made in the app survives a re-seed, and an ended role is not brought back), so running it twice changes nothing.

Deliberate gaps, so that the Stat team's gaps panel has something to show:

* **Library has no department contact yet** (nobody has been named).
* **Transportation has no department lead**: its director retired on 30 September 2025; the ended assignment stays
  in the roster's history.

Demo logins (:data:`DEMO_LOGINS`, password ``settings.DEMO_PASSWORD``) are created only with ``DEBUG`` on, because
their password is published in the README.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from team.models import DataSpeciality, Department, Person, Portfolio, Role, RoleAssignment
from team.services import department_create, person_create, person_give_login, portfolio_create, role_assign

User = get_user_model()

EMAIL_DOMAIN = "riverton.example"
#: When the demo team took up its roles (a fixed date, so the data is the same on every machine).
PROGRAM_START = datetime.date(2024, 1, 8)


@dataclass(frozen=True)
class PortfolioSpec:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str
    code: str
    portfolio: str
    description: str
    parent: str = ""

    @property
    def contact_email(self) -> str:
        """The department's shared data mailbox (data.json's contact for its datasets): ``data.<slug>@...``."""
        return f"data.{self.slug}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class RoleSpec:
    role: str
    department: str = ""
    portfolio: str = ""
    speciality: str = ""
    starts_on: datetime.date = PROGRAM_START
    ends_on: datetime.date | None = None


@dataclass(frozen=True)
class PersonSpec:
    email: str
    full_name: str
    title: str
    roles: tuple[RoleSpec, ...]
    department: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LoginSpec:
    username: str
    email: str  # the person it belongs to
    role: str  # as shown in the logins table


PORTFOLIOS: tuple[PortfolioSpec, ...] = (
    PortfolioSpec(
        "public-safety",
        "Public Safety",
        "Police, Fire and Emergency Medical Services: response times, staffing and overtime, crime and fire trends.",
    ),
    PortfolioSpec(
        "public-works-transportation",
        "Public Works & Transportation",
        "Streets, sanitation, traffic and parking: the city's largest capital budgets and most 311 requests.",
    ),
    PortfolioSpec(
        "community-services",
        "Community Services",
        "Housing and code enforcement, public health, parks and the library.",
    ),
    PortfolioSpec(
        "government-operations",
        "Government Operations",
        "The departments that keep the city running: 311, finance and budget, information technology.",
    ),
)

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "police",
        "Police",
        "RPD",
        "public-safety",
        "Patrol, investigations and community policing across the city's five districts.",
    ),
    DepartmentSpec(
        "fire",
        "Fire",
        "RFD",
        "public-safety",
        "Fire suppression, prevention, inspections and hazardous-materials response from eleven stations.",
    ),
    DepartmentSpec(
        "ems",
        "Emergency Medical Services",
        "EMS",
        "public-safety",
        "Advanced life support ambulances, 911 medical triage and community paramedicine.",
    ),
    DepartmentSpec(
        "public-works",
        "Public Works",
        "DPW",
        "public-works-transportation",
        "Streets, sidewalks, solid waste and recycling, storm drains and city buildings.",
    ),
    DepartmentSpec(
        "street-maintenance",
        "Street Maintenance",
        "DPW-SM",
        "public-works-transportation",
        "Pothole repair, resurfacing, street sweeping and snow and ice response.",
        parent="public-works",
    ),
    DepartmentSpec(
        "solid-waste",
        "Solid Waste & Recycling",
        "DPW-SW",
        "public-works-transportation",
        "Weekly trash and recycling collection, bulk pickup and illegal-dumping clean-up.",
        parent="public-works",
    ),
    DepartmentSpec(
        "transportation",
        "Transportation",
        "DOT",
        "public-works-transportation",
        "Traffic signals, signs and markings, parking, and the bike and pedestrian network.",
    ),
    DepartmentSpec(
        "housing-code-enforcement",
        "Housing & Code Enforcement",
        "HCE",
        "community-services",
        "Rental licensing, housing and property-maintenance inspections, vacant and blighted properties.",
    ),
    DepartmentSpec(
        "311-customer-service",
        "311 Customer Service",
        "311",
        "government-operations",
        "The city's call centre, app and web portal for service requests and information.",
    ),
    DepartmentSpec(
        "health",
        "Health",
        "RHD",
        "community-services",
        "Disease prevention, restaurant inspections, maternal and child health, overdose response.",
    ),
    DepartmentSpec(
        "parks-recreation",
        "Parks & Recreation",
        "PRD",
        "community-services",
        "Forty-two parks, six recreation centres, pools, urban forestry and youth programmes.",
    ),
    DepartmentSpec(
        "finance-budget",
        "Finance & Budget",
        "FIN",
        "government-operations",
        "The budget office, accounting, payroll, revenue collection and procurement.",
    ),
    DepartmentSpec(
        "information-technology",
        "Information Technology",
        "IT",
        "government-operations",
        "Networks, enterprise systems, GIS, data and the city's websites.",
    ),
    DepartmentSpec(
        "library",
        "Library",
        "RPL",
        "community-services",
        "The central library, eight branches, the bookmobile and digital lending.",
    ),
)


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def _lead(department: str) -> RoleSpec:
    return RoleSpec(Role.DEPARTMENT_LEAD, department=department)


def _contact(department: str) -> RoleSpec:
    return RoleSpec(Role.DEPARTMENT_CONTACT, department=department)


def _budget(portfolio: str) -> RoleSpec:
    return RoleSpec(Role.BUDGET_ANALYST, portfolio=portfolio)


def _expert(speciality: str, department: str = "") -> RoleSpec:
    return RoleSpec(Role.DATA_EXPERT, department=department, speciality=speciality)


def _seat(role: str) -> RoleSpec:
    return RoleSpec(role)


PEOPLE: tuple[PersonSpec, ...] = (
    # --- The principal and the Stat team ---------------------------------------------------------------------
    PersonSpec(_email("angela.whitfield"), "Angela Whitfield", "Mayor", (_seat(Role.PRINCIPAL),)),
    PersonSpec(
        _email("marcus.oyelaran"),
        "Marcus Oyelaran",
        "Deputy Chief of Staff for Performance",
        (_seat(Role.STAT_LEAD),),
    ),
    PersonSpec(
        _email("priya.raman"), "Priya Raman", "Senior Performance Management Analyst", (_seat(Role.STAT_ANALYST),)
    ),
    PersonSpec(
        _email("tomas.herrera"),
        "Tomás Herrera",
        "Performance Management Analyst",
        (RoleSpec(Role.STAT_ANALYST, starts_on=datetime.date(2025, 3, 3)),),
    ),
    # --- The other seats at the table --------------------------------------------------------------------------
    PersonSpec(_email("diane.kowalski"), "Diane Kowalski", "Chief of Staff", (_seat(Role.CHIEF_OF_STAFF),)),
    PersonSpec(_email("robert.achebe"), "Robert Achebe", "Counsel to the Mayor", (_seat(Role.LEGAL_COUNSEL),)),
    PersonSpec(
        _email("samuel.ortiz"),
        "Samuel Ortiz",
        "Chief Procurement Officer",
        (_seat(Role.PROCUREMENT),),
        department="finance-budget",
    ),
    PersonSpec(_email("jordan.blake"), "Jordan Blake", "Communications Director", (_seat(Role.COMMUNICATIONS),)),
    PersonSpec(_email("lorraine.mbeki"), "Lorraine Mbeki", "Director of Human Resources", (_seat(Role.HR),)),
    # --- Departments: a lead and a contact each (but see the gaps above) -----------------------------------------
    PersonSpec(
        _email("raymond.castillo"), "Raymond Castillo", "Chief of Police", (_lead("police"),), department="police"
    ),
    PersonSpec(
        _email("dana.whitaker"), "Dana Whitaker", "Police Data Manager", (_contact("police"),), department="police"
    ),
    PersonSpec(_email("kathleen.obrien"), "Kathleen O'Brien", "Fire Chief", (_lead("fire"),), department="fire"),
    PersonSpec(
        _email("victor.nguyen"),
        "Victor Nguyen",
        "Fire Planning & Data Officer",
        (_contact("fire"),),
        department="fire",
    ),
    PersonSpec(_email("andre.williams"), "Andre Williams", "EMS Director", (_lead("ems"),), department="ems"),
    PersonSpec(
        _email("sofia.lindqvist"),
        "Sofia Lindqvist",
        "EMS Quality Improvement Coordinator",
        (_contact("ems"),),
        department="ems",
    ),
    PersonSpec(
        _email("gregory.hall"),
        "Gregory Hall",
        "Director of Public Works",
        (_lead("public-works"),),
        department="public-works",
    ),
    PersonSpec(
        _email("mei.chen"),
        "Mei Chen",
        "Public Works Chief of Staff",
        (_contact("public-works"),),
        department="public-works",
    ),
    PersonSpec(
        _email("franklin.moore"),
        "Franklin Moore",
        "Former Director of Transportation (retired)",
        (
            RoleSpec(
                Role.DEPARTMENT_LEAD,
                department="transportation",
                starts_on=datetime.date(2019, 3, 4),
                ends_on=datetime.date(2025, 9, 30),
            ),
        ),
        department="transportation",
    ),
    PersonSpec(
        _email("aisha.rahman"),
        "Aisha Rahman",
        "Transportation Planning & Data Lead",
        (_contact("transportation"),),
        department="transportation",
    ),
    PersonSpec(
        _email("beatriz.santos"),
        "Beatriz Santos",
        "Director of Housing & Code Enforcement",
        (_lead("housing-code-enforcement"),),
        department="housing-code-enforcement",
    ),
    PersonSpec(
        _email("kevin.doyle"),
        "Kevin Doyle",
        "Code Enforcement Data Analyst",
        (_contact("housing-code-enforcement"),),
        department="housing-code-enforcement",
    ),
    PersonSpec(
        _email("tanya.brooks"),
        "Tanya Brooks",
        "311 Director",
        (_lead("311-customer-service"),),
        department="311-customer-service",
    ),
    PersonSpec(
        _email("luis.romero"),
        "Luis Romero",
        "311 Operations Analyst",
        (_contact("311-customer-service"),),
        department="311-customer-service",
    ),
    PersonSpec(_email("evelyn.grant"), "Evelyn Grant", "Health Commissioner", (_lead("health"),), department="health"),
    PersonSpec(
        _email("omar.haddad"),
        "Omar Haddad",
        "Epidemiology Data Manager",
        (_contact("health"),),
        department="health",
    ),
    PersonSpec(
        _email("curtis.jensen"),
        "Curtis Jensen",
        "Director of Parks & Recreation",
        (_lead("parks-recreation"),),
        department="parks-recreation",
    ),
    PersonSpec(
        _email("rosa.delgado"),
        "Rosa Delgado",
        "Parks Administrative Manager",
        (_contact("parks-recreation"),),
        department="parks-recreation",
    ),
    PersonSpec(
        _email("helen.park"),
        "Helen Park",
        "Director of Finance & Budget",
        # The finance director also holds the finance seat at the table.
        (_lead("finance-budget"), _seat(Role.FINANCE)),
        department="finance-budget",
    ),
    PersonSpec(
        _email("irene.foster"),
        "Irene Foster",
        "Budget Systems Manager",
        (_contact("finance-budget"),),
        department="finance-budget",
    ),
    PersonSpec(
        _email("nadia.petrovic"),
        "Nadia Petrovic",
        "Chief Information Officer",
        # The CIO also holds the IT seat at the table.
        (_lead("information-technology"), _seat(Role.IT)),
        department="information-technology",
    ),
    PersonSpec(
        _email("daniel.osei"),
        "Daniel Osei",
        "Chief Data Officer",
        (_contact("information-technology"),),
        department="information-technology",
    ),
    PersonSpec(_email("margaret.liu"), "Margaret Liu", "Library Director", (_lead("library"),), department="library"),
    # Library: no department contact yet (a deliberate gap).
    # --- Budget analysts, one per portfolio --------------------------------------------------------------------
    PersonSpec(
        _email("ethan.caldwell"),
        "Ethan Caldwell",
        "Budget Analyst, Public Safety",
        (_budget("public-safety"),),
        department="finance-budget",
    ),
    PersonSpec(
        _email("grace.adeyemi"),
        "Grace Adeyemi",
        "Budget Analyst, Public Works & Transportation",
        (_budget("public-works-transportation"),),
        department="finance-budget",
    ),
    PersonSpec(
        _email("hannah.weiss"),
        "Hannah Weiss",
        "Budget Analyst, Community Services",
        (_budget("community-services"),),
        department="finance-budget",
    ),
    PersonSpec(
        _email("michael.tran"),
        "Michael Tran",
        "Budget Analyst, Government Operations",
        (_budget("government-operations"),),
        department="finance-budget",
    ),
    # --- Data experts ------------------------------------------------------------------------------------------
    PersonSpec(
        _email("isabel.moreno"),
        "Isabel Moreno",
        "GIS Manager",
        (_expert(DataSpeciality.GIS, "information-technology"),),
        department="information-technology",
    ),
    PersonSpec(
        _email("raj.patel"),
        "Raj Patel",
        "Senior Database Administrator",
        (_expert(DataSpeciality.DBA, "information-technology"),),
        department="information-technology",
    ),
    PersonSpec(
        _email("julia.novak"),
        "Julia Novak",
        "Crime Analyst",
        (_expert(DataSpeciality.RESEARCH, "police"),),
        department="police",
    ),
    PersonSpec(
        _email("walter.green"),
        "Walter Green",
        "City Internal Auditor",
        (_expert(DataSpeciality.AUDIT),),
    ),
)

#: One login per role; the password is ``settings.DEMO_PASSWORD``. ``admin`` is a superuser with no person.
ADMIN_USERNAME = "admin"
DEMO_LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec("principal", _email("angela.whitfield"), "Principal (the mayor)"),
    LoginSpec("statlead", _email("marcus.oyelaran"), "Stat lead"),
    LoginSpec("analyst", _email("priya.raman"), "Stat analyst"),
    LoginSpec("police-lead", _email("raymond.castillo"), "Department lead, Police"),
    LoginSpec("police-contact", _email("dana.whitaker"), "Department contact, Police"),
    LoginSpec("parks-contact", _email("rosa.delgado"), "Department contact, Parks & Recreation"),
    LoginSpec("budget-analyst", _email("ethan.caldwell"), "Budget analyst, Public Safety portfolio"),
    LoginSpec("data-expert", _email("isabel.moreno"), "Data expert (GIS)"),
)
ADMIN_ROLE_LABEL = "Site administrator (superuser)"

#: The gaps the demo leaves on purpose, as the command reports them.
DELIBERATE_GAPS: tuple[str, ...] = (
    "Library has no department contact yet.",
    "Transportation has no department lead (its director retired on 30 September 2025).",
)


@dataclass
class DemoSeedReport:
    """What one run of :func:`demo_city_seed` created (an empty ``created`` means it was all there already)."""

    created: Counter = field(default_factory=Counter)
    logins_created: list[str] = field(default_factory=list)
    logins_refused: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created) or bool(self.logins_created)


def _portfolio_get_or_create(spec: PortfolioSpec, report: DemoSeedReport) -> Portfolio:
    portfolio = Portfolio.objects.filter(slug=spec.slug).first()
    if portfolio is None:
        portfolio = portfolio_create(by=None, name=spec.name, slug=spec.slug, description=spec.description)
        report.created["portfolios"] += 1
    return portfolio


def _department_get_or_create(
    spec: DepartmentSpec, portfolios: dict[str, Portfolio], departments: dict[str, Department], report: DemoSeedReport
) -> Department:
    department = Department.objects.filter(slug=spec.slug).first()
    if department is None:
        department = department_create(
            by=None,
            name=spec.name,
            code=spec.code,
            slug=spec.slug,
            parent=departments[spec.parent] if spec.parent else None,
            portfolio=portfolios[spec.portfolio],
            description=spec.description,
            contact_email=spec.contact_email,
        )
        report.created["divisions" if spec.parent else "departments"] += 1
    return department


def _person_get_or_create(spec: PersonSpec, departments: dict[str, Department], report: DemoSeedReport) -> Person:
    person = Person.objects.filter(email__iexact=spec.email).first()
    if person is None:
        person = person_create(
            by=None,
            full_name=spec.full_name,
            title=spec.title,
            email=spec.email,
            phone=spec.phone,
            department=departments[spec.department] if spec.department else None,
        )
        report.created["people"] += 1
    return person


def _role_ensure(
    person: Person,
    spec: RoleSpec,
    departments: dict[str, Department],
    portfolios: dict[str, Portfolio],
    report: DemoSeedReport,
) -> None:
    department = departments[spec.department] if spec.department else None
    portfolio = portfolios[spec.portfolio] if spec.portfolio else None
    # Any assignment for this person, role and scope, current or ended, counts: a role someone ended in the app
    # stays ended.
    if RoleAssignment.objects.filter(
        person=person, role=spec.role, department=department, portfolio=portfolio
    ).exists():
        return
    role_assign(
        by=None,
        person=person,
        role=spec.role,
        department=department,
        portfolio=portfolio,
        speciality=spec.speciality,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        note="Demo data",
    )
    report.created["role assignments"] += 1


def _logins_ensure(people: dict[str, Person], report: DemoSeedReport) -> None:
    for spec in DEMO_LOGINS:
        person = people[spec.email]
        if person.user_id:
            continue
        if User.objects.filter(username__iexact=spec.username).exists():
            report.notes.append(f"A login named {spec.username} already belongs to someone else; left it alone.")
            continue
        person_give_login(by=None, person=person, username=spec.username, password=settings.DEMO_PASSWORD)
        report.logins_created.append(spec.username)
    if not User.objects.filter(username__iexact=ADMIN_USERNAME).exists():
        User.objects.create_superuser(
            username=ADMIN_USERNAME, email=_email(ADMIN_USERNAME), password=settings.DEMO_PASSWORD
        )
        report.logins_created.append(ADMIN_USERNAME)


@transaction.atomic
def demo_city_seed(*, with_logins: bool) -> DemoSeedReport:
    """Create whatever of the demo city is missing, through the team services, in one transaction.

    Guarantees: idempotent (a second run creates and changes nothing); existing rows are never modified; demo
    logins are created only when ``with_logins`` is true *and* ``settings.DEBUG`` is on (asking for them with
    ``DEBUG`` off raises ``ImproperlyConfigured``), because their password is public.
    """
    if with_logins and not settings.DEBUG:
        raise ImproperlyConfigured("Demo logins have a published password; they are created only with DEBUG on.")
    report = DemoSeedReport()
    portfolios = {spec.slug: _portfolio_get_or_create(spec, report) for spec in PORTFOLIOS}
    departments: dict[str, Department] = {}
    for spec in DEPARTMENTS:  # parents are listed before their divisions
        departments[spec.slug] = _department_get_or_create(spec, portfolios, departments, report)
    people: dict[str, Person] = {}
    for spec in PEOPLE:
        person = _person_get_or_create(spec, departments, report)
        people[spec.email] = person
        for role in spec.roles:
            _role_ensure(person, role, departments, portfolios, report)
    if with_logins:
        _logins_ensure(people, report)
    else:
        report.logins_refused = True
    return report


def demo_usernames() -> frozenset[str]:
    """Every login ``seed_demo`` can create (they share :data:`settings.DEMO_PASSWORD`)."""
    return frozenset({spec.username for spec in DEMO_LOGINS} | {ADMIN_USERNAME})
