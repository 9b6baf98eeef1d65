from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Stat sessions: meeting series, their sessions, attendees, preparation and calendar feeds. Labelled
    ``stat_sessions`` because ``django.contrib.sessions`` owns the label ``sessions``."""

    name = "sessions"
    label = "stat_sessions"
    verbose_name = "Stat sessions"

    def ready(self) -> None:
        from team.signals import portfolio_coverage_changed

        from .receivers import sync_budget_analysts

        portfolio_coverage_changed.connect(sync_budget_analysts, dispatch_uid="stat_sessions.sync_budget_analysts")
