"""The team in Django's admin, for staff: every change is kept in history, departments, portfolios and people import
and export as CSV (keyed by slug or email, so importing a file twice changes nothing), and roles are assigned and
ended through :mod:`team.services`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, UniqueConstraint
from django.utils import timezone
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from core.admin_formats import IMPORT_FORMATS
from core.uploads import RefusedFile

from . import services
from .access import actor_for, can_change_role, can_edit_login, enforce
from .models import Department, Person, Portfolio, Role, RoleAssignment

#: What a person row of the CSV import writes, through the services (``email`` is the row's key).
PERSON_IMPORT_FIELDS = ("full_name", "title", "phone", "department")

# --- CSV import and export -------------------------------------------------------------------------------------


class PortfolioResource(resources.ModelResource):
    class Meta:
        model = Portfolio
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class DepartmentResource(resources.ModelResource):
    """Departments keyed by slug; parent and portfolio by their slugs (list a parent before its divisions)."""

    parent = fields.Field(attribute="parent", column_name="parent", widget=ForeignKeyWidget(Department, field="slug"))
    portfolio = fields.Field(
        attribute="portfolio", column_name="portfolio", widget=ForeignKeyWidget(Portfolio, field="slug")
    )

    class Meta:
        model = Department
        import_id_fields = ("slug",)
        fields = ("slug", "name", "code", "parent", "portfolio", "description", "contact_email", "active")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class PersonResource(resources.ModelResource):
    """People keyed by email address (lower-cased, as the services store it); department by slug."""

    department = fields.Field(
        attribute="department", column_name="department", widget=ForeignKeyWidget(Department, field="slug")
    )

    class Meta:
        model = Person
        import_id_fields = ("email",)
        fields = ("email", "full_name", "title", "phone", "department", "active")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        row["email"] = (row.get("email") or "").strip().lower()
        if not row["email"]:
            raise ValidationError({"email": "Every imported person needs an email address: it is how rows match."})

    def save_instance(self, instance: Person, is_create: bool, row, **kwargs) -> None:
        """Write the row through :mod:`team.services` as the importing user (``user``, which the admin passes), so
        an import obeys who may add and edit whom: a row about someone they may not edit is a row error."""
        by = kwargs.get("user")
        fields = {name: getattr(instance, name) for name in PERSON_IMPORT_FIELDS}
        self.before_save_instance(instance, row, **kwargs)
        if is_create:
            person = services.person_create(by=by, email=instance.email, **fields)
            if not instance.active:
                services.person_update(person=person, by=by, active=False)
            instance.pk = person.pk
        else:
            services.person_update(person=instance, by=by, active=instance.active, **fields)
        self.after_save_instance(instance, row, **kwargs)


class ImportExportHistoryAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """CSV import/export and simple-history's history pages on one admin.

    django-import-export lets anyone who can open the changelist import unless settings say otherwise; here
    importing needs the add and change permissions it exercises, and exporting the view permission.
    """

    #: CSV and XLSX, bounded as every upload is (core.admin_formats); export offers django-import-export's formats.
    import_formats = IMPORT_FORMATS

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        """A refused file gets its own message (why, and what to do), not only the exception's name."""
        if isinstance(e, RefusedFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


# --- Admin pages -----------------------------------------------------------------------------------------------


def _names(assignments) -> str:
    return ", ".join(a.person.full_name for a in assignments) or "—"


@admin.register(Portfolio)
class PortfolioAdmin(ImportExportHistoryAdmin):
    resource_classes = [PortfolioResource]
    list_display = ["name", "slug", "department_count", "budget_analysts"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        analysts = (
            RoleAssignment.objects.current(timezone.localdate())
            .filter(role=Role.BUDGET_ANALYST)
            .select_related("person")
            .order_by("person__full_name")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(department_count=Count("departments", filter=Q(departments__active=True)))
            .prefetch_related(Prefetch("assignments", queryset=analysts, to_attr="current_analysts"))
        )

    @admin.display(description="active departments", ordering="department_count")
    def department_count(self, portfolio: Portfolio) -> int:
        return portfolio.department_count

    @admin.display(description="budget analysts")
    def budget_analysts(self, portfolio: Portfolio) -> str:
        return _names(portfolio.current_analysts)


@admin.register(Department)
class DepartmentAdmin(ImportExportHistoryAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["name", "code", "portfolio", "parent", "active", "leads", "contacts"]
    list_filter = ["active", "portfolio", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code", "slug"]
    list_select_related = ["portfolio", "parent"]
    autocomplete_fields = ["parent", "portfolio"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        staff = (
            RoleAssignment.objects.current(timezone.localdate())
            .filter(role__in=[Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT])
            .select_related("person")
            .order_by("person__full_name")
        )
        return super().get_queryset(request).prefetch_related(Prefetch("assignments", staff, to_attr="current_staff"))

    @admin.display(description="leads")
    def leads(self, department: Department) -> str:
        return _names(a for a in department.current_staff if a.role == Role.DEPARTMENT_LEAD)

    @admin.display(description="contacts")
    def contacts(self, department: Department) -> str:
        return _names(a for a in department.current_staff if a.role == Role.DEPARTMENT_CONTACT)


def _save_assignment(request, assignment: RoleAssignment, changed: list[str]) -> RoleAssignment:
    """Save an assignment edited in the admin the way the web pages do: a new one through ``role_assign``, a newly
    set end date through ``role_end`` (which records who ended it); other edits (dates, note) are saved as typed."""
    if assignment.pk is None:
        return services.role_assign(
            person=assignment.person,
            role=assignment.role,
            by=request.user,
            department=assignment.department,
            portfolio=assignment.portfolio,
            speciality=assignment.speciality,
            starts_on=assignment.starts_on,
            ends_on=assignment.ends_on,
            note=assignment.note,
        )
    stored = RoleAssignment.objects.get(pk=assignment.pk)
    # Changing a role's dates or the role itself is granting it: only someone who may grant both roles does.
    enforce(
        request.user,
        lambda actor: can_change_role(actor, stored.role) and can_change_role(actor, assignment.role),
        f"You may not change a {stored.get_role_display().lower()} role.",
    )
    ending = (
        "ends_on" in changed
        and assignment.ends_on is not None
        and RoleAssignment.objects.filter(pk=assignment.pk, ends_on__isnull=True).exists()
    )
    other_fields = [name for name in changed if not (ending and name == "ends_on")]
    if other_fields:
        assignment.save(update_fields=other_fields)
    if ending:
        return services.role_end(assignment=assignment, by=request.user, ends_on=assignment.ends_on)
    return assignment


class RoleAssignmentInlineForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "department", "portfolio", "speciality", "starts_on", "ends_on", "note"]

    def validate_unique(self) -> None:
        super().validate_unique()
        # Django leaves out every constraint on the inline's foreign key (the person), so the "one open assignment
        # per person, role and scope" constraints would only fail at save time; check them here, where the form
        # can still show the error.
        for constraint in RoleAssignment._meta.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            try:
                constraint.validate(RoleAssignment, self.instance)
            except ValidationError:
                scope = self.instance.department or self.instance.portfolio
                role = self.instance.get_role_display().lower()
                self.add_error(None, f"{self.instance.person} is already {role}" + (f" of {scope}." if scope else "."))
                return


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentInlineForm
    fk_name = "person"
    fields = ["role", "department", "portfolio", "speciality", "starts_on", "ends_on", "note", "created_by", "ended_by"]
    readonly_fields = ["created_by", "ended_by"]
    autocomplete_fields = ["department", "portfolio"]
    extra = 0
    # A role is ended (set its end date), never deleted, so that the roster keeps its history.
    can_delete = False
    ordering = ["-starts_on", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "portfolio", "created_by", "ended_by")


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "title", "email", "phone", "department", "user", "active"]

    def clean_email(self) -> str:
        # The services store addresses lower-cased and unique regardless of case; hold admin edits to the same.
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and Person.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Someone in the program already has this email address.")
        return email


class CurrentRoleFilter(admin.SimpleListFilter):
    title = "current role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            holders = RoleAssignment.objects.current(timezone.localdate()).filter(role=self.value())
            return queryset.filter(pk__in=holders.values("person_id"))
        return queryset


@admin.register(Person)
class PersonAdmin(ImportExportHistoryAdmin):
    form = PersonAdminForm
    resource_classes = [PersonResource]
    inlines = [RoleAssignmentInline]
    list_display = ["full_name", "title", "department", "email", "phone", "current_roles", "has_login", "active"]
    list_filter = ["active", CurrentRoleFilter, "department", ("user", admin.EmptyFieldListFilter)]
    search_fields = ["full_name", "title", "email", "phone"]
    list_select_related = ["department"]
    autocomplete_fields = ["department", "user"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["full_name", "title", "email", "phone", "department", "user", "active", "created_at", "updated_at"]

    def get_queryset(self, request):
        current = RoleAssignment.objects.current(timezone.localdate()).select_related("department", "portfolio")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        )

    @admin.display(description="current roles")
    def current_roles(self, person: Person) -> str:
        return (
            "; ".join(a.get_role_display() + (f" ({a.scope})" if a.scope else "") for a in person.current_assignments)
            or "—"
        )

    @admin.display(description="login", boolean=True, ordering="user")
    def has_login(self, person: Person) -> bool:
        return person.user_id is not None

    def save_model(self, request, obj: Person, form, change: bool) -> None:
        if change:
            # person_update also keeps the login's email in step with the person's.
            services.person_update(
                person=obj, by=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
            return
        data = form.cleaned_data
        person = services.person_create(
            by=request.user,
            **{name: data[name] for name in ("full_name", "title", "email", "phone", "department", "user")},
        )
        if not data["active"]:
            services.person_update(person=person, by=request.user, active=False)
        obj.pk = person.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change: bool) -> None:
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills new_objects and changed_objects; the services do the saving
        for assignment in formset.new_objects:
            _save_assignment(request, assignment, [])
        for assignment, changed in formset.changed_objects:
            _save_assignment(request, assignment, changed)
        return None


class CurrentFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("current", "Current"), ("ended", "Ended"), ("future", "Not started yet")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.current(today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lte=today)
        if self.value() == "future":
            return queryset.filter(starts_on__gt=today)
        return queryset


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    """Browse, correct and end roles. New roles are assigned on the person's page, through ``role_assign``."""

    list_display = ["person", "role", "scope", "speciality", "starts_on", "ends_on", "created_by", "ended_by"]
    list_filter = [CurrentFilter, "role", "department", "portfolio", "speciality"]
    search_fields = ["person__full_name", "person__email", "note"]
    list_select_related = ["person", "department", "portfolio", "created_by", "ended_by"]
    autocomplete_fields = ["person", "department", "portfolio"]
    readonly_fields = ["created_at", "created_by", "ended_by"]
    date_hierarchy = "starts_on"
    actions = ["end_roles_today"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Ending a role keeps the roster's history; deleting it would rewrite it.
        return False

    @admin.display(description="department or portfolio")
    def scope(self, assignment: RoleAssignment) -> str:
        return str(assignment.scope or "—")

    def save_model(self, request, obj: RoleAssignment, form, change: bool) -> None:
        _save_assignment(request, obj, form.changed_data)

    @admin.action(description="End selected roles today", permissions=["change"])
    def end_roles_today(self, request, queryset) -> None:
        ended, refused = 0, []
        for assignment in queryset.select_related("person", "department", "portfolio"):
            try:
                services.role_end(assignment=assignment, by=request.user)
            except ValidationError as exc:
                refused.append(f"{assignment}: {' '.join(exc.messages)}")
            else:
                ended += 1
        if ended:
            self.message_user(request, f"Ended {ended} role{'s' if ended != 1 else ''} today.", messages.SUCCESS)
        for problem in refused:
            self.message_user(request, f"Not ended — {problem}", messages.WARNING)


# --- logins ------------------------------------------------------------------------------------------------------

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class LoginAdmin(UserAdmin):
    """Django's own pages for logins, held to the people rule: a login's email, name and password (the admin's
    password reset) are changed only by someone who may edit the person it belongs to
    (:func:`team.access.can_edit_login`); the others may still view it if their permissions say so. Only a
    superuser gives a login the admin or permissions: whoever could would be granting more than any role."""

    SUPERUSER_ONLY_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + self.SUPERUSER_ONLY_FIELDS

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_login(actor_for(request.user), obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit_login(actor_for(request.user), obj))
