from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Stat sessions: meeting series, their sessions, attendees and calendar feeds. Labelled ``stat_sessions``
    because ``django.contrib.sessions`` owns the label ``sessions``."""

    name = "sessions"
    label = "stat_sessions"
    verbose_name = "Stat sessions"
