import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from team.models import DataSpeciality, Department, Person, Portfolio, Role, RoleAssignment

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.gov")
    email = factory.LazyAttribute(lambda u: u.username)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Portfolio {n}")
    slug = factory.LazyAttribute(lambda p: p.name.lower().replace(" ", "-").replace("&", "and"))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.LazyAttribute(lambda d: d.name.lower().replace(" ", "-").replace("&", "and"))
    code = factory.Sequence(lambda n: f"D{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name")
    title = factory.Faker("job")
    email = factory.Sequence(lambda n: f"person{n}@example.gov")
    phone = factory.Sequence(lambda n: f"555-01{n % 100:02d}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    role = Role.STAT_ANALYST
    speciality = factory.LazyAttribute(lambda a: DataSpeciality.GIS if a.role == Role.DATA_EXPERT else "")


def move_city_to(settings, zone: str) -> None:
    """Run the city in ``zone`` from now on. Roles the test has already handed out began on today's date in the old
    zone, which west of it can still be tomorrow: they begin today in the new one, as if the city had always been
    there (otherwise nobody holds a role between midnight UTC and midnight in the city)."""
    settings.TIME_ZONE = zone
    today = timezone.localdate()
    RoleAssignment.objects.filter(starts_on__gt=today).update(starts_on=today)


def person_with_login(role: str | None = None, *, username: str, department=None, portfolio=None, **person_fields):
    """A person with a login and (optionally) one current role."""
    user = UserFactory(username=username)
    person = PersonFactory(user=user, email=username, department=department, **person_fields)
    if role:
        RoleAssignmentFactory(
            person=person,
            role=role,
            department=department if role in (Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT) else None,
            portfolio=portfolio,
        )
    return user


def rows_by_slug(model, specs: list[dict]) -> dict:
    """``{slug: row}`` of ``model`` (Department, Portfolio) for the rows ``specs`` describe, each taken as it is when
    one with its slug exists (as their factories' ``get_or_create`` does) and the rest created in one insert, with
    their history."""
    found = {row.slug: row for row in model.objects.filter(slug__in=[spec["slug"] for spec in specs])}
    new = [model(**spec) for spec in specs if spec["slug"] not in found]
    return found | {row.slug: row for row in bulk_create_with_history(new, model)}


def people_with_logins(specs: dict[str, dict]) -> dict[str, User]:
    """``{key: user}``: for each ``{key: {"role", "username", "full_name", "department", "portfolio"}}``, what
    :func:`person_with_login` makes (a login, a person with its address, one current role), made in one insert per
    table with their history: the personas every test starts from, in a quarter of the time one by one takes."""
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=spec["username"], email=spec["username"], password=password) for spec in specs.values()]
    )
    people = [
        Person(
            user=user,
            email=spec["username"],
            full_name=spec["full_name"],
            title=spec["role"].replace("_", " ").capitalize(),
            phone=f"555-01{n:02d}",
            department=spec.get("department"),
        )
        for n, (user, spec) in enumerate(zip(users, specs.values(), strict=True))
    ]
    bulk_create_with_history(people, Person)
    assignments = [
        RoleAssignment(
            person=person,
            role=spec["role"],
            department=spec.get("department")
            if spec["role"] in (Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT)
            else None,
            portfolio=spec.get("portfolio"),
            speciality=DataSpeciality.GIS if spec["role"] == Role.DATA_EXPERT else "",
        )
        for person, spec in zip(people, specs.values(), strict=True)
    ]
    bulk_create_with_history(assignments, RoleAssignment)
    return dict(zip(specs, users, strict=True))
