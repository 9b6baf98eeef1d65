"""Authentication: Django's model backend, guarded against the demo city's published password."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class StatProgramBackend(ModelBackend):
    """Signs people in as Django's ModelBackend does, except that with DEBUG off nobody can sign in with
    ``settings.DEMO_PASSWORD``, the demo logins' password, which the README publishes. A city that seeded the demo
    on a server and then turned DEBUG off is not left with open accounts, and no other account can use that password
    either. It checks the setting only, not which accounts the demo created."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DEBUG and password == settings.DEMO_PASSWORD:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
