#!/usr/bin/env python3
import os
import sys
from pathlib import Path


def _names_in_dotenv() -> set[str]:
    """The variable names a .env file beside this script sets (settings.py reads it too)."""
    dotenv = Path(__file__).resolve().with_name(".env")
    if not dotenv.is_file():
        return set()
    lines = dotenv.read_text(encoding="utf-8", errors="replace").splitlines()
    return {line.split("=", 1)[0].removeprefix("export ").strip() for line in lines if "=" in line}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statprogram.settings")
    # A developer's machine with nothing configured (no DEBUG, no SECRET_KEY) gets development mode, so
    # `manage.py makemigrations` and friends just work. A server always sets SECRET_KEY, and so keeps DEBUG off
    # unless it says otherwise; gunicorn (statprogram.wsgi) never gets this default.
    if not ({"DEBUG", "SECRET_KEY"} & (set(os.environ) | _names_in_dotenv())):
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
