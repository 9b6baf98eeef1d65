"""The Stat sessions pages, one module per part: :mod:`.calendar` (the ICS feeds and the personal calendar's reset),
:mod:`.series` (the index, a series' form and page), :mod:`.session` (a session's page and its actions) and
:mod:`.public` (the published schedule). Who may do what is :mod:`sessions.access`'s to say; writes go through
:mod:`sessions.services`, which check the same rules."""
