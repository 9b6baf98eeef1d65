"""The action items API (/api/action-items/): list and read the items the caller may read (filtered as the tracker
is: department, status, owner, session), and update one (PATCH: a new state, a comment, a due date, completion)
through the same services as the pages, under the same rules (:mod:`sessions.access`): the Stat team, the item's
department's lead and its owner update; the others who read it get 403; whoever does not read it gets 404. Items
are recorded on the session's agenda page, not through the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.api import _as_drf_error
from team.access import actor_for
from team.serializers import DepartmentRefOutputSerializer

from . import selectors_actions, services
from .access import action_items_readable_by, get_action_item_for_user
from .filters import ActionItemFilter
from .models import ActionItem, ItemState, ItemStatus
from .services.actions import UPDATE_STATES

#: What PATCH's ``state`` accepts: the states an update sets, and ``completed`` (on time or late, judged by the
#: completion date).
COMPLETED = "completed"
INPUT_STATES = [(value, label) for value, label in ItemState.choices if value in UPDATE_STATES] + [
    (COMPLETED, "Completed (on time or after the deadline, by the completion date)")
]


class ActionItemPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OwnerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ActionItemOutputSerializer(serializers.ModelSerializer):
    department = DepartmentRefOutputSerializer(read_only=True)
    owner = OwnerOutputSerializer(read_only=True, allow_null=True)
    series = serializers.CharField(source="session.series.name", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="One of the guide's eight statuses: "
        + ", ".join(ItemStatus.values)
        + " (not_yet_due and overdue by the due date against the city's date).",
    )
    measure = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    dataset = serializers.SlugRelatedField(slug_field="identifier", read_only=True, allow_null=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "session",
            "series",
            "number",
            "title",
            "description",
            "topic_title",
            "department",
            "owner",
            "due_date",
            "priority",
            "deliverable",
            "measure",
            "dataset",
            "state",
            "status",
            "completed_on",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActionItemInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=INPUT_STATES, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    due_date = serializers.DateField(required=False, help_text="The Stat team only.")
    completed_on = serializers.DateField(
        required=False, help_text="With state 'completed': the day it was done (today by default; never later)."
    )


@extend_schema_view(
    partial_update=extend_schema(
        request=ActionItemInputSerializer,
        responses={
            200: ActionItemOutputSerializer,
            400: OpenApiResponse(description="Invalid input; the body names each field's problems."),
            403: OpenApiResponse(description="Not signed in, or you may read this item but not update it."),
            404: OpenApiResponse(description="No such object, or none you may read."),
        },
    )
)
class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]
    serializer_class = ActionItemOutputSerializer
    filterset_class = ActionItemFilter
    pagination_class = ActionItemPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ActionItem]:
        actor = actor_for(self.request.user)
        return selectors_actions.tracker_items(action_items_readable_by(actor)).select_related("measure", "dataset")

    def partial_update(self, request: Request, pk: str) -> Response:
        item = get_action_item_for_user(request.user, int(pk), write=True)
        incoming = ActionItemInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            if data.get("state") == COMPLETED:
                if data.get("due_date") is not None:
                    raise DjangoValidationError({"due_date": "Move the due date and complete in two requests."})
                services.action_item_complete(
                    item, by=request.user, comment=data.get("comment", ""), completed_on=data.get("completed_on")
                )
            else:
                services.action_item_update(
                    item,
                    by=request.user,
                    state=data.get("state"),
                    comment=data.get("comment", ""),
                    due_date=data.get("due_date"),
                )
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)
