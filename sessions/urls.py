"""Every route of Stat sessions (namespace ``stat_sessions``), mounted at the site root: the signed-in pages under
/sessions/, the published schedule at /public/sessions/, the calendar feeds, and the API under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api_actions, api_memos, api_series
from .views import actions, after, calendar, memo, public, series, session

app_name = "stat_sessions"

api_router = SimpleRouter()
api_router.register("series", api_series.SeriesViewSet, basename="series")
api_router.register("sessions", api_series.SessionViewSet, basename="session")
api_router.register("memos", api_memos.MemoViewSet, basename="memo")
api_router.register("action-items", api_actions.ActionItemViewSet, basename="action-item")

memo_pages = [
    path("", memo.memo, name="memo"),
    path("draft/", memo.memo_draft, name="memo_draft"),
    path("header/", memo.memo_header, name="memo_header"),
    path("topics/add/", memo.topic_add, name="memo_topic_add"),
    path("topics/<int:topic_pk>/edit/", memo.topic_edit, name="memo_topic_edit"),
    path("topics/<int:topic_pk>/remove/", memo.topic_remove, name="memo_topic_remove"),
    path("topics/<int:topic_pk>/move/", memo.topic_move, name="memo_topic_move"),
    path("share/", memo.memo_share, name="memo_share"),
    path("send/", memo.memo_send, name="memo_send"),
    path("print/", memo.memo_print, name="memo_print"),
]

pages = [
    path("", series.index, name="index"),
    path("series/add/", series.series_create, name="series_create"),
    path("series/<int:pk>/", series.series_detail, name="series"),
    path("series/<int:pk>/edit/", series.series_edit, name="series_edit"),
    path("series/<int:pk>/calendar.ics", calendar.series_calendar, name="series_calendar"),
    path("calendar/<str:token>.ics", calendar.personal_calendar, name="personal_calendar"),
    path("calendar/reset/", calendar.personal_calendar_reset, name="personal_calendar_reset"),
    path("<int:pk>/", session.session_detail, name="session"),
    path("<int:pk>/move/", session.session_move, name="session_move"),
    path("<int:pk>/cancel/", session.session_cancel, name="session_cancel"),
    path("<int:pk>/attendees/add/", session.attendee_add, name="attendee_add"),
    path("<int:pk>/attendees/<int:attendee_pk>/remove/", session.attendee_remove, name="attendee_remove"),
    path("<int:pk>/attendees/<int:attendee_pk>/seat/", session.attendee_seat, name="attendee_seat"),
    path("<int:pk>/checklist/add/", session.checklist_item_add, name="checklist_add"),
    path("<int:pk>/checklist/<int:item_pk>/mark/", session.checklist_item_mark, name="checklist_mark"),
    path("<int:pk>/memo/", include(memo_pages)),
    path("<int:pk>/memo.pdf", memo.memo_pdf, name="memo_pdf"),
    path("<int:pk>/held/", after.session_held, name="session_held"),
    path("<int:pk>/follow-up/", after.follow_up, name="follow_up"),
    path("<int:pk>/follow-up/send/", after.follow_up_send, name="follow_up_send"),
    path("<int:pk>/follow-up.pdf", after.follow_up_pdf, name="follow_up_pdf"),
    path("survey/<str:token>/", after.survey, name="survey"),
    path("measures/", after.measures, name="measures"),
    path("<int:pk>/agenda/", actions.session_agenda, name="agenda"),
    path("<int:pk>/action-items/add/", actions.session_action_item_add, name="action_item_add"),
    path("action-items/", actions.action_items, name="action_items"),
    path("action-items/export.csv", actions.action_items_csv, name="action_items_csv"),
    path("action-items/<int:pk>/", actions.action_item, name="action_item"),
    path("action-items/<int:pk>/update/", actions.action_item_update, name="action_item_update"),
    path("action-items/<int:pk>/complete/", actions.action_item_complete, name="action_item_complete"),
    path("action-items/<int:pk>/merge/", actions.action_item_merge, name="action_item_merge"),
    path("action-items/updates/<int:pk>/attachment/", actions.action_item_attachment, name="action_item_attachment"),
]

urlpatterns = [
    path("sessions/", include(pages)),
    path("public/sessions/", public.public_schedule, name="public_schedule"),
    path("api/", include(api_router.urls)),
]
