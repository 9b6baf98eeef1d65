"""Quality's badges as display values: what each says, its icon and colours. The markup is one template,
``templates/quality/_badge.jinja`` (a dataset's cell in the inventory list: ``_dataset_badge.jinja``); the template
tags in ``quality.templatetags.quality_tags`` render it inside Django templates.

Text and an icon carry the meaning, never colour alone; the colours are USWDS utilities with text at AA contrast.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ObjectDoesNotExist
from django.templatetags.static import static

from .models import DatasetQuality, Outcome

_ICONS = {
    Outcome.PASS: "check_circle",
    Outcome.WARN: "warning",
    Outcome.FAIL: "cancel",
    Outcome.ERROR: "error",
}
_COLOURS = {
    Outcome.PASS: "bg-success-darker text-white",
    Outcome.WARN: "bg-warning-light text-ink",
    Outcome.FAIL: "bg-error-darker text-white",
    Outcome.ERROR: "bg-base-darkest text-white",
    "": "bg-base-lighter text-ink",
}
_LABELS = {Outcome.PASS: "Passing", Outcome.WARN: "Warning", Outcome.FAIL: "Failing", Outcome.ERROR: "Error"}
_STALE_COLOURS = "bg-base-darker text-white"


@lru_cache(maxsize=1)
def sprite_url() -> str:
    """The USWDS icon sprite's address, looked up once (a list draws an icon in every row)."""
    return static("uswds/img/sprite.svg")


@dataclass(frozen=True)
class Badge:
    text: str
    icon: str
    colours: str

    @property
    def sprite(self) -> str:
        return sprite_url()


def outcome_badge(outcome: str, score: int | None = None) -> Badge:
    """One outcome ("Failing 42", "Passing 97", "Not checked"), with the score when there is one."""
    if outcome not in _ICONS:
        return Badge("Not checked", "help_outline", _COLOURS[""])
    label = _LABELS[Outcome(outcome)]
    return Badge(label if score is None else f"{label} {score}", _ICONS[Outcome(outcome)], _COLOURS[outcome])


def check_badge(status: str) -> Badge:
    """One check's status: Pass, Warning, Fail, Error."""
    if status not in _ICONS:
        return Badge(status or "Unknown", "help_outline", _COLOURS[""])
    return Badge(Outcome(status).label, _ICONS[Outcome(status)], _COLOURS[status])


STALE = Badge("Stale", "schedule", _STALE_COLOURS)


def latest_quality(dataset) -> DatasetQuality | None:
    """The dataset's judgement if it was joined in and exists, else None (never a query)."""
    try:
        return dataset.quality
    except ObjectDoesNotExist:
        return None


def dataset_badges(dataset) -> list[Badge] | None:
    """A dataset's latest judgement as badges (its outcome, then "Stale" when it is), read from the judgement that
    ``quality.selectors.with_quality_badge`` joined in; ``None`` when the reader may not see it
    (``quality_readable``)."""
    if not getattr(dataset, "quality_readable", True):
        return None
    quality = latest_quality(dataset)
    badges = [outcome_badge(quality.outcome if quality else "", quality.score if quality else None)]
    if quality and quality.stale:
        badges.append(STALE)
    return badges
