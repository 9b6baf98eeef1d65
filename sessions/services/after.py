"""After the meeting: marking a session held with who attended, the follow-up memo (drafted, edited, sent as a PDF
and frozen) and the anonymous post-session survey.

Guarantees, for every function here:

- the Stat team acts (:func:`sessions.access.can_manage_sessions`), except :func:`survey_answer`, whose authority
  is the one-time token itself;
- each runs in one transaction with the session (or the invitation) locked, and email goes out only once it
  commits (a rolled-back change sends nothing);
- a sent follow-up memo refuses every change: its snapshot and archived PDF are what was sent;
- a survey answer is stored with its session, score and comment only: nothing ties it to the invitation it came
  through, and an invitation keeps only a hash of its secret.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from team.access import enforce
from team.models import Role, RoleAssignment

from ..access import MANAGE_ONLY, can_manage_sessions
from ..models import (
    HELD_STATES,
    Attendee,
    FollowUpMemo,
    MemoState,
    SeatRole,
    Session,
    SessionState,
    SurveyInvitation,
    SurveyResponse,
)
from ..pdf import render_pdf
from ..selectors import default_reply_to, follow_up_contents, survey_token_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

FOLLOW_UP_PDF_TEMPLATE = "stat_sessions/follow_up_pdf.html"
SURVEY_COMMENT_MAX = 2000
FOLLOW_UP_SENT_REFUSED = "This follow-up memo has been sent: it is archived as sent and cannot change."
SURVEY_LINK_UNKNOWN = "This survey link is not valid. Use the link from your email."
SURVEY_LINK_USED = "This survey link has already been used: each link answers once. Thank you for your answer."


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("series__department").get(pk=session.pk)


def _email_of(person) -> str:
    return person.email or (person.user.email if person.user_id and person.user else "")


def _record(locked: Session, present: set[int]) -> list[Attendee]:
    attendees = list(locked.attendees.select_related("person__user"))
    unknown = present - {attendee.person_id for attendee in attendees}
    if unknown:
        raise ValidationError({"attended": "Only people at this session's table can be recorded as present."})
    for attendee in attendees:
        attendee.attended = attendee.person_id in present
    Attendee.objects.bulk_update(attendees, ["attended"])
    return attendees


def _invite(locked: Session, attendees: list[Attendee]) -> None:
    """One invitation per attendee who was present and has none yet; each one's secret emailed on commit (only its
    hash is stored, so it is never written anywhere else)."""
    invited = set(locked.survey_invitations.values_list("person_id", flat=True))
    letters: list[tuple[str, str, str]] = []
    invitations = []
    for attendee in attendees:
        if not attendee.attended or attendee.person_id in invited:
            continue
        token = secrets.token_urlsafe(32)
        invitations.append(
            SurveyInvitation(session=locked, person=attendee.person, token_hash=survey_token_hash(token))
        )
        address = _email_of(attendee.person)
        if address:
            url = urljoin(settings.SITE_URL, reverse("stat_sessions:survey", kwargs={"token": token}))
            letters.append((address, attendee.person.full_name, url))
    SurveyInvitation.objects.bulk_create(invitations)
    if letters:
        context = {"session": locked, "series": locked.series, "program_name": settings.PROGRAM_NAME}
        transaction.on_commit(lambda: _send_survey_letters(context, letters), robust=True)


def _send_survey_letters(context: dict, letters: list[tuple[str, str, str]]) -> None:
    subject = f"{context['series'].name}: was this session worth your time?"
    for address, name, url in letters:
        body = render_to_string("stat_sessions/email/survey_invitation.txt", {**context, "name": name, "url": url})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def session_hold(session: Session, *, attended: Iterable[int], by: User | None) -> Session:
    """Mark ``session`` held, recording every attendee as present (their person id in ``attended``) or absent, and
    invite each one present to the anonymous survey (one email each, on commit). Only a session that is not
    cancelled, whose start has passed, and that was not marked held already."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    present = {int(person_id) for person_id in attended}
    with transaction.atomic():
        locked = _locked(session)
        if locked.state == SessionState.CANCELLED:
            raise ValidationError("A cancelled session cannot be held.")
        if locked.state in HELD_STATES:
            raise ValidationError("This session is already marked as held; correct its attendance instead.")
        if locked.starts_at > timezone.now():
            raise ValidationError("This session has not started yet: mark it held once it has taken place.")
        attendees = _record(locked, present)
        locked.state = SessionState.HELD
        locked.held_at = timezone.now()
        locked.save(update_fields=["state", "held_at", "updated_at"])
        _invite(locked, attendees)
    return locked


def session_record_attendance(session: Session, *, attended: Iterable[int], by: User | None) -> Session:
    """Correct who attended a held session. Someone newly recorded as present is invited to the survey; an unused
    invitation of someone now recorded as absent is withdrawn (a used one stays: its answer is anonymous)."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    present = {int(person_id) for person_id in attended}
    with transaction.atomic():
        locked = _locked(session)
        if locked.state not in HELD_STATES:
            raise ValidationError("Attendance is recorded when the session is marked as held.")
        attendees = _record(locked, present)
        locked.survey_invitations.filter(used=False).exclude(person_id__in=present).delete()
        _invite(locked, attendees)
        locked.save(update_fields=["updated_at"])
    return locked


# --- the follow-up memo --------------------------------------------------------------------------------------------


def _department_leads(session: Session) -> list:
    if not session.series.department_id:
        return []
    rows = (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_LEAD, department_id=session.series.department_id, person__active=True)
        .select_related("person__user")
        .order_by("person__full_name")
    )
    return [row.person for row in rows]


def _stat_lead_name() -> str:
    row = (
        RoleAssignment.objects.current()
        .filter(role=Role.STAT_LEAD, person__active=True)
        .select_related("person")
        .order_by("starts_on", "pk")
        .first()
    )
    return f"{row.person.full_name}, Stat lead" if row else f"The {settings.PROGRAM_NAME} team"


def follow_up_draft(session: Session, *, by: User | None) -> FollowUpMemo:
    """The follow-up memo of a held session, drafted with its defaults the first time (to the department lead,
    from the Stat lead, replies to the series' address or the program's); the existing one after that."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked(session)
        existing = FollowUpMemo.objects.filter(session=locked).first()
        if existing is not None:
            return existing
        if locked.state not in HELD_STATES:
            raise ValidationError("The follow-up memo is written once the session is marked as held.")
        series = locked.series
        leads = _department_leads(locked)
        department = series.department.name if series.department else series.name
        to_line = "; ".join(f"{person.full_name}, {department}" for person in leads) or f"Head of {department}"
        meeting = timezone.localtime(locked.starts_at).date()
        return FollowUpMemo.objects.create(
            session=locked,
            to_line=to_line[:300],
            from_line=_stat_lead_name()[:300],
            memo_date=timezone.localdate(),
            subject=f"{series.name} of {meeting:%B} {meeting.day}, {meeting.year}: requests and commitments"[:300],
            introduction=(
                "Thank you for the session. Below are the requests and commitments recorded at it, numbered by "
                "topic, with their owners and deadlines. Please send your replies to the address below."
            ),
            reply_to=default_reply_to(locked),
        )


def _locked_follow_up(follow_up: FollowUpMemo) -> FollowUpMemo:
    return (
        FollowUpMemo.objects.select_for_update(of=("self",))
        .select_related("session__series__department")
        .get(pk=follow_up.pk)
    )


def follow_up_update(
    follow_up: FollowUpMemo,
    *,
    to_line: str | None = None,
    from_line: str | None = None,
    memo_date: datetime.date | None = None,
    subject: str | None = None,
    introduction: str | None = None,
    reply_to: str | None = None,
    by: User | None,
) -> FollowUpMemo:
    """Change the draft's header, introduction or reply address (what is ``None`` stays). A sent memo is refused."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_follow_up(follow_up)
        if locked.is_sent:
            raise ValidationError(FOLLOW_UP_SENT_REFUSED)
        changes = {
            "to_line": to_line,
            "from_line": from_line,
            "memo_date": memo_date,
            "subject": subject,
            "introduction": introduction,
            "reply_to": reply_to,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if locked.reply_to:
            try:
                validate_email(locked.reply_to)
            except ValidationError as exc:
                raise ValidationError({"reply_to": "Give an email address for replies."}) from exc
        locked.full_clean(exclude=["session", "snapshot", "pdf", "sent_by"])
        locked.save()
    return locked


def _recipients(session: Session) -> tuple[list[str], list[str]]:
    """To: the department's lead(s). Cc: the attendees from the department and the Stat team at the table, and the
    Stat lead and analysts (who answer for the follow-up). Each address once."""
    to = [address for person in _department_leads(session) if (address := _email_of(person))]
    cc: list[str] = []
    seats = session.attendees.filter(role__in=[SeatRole.DEPARTMENT, SeatRole.STAT_TEAM]).select_related("person__user")
    team = (
        RoleAssignment.objects.current()
        .filter(role__in=[Role.STAT_LEAD, Role.STAT_ANALYST], person__active=True)
        .select_related("person__user")
    )
    for person in [seat.person for seat in seats] + [row.person for row in team]:
        address = _email_of(person)
        if address and address not in to and address not in cc:
            cc.append(address)
    return to, cc


def follow_up_send(follow_up: FollowUpMemo, *, by: User | None) -> FollowUpMemo:
    """Freeze the follow-up memo as it reads now (its snapshot: everything the page shows), archive its PDF, email
    it to the department lead (cc the department's attendees and the Stat team) with the PDF attached once the
    transaction commits, and mark the session's follow-up sent. Sending twice is refused."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_follow_up(follow_up)
        if locked.is_sent:
            raise ValidationError(FOLLOW_UP_SENT_REFUSED)
        session = _locked(locked.session)
        if session.state not in HELD_STATES:
            raise ValidationError("The follow-up memo is sent once the session is marked as held.")
        to, cc = _recipients(session)
        if not to:
            raise ValidationError("The department has no lead with an email address to send the follow-up memo to.")
        now = timezone.now()
        locked.session = session
        snapshot = follow_up_contents(locked)
        snapshot["sent_at"] = now.isoformat()
        snapshot["sent_by"] = _name_of(by)
        pdf = render_pdf(FOLLOW_UP_PDF_TEMPLATE, {"memo": snapshot})
        filename = f"follow-up-{session.series.name}-{timezone.localtime(session.starts_at):%Y-%m-%d}.pdf"
        filename = "".join(c if c.isalnum() or c in "-." else "-" for c in filename).lower()
        locked.pdf.save(filename, ContentFile(pdf), save=False)
        locked.snapshot = snapshot
        locked.state = MemoState.SENT
        locked.sent_at = now
        locked.sent_by = by
        locked.save()
        session.state = SessionState.FOLLOW_UP_SENT
        session.follow_up_sent_at = now
        session.save(update_fields=["state", "follow_up_sent_at", "updated_at"])
        message = EmailMessage(
            subject=snapshot["subject"],
            body=render_to_string("stat_sessions/email/follow_up.txt", {"memo": snapshot}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            cc=cc,
            reply_to=[snapshot["reply_to"]] if snapshot["reply_to"] else None,
        )
        message.attach(filename, pdf, "application/pdf")
        transaction.on_commit(message.send, robust=True)
    return locked


def _name_of(by: User | None) -> str:
    if by is None:
        return f"the {settings.PROGRAM_NAME} team"
    person = getattr(by, "person", None)
    return person.full_name if person is not None else (by.get_full_name() or by.get_username())


# --- the survey ----------------------------------------------------------------------------------------------------


def survey_answer(token: str, *, score: int | str, comment: str = "", by: User | None) -> SurveyResponse:
    """Answer "Was this worth your time?" through a one-time link. The token is the authority, not ``by``: the
    survey is answered without signing in (``by`` is ``None`` for a visitor), and whoever answers is never
    recorded. The invitation's ``used`` flag flips under a row lock, so a link answers once; a second use, an
    unknown link, a score outside 1-5 or an overlong comment raise :class:`ValidationError` with a message. The
    answer holds its session, score and comment only."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"score": "Choose a score from 1 (not at all) to 5 (very much)."})
    comment = (comment or "").strip()
    if len(comment) > SURVEY_COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment under {SURVEY_COMMENT_MAX} characters."})
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update().filter(token_hash=survey_token_hash(token or "")).first()
        )
        if invitation is None:
            raise ValidationError(SURVEY_LINK_UNKNOWN)
        if invitation.used:
            raise ValidationError(SURVEY_LINK_USED)
        invitation.used = True
        invitation.save(update_fields=["used"])
        return SurveyResponse.objects.create(session_id=invitation.session_id, score=value, comment=comment)
