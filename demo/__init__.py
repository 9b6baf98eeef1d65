"""The demo city (the fictional City of Riverton) and the commands that seed it: ``seed_demo``, ``demo_logins`` and
``seed_quality_demo``.

This app sits on top of the others: it may import any of them (:mod:`demo.team`, :mod:`demo.inventory`,
:mod:`demo.quality` and :mod:`demo.goals` write through their services, in that order), and none of them imports it.
It has no models."""
