"""Output serializers for the team's read API.

They read only what the querysets in :mod:`team.api` have already fetched (``current_*`` prefetches), so a page
costs a fixed number of queries. Contact details (email, phone) are left out entirely for those the team's pages
refuse them to: anonymous visitors and logins without a role.
"""

from __future__ import annotations

from rest_framework import serializers

from .access import actor_for
from .models import Department, Person, Portfolio, RoleAssignment

CONTACT_DETAILS_HELP = "Present only for users with a role in the program (as on the team's pages)."


def shows_contact_details(request) -> bool:
    """Whether ``request`` may see people's email addresses and phone numbers: whoever may see the team
    (:meth:`team.access.Actor.can_view_team`, the rule of the team's HTML pages)."""
    return request is not None and actor_for(request.user).can_view_team()


class PersonRefOutputSerializer(serializers.Serializer):
    """A person holding a role: their id (for /api/people/<id>/) and name."""

    id = serializers.IntegerField(source="person.id")
    full_name = serializers.CharField(source="person.full_name")


class DepartmentRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["slug", "name", "code", "active"]
        read_only_fields = fields


class PortfolioRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Portfolio
        fields = ["slug", "name"]
        read_only_fields = fields


class DepartmentOutputSerializer(serializers.ModelSerializer):
    # DRF's metaclass takes declared fields off the class; the stubs see Field's own ``parent`` (its serializer).
    parent: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )
    portfolio = PortfolioRefOutputSerializer(read_only=True, allow_null=True)
    leads = PersonRefOutputSerializer(source="current_leads", many=True, read_only=True)
    contacts = PersonRefOutputSerializer(source="current_contacts", many=True, read_only=True)

    class Meta:
        model = Department
        fields = [
            "slug",
            "name",
            "code",
            "description",
            "contact_email",
            "active",
            "parent",
            "portfolio",
            "leads",
            "contacts",
        ]
        read_only_fields = fields


class PortfolioOutputSerializer(serializers.ModelSerializer):
    departments = DepartmentRefOutputSerializer(source="all_departments", many=True, read_only=True)
    budget_analysts = PersonRefOutputSerializer(source="current_analysts", many=True, read_only=True)

    class Meta:
        model = Portfolio
        fields = ["slug", "name", "description", "departments", "budget_analysts"]
        read_only_fields = fields


class CurrentRoleOutputSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    portfolio: serializers.SlugRelatedField[Portfolio] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "department", "portfolio", "speciality", "starts_on", "ends_on"]
        read_only_fields = fields


class PersonOutputSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    roles = CurrentRoleOutputSerializer(source="current_assignments", many=True, read_only=True)
    # Not read-only so that the schema marks them optional: those without a role get neither key.
    email = serializers.EmailField(required=False, help_text=CONTACT_DETAILS_HELP)
    phone = serializers.CharField(required=False, help_text=CONTACT_DETAILS_HELP)

    class Meta:
        model = Person
        fields = ["id", "full_name", "title", "department", "active", "roles", "email", "phone"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not shows_contact_details(self.context.get("request")):
            del data["email"], data["phone"]
        return data
