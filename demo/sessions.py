"""The demo city's Stat sessions: a year of PoliceStat (monthly, the second Tuesday), 311Stat (every two weeks) and
BlightStat (monthly, the first Wednesday), for ``manage.py seed_demo``.

It runs after the goals (memos review the demo KPIs). Each series is created as the Stat lead would create it, a year
of sessions from about eleven months ago, so most lie in the past and one or two ahead. The past is then replayed in
order, through the same services the pages use, as the Stat team would have lived it:

- before each session, what the department did about earlier requests happens (completed on time or late, put under
  review, on hold, overtaken by events, merged into another request), dated as it happened;
- the memo is drafted from the data (its KPI review as of the session's reporting period, its Follow-up section the
  requests still open at that time), a new topic added, and sent (most three days ahead, a few late);
- the session is held with who attended, requests are recorded (owner, due date, priority, deliverable, topic), and
  the follow-up memo is sent with its PDF (most the next day, a few late);
- the attendees answer the anonymous survey through the links they were emailed.

The next session of each series is planned with its checklist under way. Times the services stamp (sent, held,
completed) are then set to when they happened in the story. Every email this history sends is kept in memory, not
sent: nobody in the demo city is written to.

Idempotent: a series that exists is left as it is.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from sessions.models import (
    ActionItem,
    ActionItemUpdate,
    ChecklistKind,
    Deliverable,
    FollowUpMemo,
    ItemState,
    Memo,
    MemoSection,
    Priority,
    Series,
    Session,
    SessionState,
    TopicKind,
)
from sessions.selectors_memo import moment_words
from sessions.services import (
    action_item_complete,
    action_item_create,
    action_item_merge,
    action_item_update,
    checklist_mark,
    follow_up_draft,
    follow_up_send,
    follow_up_update,
    memo_draft,
    memo_send,
    memo_update,
    session_hold,
    survey_answer,
    topic_add,
)
from team.models import Department, Role, RoleAssignment

#: The survey link in an invitation email.
SURVEY_LINK = re.compile(r"/sessions/survey/([A-Za-z0-9_-]+)/")


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    department: str
    cadence: str
    rrule: str
    start_time: datetime.time
    place: str
    no_surprises: bool
    #: Topics the analyst adds to each memo's New items, in turn.
    new_topics: tuple[tuple[str, str, str], ...]
    #: Requests recorded at the table, in turn: (title, deliverable, priority, days to do it).
    requests: tuple[tuple[str, str, str, int], ...]


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        name="PoliceStat",
        department="police",
        cadence="rrule",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_time=datetime.time(9, 0),
        place="City Hall, room 215",
        no_surprises=False,
        new_topics=(
            (
                "Overtime in the Eastern District",
                "Overtime hours in the Eastern District rose for the third month while calls for service held steady.",
                "What drives the extra shifts?\nCan the summer deployment plan absorb them?",
            ),
            (
                "Body-worn camera footage requests",
                "Requests for footage from the public and the courts wait longer than the 30-day standard.",
                "How many requests are waiting today?\nWhat would clear the backlog by the next session?",
            ),
        ),
        requests=(
            ("Brief the panel on the response-time plan for priority-one calls", Deliverable.BRIEFING, "high", 21),
            ("Report overtime by district and cause, month by month", Deliverable.REPORT, "medium", 28),
            ("Analyse repeat calls to the ten busiest addresses", Deliverable.ANALYSIS, "medium", 35),
            ("Deploy the traffic unit to the five worst crash corridors", Deliverable.DEPLOYMENT, "high", 14),
            ("Request funding for two more dispatchers in next year's budget", Deliverable.BUDGET_REQUEST, "low", 42),
            ("Memo on the footage-request backlog and a plan to clear it", Deliverable.MEMO, "medium", 21),
        ),
    ),
    SeriesSpec(
        name="311Stat",
        department="311-customer-service",
        cadence="biweekly",
        rrule="",
        start_time=datetime.time(14, 0),
        place="Municipal Building, 3rd floor conference room",
        no_surprises=True,
        new_topics=(
            (
                "Abandoned calls at the Monday peak",
                "A third of the week's abandoned calls come between 9 and 11 on Monday mornings.",
                "Can lunch breaks and training move away from the Monday peak?",
            ),
            (
                "Requests closed without a visit",
                "Residents reopen pothole requests closed as 'no problem found' within a week.",
                "Who checks a request before it is closed without a visit?",
            ),
        ),
        requests=(
            ("Report abandoned calls by hour of the week", Deliverable.REPORT, "high", 14),
            ("Programme of callbacks for abandoned calls", Deliverable.PROGRAMME, "medium", 28),
            ("Brief on the new app's share of service requests", Deliverable.BRIEFING, "low", 21),
            ("Analyse reopened requests by department and type", Deliverable.ANALYSIS, "medium", 21),
        ),
    ),
    SeriesSpec(
        name="BlightStat",
        department="housing-code-enforcement",
        cadence="rrule",
        rrule="FREQ=MONTHLY;BYDAY=1WE",
        start_time=datetime.time(10, 0),
        place="City Hall, room 215",
        no_surprises=True,
        new_topics=(
            (
                "Vacant buildings on the demolition list",
                "Forty-one vacant buildings wait for demolition; eleven have waited over a year.",
                "Which of the eleven are emergencies?\nWhat would it cost to clear them this year?",
            ),
            (
                "Repeat violations on the same blocks",
                "A fifth of the month's violations are on twelve blocks in the Northside.",
                "Would a block-by-block sweep be cheaper than answering complaints one by one?",
            ),
        ),
        requests=(
            ("Report inspections done within 30 days by inspector", Deliverable.REPORT, "high", 28),
            ("Programme of block sweeps in the Northside", Deliverable.PROGRAMME, "medium", 35),
            ("Request demolition funds for the eleven oldest cases", Deliverable.BUDGET_REQUEST, "high", 42),
            ("Analyse repeat violations by owner", Deliverable.ANALYSIS, "low", 21),
            ("Memo on the board-up contract's response times", Deliverable.MEMO, "medium", 14),
        ),
    ),
)

#: What happens to each request, in turn (the fates cycle, so every one of the eight statuses appears).
FATES = (
    "on_time",
    "late",
    "open",
    "under_review",
    "on_time",
    "overtaken",
    "merged",
    "on_hold",
    "late",
    "open",
)
#: Survey answers, in turn: (score, comment).
ANSWERS = (
    (5, "The KPI review went straight to what mattered."),
    (4, ""),
    (4, "Good discussion; the follow-up list was clear."),
    (3, "Too long on the first topic, too short on the budget request."),
    (5, ""),
    (2, "The data we were asked about arrived the day before."),
    (4, ""),
)


def _start_date(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=330)


def _create_series(spec: SeriesSpec, department: Department, today: datetime.date) -> Series:
    from sessions.services import series_create

    series = series_create(
        name=spec.name,
        department=department,
        cadence=spec.cadence,
        rrule=spec.rrule,
        start_date=_start_date(today),
        start_time=spec.start_time,
        duration_minutes=90 if spec.cadence == "rrule" else 60,
        place=spec.place,
        by=None,
    )
    Series.objects.filter(pk=series.pk).update(
        public=True, no_surprises=spec.no_surprises, reply_to=f"{department.slug}-stat@example.gov"
    )
    series.refresh_from_db()
    return series


def _at(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


class _Story:
    """The replay of one city's year of sessions, in date order across the series."""

    def __init__(self, report, today: datetime.date):
        self.report = report
        self.today = today
        self.now = timezone.now()
        self.rng = random.Random(12)
        #: Requests still to play out: (when, item id, fate, merge target id).
        self.pending: list[tuple[datetime.datetime, int, str, int | None]] = []
        self.counter = 0
        self.answers = 0
        # Memos go out in the name of the program's senior analyst (the services ran as the system).
        analyst = (
            RoleAssignment.objects.current()
            .filter(role=Role.STAT_ANALYST)
            .select_related("person__user")
            .order_by("starts_on", "pk")
            .first()
        )
        self.analyst_name = analyst.person.full_name if analyst else ""
        self.analyst_user = analyst.person.user if analyst else None

    # --- requests ----------------------------------------------------------------------------------------------

    def settle_until(self, moment: datetime.datetime) -> None:
        """Play out every request whose moment came before ``moment``."""
        due = sorted((entry for entry in self.pending if entry[0] < moment), key=lambda entry: entry[0])
        self.pending = [entry for entry in self.pending if entry[0] >= moment]
        for when, item_id, fate, target_id in due:
            item = ActionItem.objects.get(pk=item_id)
            if item.state not in (ItemState.INCOMPLETE, ItemState.UNDER_REVIEW, ItemState.ON_HOLD):
                continue
            day = timezone.localtime(when).date()
            if fate in ("on_time", "late"):
                action_item_complete(
                    item, completed_on=day, comment="Delivered to the Stat team; see the attachment.", by=None
                )
            elif fate == "under_review":
                action_item_update(item, state=ItemState.UNDER_REVIEW, comment="Draft sent for review.", by=None)
            elif fate == "on_hold":
                action_item_update(
                    item, state=ItemState.ON_HOLD, comment="On hold until the budget is adopted.", by=None
                )
            elif fate == "overtaken":
                action_item_update(
                    item,
                    state=ItemState.OVERTAKEN,
                    comment="The state's new reporting rule made this moot.",
                    by=None,
                )
            elif fate == "merged" and target_id is not None:
                target = ActionItem.objects.get(pk=target_id)
                if target.state in (ItemState.INCOMPLETE, ItemState.UNDER_REVIEW, ItemState.ON_HOLD):
                    action_item_merge(item, into=target, comment="The same work as the earlier request.", by=None)
            ActionItemUpdate.objects.filter(item=item, at__gte=self.now).update(at=when)

    def record_requests(self, session: Session, spec: SeriesSpec, memo: Memo, lead) -> None:
        topics = list(memo.topics.exclude(kind=TopicKind.FOLLOW_UP).order_by("position"))
        count = 2 + (session.pk % 2)
        previous: ActionItem | None = None
        for n in range(count):
            title, deliverable, priority, days = spec.requests[(self.counter + n) % len(spec.requests)]
            topic = topics[(self.counter + n) % len(topics)] if topics else None
            item = action_item_create(
                session,
                title=title,
                department=session.series.department,
                due_date=timezone.localtime(session.starts_at).date() + datetime.timedelta(days=days),
                owner=lead,
                priority=priority if priority in Priority.values else Priority.MEDIUM,
                deliverable=deliverable,
                topic=topic,
                measure=topic.measure if topic is not None else None,
                by=None,
            )
            fate = FATES[(self.counter + n) % len(FATES)]
            due = datetime.datetime.combine(item.due_date, datetime.time(16), tzinfo=session.starts_at.tzinfo)
            when = {
                "on_time": due - datetime.timedelta(days=2),
                "late": due + datetime.timedelta(days=9),
                "under_review": due - datetime.timedelta(days=1),
                "on_hold": due - datetime.timedelta(days=5),
                "overtaken": due + datetime.timedelta(days=3),
                "merged": session.starts_at + datetime.timedelta(days=7),
            }.get(fate)
            if when is not None:
                self.pending.append((_at(when), item.pk, fate, previous.pk if previous is not None else None))
            if fate != "merged":
                previous = item
        self.counter += count

    # --- one session ---------------------------------------------------------------------------------------------

    def play(self, session: Session, spec: SeriesSpec, lead) -> None:
        starts = session.starts_at
        self.settle_until(_at(starts - datetime.timedelta(days=3)))
        memo = memo_draft(session, by=None)
        title, narrative, questions = spec.new_topics[session.pk % len(spec.new_topics)]
        topic_add(memo, title=title, section=MemoSection.NEW, narrative=narrative, questions=questions, by=None)
        late_memo = session.pk % 7 == 3
        sent = starts - (datetime.timedelta(hours=30) if late_memo else datetime.timedelta(days=3))
        drafted = sent - datetime.timedelta(days=2)
        memo_update(
            memo,
            to_line=memo.to_line,
            from_line=memo.from_line,
            memo_date=timezone.localtime(sent).date(),
            subject=memo.subject,
            by=None,
        )
        memo_send(memo, by=None)
        snapshot = Memo.objects.get(pk=memo.pk).snapshot
        snapshot.update(
            drafted_at=drafted.isoformat(),
            sent_at=sent.isoformat(),
            sent_label=moment_words(sent),
            drafted_by=self.analyst_name,
            sent_by=self.analyst_name,
        )
        Memo.objects.filter(pk=memo.pk).update(
            drafted_at=drafted,
            sent_at=sent,
            snapshot=snapshot,
            drafted_by=self.analyst_user,
            sent_by=self.analyst_user,
        )
        attendees = list(session.attendees.values_list("person_id", flat=True))
        present = [person_id for n, person_id in enumerate(attendees) if n % 5 != 4]
        session_hold(session, attended=present, by=None)
        held = starts + datetime.timedelta(minutes=session.duration_minutes)
        self.record_requests(session, spec, memo, lead)
        follow_up = follow_up_draft(session, by=None)
        late_follow_up = session.pk % 6 == 2
        follow_up_at = held + datetime.timedelta(days=4 if late_follow_up else 1)
        follow_up_update(
            follow_up,
            memo_date=timezone.localtime(follow_up_at).date(),
            introduction="Thank you for the discussion. These are the requests and commitments we recorded.",
            by=None,
        )
        follow_up_send(follow_up, by=None)
        FollowUpMemo.objects.filter(pk=follow_up.pk).update(
            drafted_at=held, sent_at=follow_up_at, sent_by=self.analyst_user
        )
        Session.objects.filter(pk=session.pk).update(
            memo_drafted_at=drafted, memo_sent_at=sent, held_at=held, follow_up_sent_at=follow_up_at
        )
        ActionItem.objects.filter(session=session).update(created_at=held)
        session.checklist.update(done_at=F("due_at"))
        self.answer_surveys()

    def answer_surveys(self) -> None:
        """Answer the survey through the links the attendees were emailed (most of them answer)."""
        for message in getattr(mail, "outbox", []):
            found = SURVEY_LINK.search(message.body)
            if found is None or self.rng.random() < 0.3:
                continue
            score, comment = ANSWERS[self.answers % len(ANSWERS)]
            survey_answer(found.group(1), score=score, comment=comment, by=None)
            self.answers += 1
        if hasattr(mail, "outbox"):
            mail.outbox.clear()

    def prepare(self, session: Session) -> None:
        """The next session: the data request went out; its memo is drafted if the draft is due."""
        checklist_mark(session, ChecklistKind.DATA_REQUEST, done=True, by=None)
        if session.starts_at - self.now < datetime.timedelta(days=session.series.memo_draft_days):
            memo_draft(session, by=None)


def _leads(departments: list[Department]) -> dict[int, object]:
    rows = (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_LEAD, department__in=departments)
        .select_related("person")
        .order_by("starts_on", "pk")
    )
    leads: dict[int, object] = {}
    for row in rows:
        leads.setdefault(row.department_id, row.person)
    return leads


def sessions_demo_seed(*, report, today: datetime.date | None = None, force: bool = False) -> None:
    """Seed the demo series that are missing and replay their year (see the module's docstring).

    Under the test suite (``settings.TESTING``) it does nothing unless ``settings.SESSIONS_DEMO`` is true or
    ``force`` is given: the many tests that run ``seed_demo`` for the team or the inventory need no year of
    meetings, and would each spend seconds drawing its follow-up memos' PDFs."""
    if not (force or getattr(settings, "SESSIONS_DEMO", not settings.TESTING)):
        return
    today = today or timezone.localdate()
    wanted = [spec for spec in SERIES if not Series.objects.filter(name=spec.name).exists()]
    if not wanted:
        return
    departments = {d.slug: d for d in Department.objects.filter(slug__in=[spec.department for spec in wanted])}
    missing = {spec.department for spec in wanted} - departments.keys()
    if missing:
        report.notes.append(f"Sessions demo skipped: departments missing ({', '.join(sorted(missing))}).")
        return
    leads = _leads(list(departments.values()))
    kept_outbox = getattr(mail, "outbox", None)  # the test suite's own, if any
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        story = _Story(report, today)
        created = {spec.name: _create_series(spec, departments[spec.department], today) for spec in wanted}
        specs = {spec.name: spec for spec in wanted}
        past = (
            Session.objects.filter(series__in=created.values(), starts_at__lt=story.now - datetime.timedelta(hours=2))
            .select_related("series__department")
            .order_by("starts_at")
        )
        for session in past:
            spec = specs[session.series.name]
            story.play(session, spec, leads.get(session.series.department_id))
        story.settle_until(story.now)
        for series in created.values():
            upcoming = (
                series.sessions.filter(starts_at__gte=story.now, state=SessionState.PLANNED)
                .order_by("starts_at")
                .first()
            )
            if upcoming is not None:
                story.prepare(upcoming)
        if kept_outbox is None:
            del mail.outbox
        else:
            mail.outbox = kept_outbox
    report.created["Stat series"] = report.created.get("Stat series", 0) + len(created)
    report.created["action items"] = (
        report.created.get("action items", 0) + ActionItem.objects.filter(session__series__in=created.values()).count()
    )
