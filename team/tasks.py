from celery import shared_task
from django.conf import settings

from .emails import send_person_invite
from .models import Person


@shared_task(name="team.person_invite")
def person_invite_task(person_id: int, base_url: str = "") -> bool:
    """Email a new login its set-your-password link. Safe to run twice: once the password is set it sends nothing.

    ``base_url`` is the site's address as the inviting request saw it (``https://stat.example.gov/``).
    """
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is None:
        return False
    return send_person_invite(person, base_url=base_url or settings.SITE_URL)
