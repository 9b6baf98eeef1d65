"""Authentication: Django's model backend, guarded against the demo city's published password."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class StatProgramBackend(ModelBackend):
    """Signs people in as Django's ModelBackend does, except that with DEBUG off a demo login (seeded by
    ``seed_demo``) cannot sign in with the demo password, which the README publishes. A city that seeded the demo
    on a server and then turned DEBUG off is not left with open accounts."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DEBUG and password == settings.DEMO_PASSWORD:
            from .demo import demo_usernames

            if username in demo_usernames():
                return None
        return super().authenticate(request, username=username, password=password, **kwargs)
