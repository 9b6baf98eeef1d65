"""Every route of Stat sessions (namespace ``stat_sessions``), mounted at the site root: its pages, feeds and its
part of the API under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api_memos, views, views_memo

app_name = "stat_sessions"

api_router = SimpleRouter()
api_router.register("memos", api_memos.MemoViewSet, basename="memo")

memo_pages = [
    path("", views_memo.memo, name="memo"),
    path("draft/", views_memo.memo_draft, name="memo_draft"),
    path("header/", views_memo.memo_header, name="memo_header"),
    path("topics/add/", views_memo.topic_add, name="memo_topic_add"),
    path("topics/<int:topic_pk>/edit/", views_memo.topic_edit, name="memo_topic_edit"),
    path("topics/<int:topic_pk>/remove/", views_memo.topic_remove, name="memo_topic_remove"),
    path("topics/<int:topic_pk>/move/", views_memo.topic_move, name="memo_topic_move"),
    path("share/", views_memo.memo_share, name="memo_share"),
    path("send/", views_memo.memo_send, name="memo_send"),
    path("print/", views_memo.memo_print, name="memo_print"),
]

urlpatterns = [
    path("sessions/series/<int:pk>/calendar.ics", views.series_calendar, name="series_calendar"),
    path("sessions/calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
    path("sessions/<int:pk>/memo/", include(memo_pages)),
    path("sessions/<int:pk>/memo.pdf", views_memo.memo_pdf, name="memo_pdf"),
    path("api/", include(api_router.urls)),
]
