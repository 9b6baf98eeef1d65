"""The briefing memos in the API, read only: the list of memos the caller may read, and one memo with its topics as
the memo page shows it (today's data for a draft, the frozen snapshot for a sent memo: the same dict as the page,
:func:`sessions.selectors_memo.memo_data`).

Who reads what is :mod:`sessions.access`'s rule (:func:`~sessions.access.memos_readable_by`): the Stat team every
memo, drafts included; once sent, everyone who reads the session; a draft shared under "no surprises", the
department's lead and contacts. Anyone else gets 404 for a memo (its existence never leaks); anonymous callers 403.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from team.access import actor_for

from .access import memos_readable_by
from .models import Memo, MemoSection, MemoState, TopicKind
from .selectors_memo import memo_data


class MemoPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MemoListOutputSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id")
    series = serializers.CharField(source="session.series.name")
    meeting = serializers.DateTimeField(source="session.starts_at")

    class Meta:
        model = Memo
        fields = ["id", "session", "series", "meeting", "subject", "memo_date", "state", "shared_at", "sent_at"]


# The detail is a plain dict (the page's and the snapshot's shape); these serializers describe it for the schema.
MemoHeaderOutputSerializer = type(
    "MemoHeaderOutputSerializer",
    (serializers.Serializer,),
    {
        "to": serializers.CharField(),
        "from": serializers.CharField(),
        "date": serializers.DateField(),
        "date_label": serializers.CharField(),
        "subject": serializers.CharField(),
    },
)


class ChartPointOutputSerializer(serializers.Serializer):
    period = serializers.DateField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    value_text = serializers.CharField()
    target_text = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class NarrativeOutputSerializer(serializers.Serializer):
    period_label = serializers.CharField()
    what_happened = serializers.CharField()
    next_steps = serializers.CharField()


class KpiOutputSerializer(serializers.Serializer):
    measure_id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    period_label = serializers.CharField(help_text="The latest period up to the reporting period with a value.")
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    value_text = serializers.CharField()
    target = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    target_text = serializers.CharField()
    previous_label = serializers.CharField()
    previous_text = serializers.CharField()
    change_text = serializers.CharField()
    change_is_better = serializers.BooleanField(allow_null=True)
    status = serializers.CharField(help_text="on_track, approaching, off_track or no_data.")
    status_label = serializers.CharField()
    summary = serializers.CharField()
    department_narrative = NarrativeOutputSerializer(allow_null=True)
    points = ChartPointOutputSerializer(many=True, help_text="Up to 24 periods up to the reporting period.")
    chart = serializers.DictField(allow_null=True, help_text="The SVG chart's geometry, as drawn on the page.")


class QualityRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)
    finished_label = serializers.CharField()


class SourceOutputSerializer(serializers.Serializer):
    dataset_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    data_suspect = serializers.BooleanField()
    stale = serializers.BooleanField()
    failing_checks = serializers.ListField(child=serializers.CharField(), help_text="Checks the latest run failed.")
    run = QualityRunOutputSerializer(allow_null=True, help_text="The dataset's latest quality run.")
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()


class ActionItemRowOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    owner = serializers.CharField()
    department = serializers.CharField()
    due_date = serializers.DateField()
    due_label = serializers.CharField()
    status_label = serializers.CharField()
    raised_at = serializers.CharField()


class TopicOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.ChoiceField(choices=MemoSection.values)
    kind = serializers.ChoiceField(choices=TopicKind.values)
    kind_label = serializers.CharField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    narrative = serializers.CharField()
    suggested_minutes = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.CharField())
    kpi = KpiOutputSerializer(allow_null=True)
    data_suspect = serializers.BooleanField()
    source = SourceOutputSerializer(allow_null=True)
    action_items = ActionItemRowOutputSerializer(many=True)


class SectionOutputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="follow_up, standing or new.")
    label = serializers.CharField()
    topics = TopicOutputSerializer(many=True)
    minutes = serializers.IntegerField()


class MemoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    series = serializers.CharField()
    department = serializers.CharField()
    meeting = serializers.CharField()
    period_label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    header = MemoHeaderOutputSerializer()
    state = serializers.ChoiceField(choices=MemoState.choices)
    drafted_at = serializers.DateTimeField(allow_null=True)
    drafted_by = serializers.CharField()
    shared_at = serializers.DateTimeField(allow_null=True)
    shared_label = serializers.CharField()
    shared_by = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    sent_label = serializers.CharField()
    sent_by = serializers.CharField()
    sections = SectionOutputSerializer(many=True)
    total_minutes = serializers.IntegerField()
    topic_count = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        summary="List briefing memos",
        description="The memos you may read, newest meeting first: the Stat team's drafts, memos sent, and drafts "
        "shared with your department under “no surprises”.",
    ),
    retrieve=extend_schema(
        summary="One briefing memo, by id, with its topics",
        description="As the memo page shows it: today's data for a draft; for a sent memo, exactly what was sent "
        "(figures, statuses, narratives, chart points, data sources and quality runs as they stood).",
        responses={
            200: MemoOutputSerializer,
            403: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No such memo you may read."),
        },
    ),
)
class MemoViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = MemoListOutputSerializer
    pagination_class = MemoPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Memo]:
        return (
            memos_readable_by(actor_for(self.request.user))
            .select_related("session__series")
            .order_by("-session__starts_at", "-pk")
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        found = (
            memos_readable_by(actor_for(request.user))
            .select_related("session__series__department", "drafted_by__person", "shared_by__person", "sent_by__person")
            .filter(pk=pk)
            .first()
        )
        if found is None:
            raise Http404("No memo matches the given query.")
        return Response(memo_data(found))
