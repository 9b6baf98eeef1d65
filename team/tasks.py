from celery import shared_task

from .emails import send_person_invite
from .models import Person


@shared_task(name="team.person_invite")
def person_invite_task(person_id: int, base_url: str = "") -> bool:
    """Email a new login its set-your-password link. Safe to run twice: once the password is set it sends nothing.

    The link is on ``SITE_URL``. ``base_url`` is no longer read: it is accepted so an invitation queued before (with
    the inviting request's address) still goes out, with links on ``SITE_URL`` like every other.
    """
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is None:
        return False
    return send_person_invite(person)
