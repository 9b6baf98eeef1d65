"""Settings for statprogram, read from the environment in this one module.

With no environment set the app runs on SQLite under ``var/`` with Celery tasks run eagerly in-process, so a
fresh clone works with ``make run``. Set ``DATABASE_URL`` and ``REDIS_URL`` to run on PostgreSQL and Redis with
real Celery workers and beat. Production (``DEBUG`` off) refuses to start without a real ``SECRET_KEY``.

The test suite runs on ``statprogram.settings_test``, which imports this module and changes what tests need; nothing
here looks for tests.
"""

from pathlib import Path
from urllib.parse import urlsplit

import django.forms
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Only statprogram.settings_test turns this on (code that must behave differently under the test suite reads it).
TESTING = False

_INSECURE_DEV_KEY = "django-insecure-statprogram-development-key-not-for-production-use"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off statprogram needs a long random SECRET_KEY in the environment "
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"), '
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = _INSECURE_DEV_KEY
elif not DEBUG and (SECRET_KEY == _INSECURE_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "axes",
    "csp",
    "core",
    "team",
    "inventory",
    "quality",
    "goals",
    "sessions.apps.SessionsConfig",  # label stat_sessions (django.contrib.sessions owns "sessions")
    "budget",
    "demo",  # the demo city's seeding: last, it imports the apps above and none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL character in a query string gets a 400 with a message here, before a view hands it to the database.
    "core.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "statprogram.urls"
WSGI_APPLICATION = "statprogram.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "statprogram.context_processors.navigation",
            ],
        },
    },
    {
        # The few hot partials a page renders row by row, field by field or option by option, too slow through the
        # Django template language: the ``*.jinja`` files beside the Django templates (the inventory list's rows,
        # every form's field), rendered from them with ``{% jinja %}``, and the list pages' form widgets
        # (core.forms.JINJA2_WIDGETS, which finds Django's own Jinja2 widget templates here too).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates", Path(django.forms.__file__).parent / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja_env.environment"},
    },
]

# --- Data stores -----------------------------------------------------------------------------------------------
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the default SQLite file, collected static files and uploads live here
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'statprogram.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A connection kept between requests or tasks (CONN_MAX_AGE) is checked before its first use, so one the database
# closed (a restart, a failover) is replaced instead of failing a request or a task (core.db).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The cache fails open (core.cache): while Redis does not answer, pages render uncached instead of answering 500,
# and after a failure Redis is tried again only every CACHE_RETRY_SECONDS; the short socket time-outs bound what a
# Redis that does not even refuse the connection (an unreachable host) costs a page.
CACHE_CONNECT_TIMEOUT = env.float("CACHE_CONNECT_TIMEOUT", default=0.25)
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=1.0)
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
REDIS_CACHE = {
    "BACKEND": "core.cache.FailOpenRedisCache",
    "OPTIONS": {
        "socket_connect_timeout": CACHE_CONNECT_TIMEOUT,
        "socket_timeout": CACHE_SOCKET_TIMEOUT,
        "RETRY_SECONDS": CACHE_RETRY_SECONDS,
    },
}
if REDIS_URL:
    CACHES = {"default": {**REDIS_CACHE, "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "statprogram"}}
# Sessions live in the database, never in the cache: signing in and staying signed in do not depend on Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ----------------------------------------------------------------------------------------------------
# Without Redis, tasks run eagerly in-process so a fresh clone works with no services at all.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks are sent through the outbox (core.outbox.enqueue): written in the transaction that asks for them, handed to
# the broker on commit, and left waiting when the broker does not answer, for core.outbox_drain to send (beat, every
# minute, and each worker as it starts). A claim older than OUTBOX_CLAIM_SECONDS is from a process that died
# mid-send: the drain sends that task again.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=5 * 60)
BROKER_CONNECT_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis's redelivery of a task whose worker died unacknowledged; countdowns (quality retries) stay under it.
    "visibility_timeout": 60 * 60,
    # An unreachable Redis costs a request this long at most when it asks for a task (then the task waits).
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
}
# Acknowledge a task when it returns, not when it starts: if the worker machine or its main process dies mid-task
# the message is not acknowledged and Redis hands it out again after its visibility timeout (an hour). A pool
# process that dies (killed, out of memory, the hard time limit) has its task acknowledged as failed, never
# redelivered (REJECT_ON_WORKER_LOST off), so a task that kills its process cannot loop. Every task is safe to run
# twice; quality runs also count their attempts (QUALITY_MAX_ATTEMPTS), beat a heartbeat while they run, and the
# sweeper frees (and retries) within minutes a run whose heartbeat stopped, long before the visibility timeout.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue tasks are sent to when none is named (the integration tests give each worker a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A pool process whose resident memory has grown past this many KiB (1 GiB by default) is replaced once its task
# ends, so no worker keeps holding what one large file made it allocate (Python rarely gives freed memory back).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1024 * 1024)
if CELERY_WORKER_MAX_MEMORY_PER_CHILD <= 0:
    raise ImproperlyConfigured("CELERY_WORKER_MAX_MEMORY_PER_CHILD must be a positive number of KiB.")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = env.str("TIME_ZONE", default="America/New_York")

# --- Fetching URLs and data-quality checks ---------------------------------------------------------------------
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=30.0)
# The safe fetch (core.fetch) refuses private, loopback, link-local and reserved addresses. Only the test settings
# may let it reach loopback (FETCH_ALLOW_LOOPBACK), where the suite's local HTTP server stands in for the internet.
# Long work out of the request (core.jobs): the largest input a job keeps (an uploaded or fetched file), before
# compression; the harvest itself takes catalogues of at most 50 MB.
JOB_PAYLOAD_MAX_BYTES = env.int("JOB_PAYLOAD_MAX_BYTES", default=64 * 1024 * 1024)
QUALITY_MAX_BYTES = env.int("QUALITY_MAX_BYTES", default=500 * 1024 * 1024)  # largest download or upload checked
QUALITY_MAX_DECOMPRESSED_BYTES = env.int("QUALITY_MAX_DECOMPRESSED_BYTES", default=2 * 1024 * 1024 * 1024)
QUALITY_FETCH_SECONDS = env.int("QUALITY_FETCH_SECONDS", default=600)  # a whole download, under the soft limit
QUALITY_MAX_ATTEMPTS = env.int("QUALITY_MAX_ATTEMPTS", default=4)  # starts of one run, retries included
QUALITY_RETRY_BACKOFF = env.int("QUALITY_RETRY_BACKOFF", default=60)  # seconds, doubled at each retry...
QUALITY_RETRY_BACKOFF_MAX = env.int("QUALITY_RETRY_BACKOFF_MAX", default=30 * 60)  # ...up to this (< visibility)
QUALITY_HEARTBEAT_SECONDS = env.float("QUALITY_HEARTBEAT_SECONDS", default=30)  # a running check says it is alive
QUALITY_STUCK_AFTER_SECONDS = env.float("QUALITY_STUCK_AFTER_SECONDS", default=3 * 60)  # silent this long: freed
QUALITY_REQUEUE_AFTER_SECONDS = env.int("QUALITY_REQUEUE_AFTER_SECONDS", default=2 * 60 * 60)  # queued, lost
# A computation of measures (goals) beats too; silent this long, the sweeper sends it again (at most 3 starts).
GOALS_COMPUTE_HEARTBEAT_SECONDS = env.float("GOALS_COMPUTE_HEARTBEAT_SECONDS", default=30)
GOALS_COMPUTE_STUCK_AFTER_SECONDS = env.float("GOALS_COMPUTE_STUCK_AFTER_SECONDS", default=3 * 60)
QUALITY_DIGEST_HOUR = env.int("QUALITY_DIGEST_HOUR", default=7)  # local hour the daily digests go out
# Uploaded data files kept per dataset (the newest; those behind a run still shown or running are kept too).
QUALITY_UPLOADS_KEPT = env.int("QUALITY_UPLOADS_KEPT", default=5)
if QUALITY_UPLOADS_KEPT < 1:
    raise ImproperlyConfigured("QUALITY_UPLOADS_KEPT must be at least 1: a dataset's newest upload may be its source.")

# --- Auth ------------------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "team.backends.StatProgramBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "site:dashboard"
LOGOUT_REDIRECT_URL = "site:home"

# django-axes: lock an account and address pair out after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address is the one the outermost of PROXY_COUNT trusted proxies saw (core.http.client_ip), so that
# behind the TLS proxy each client is locked out on its own. (AXES_PROXY_COUNT is the variable's former name.)
PROXY_COUNT = env.int("PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT must be 0 or more, not {PROXY_COUNT}.")
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"

# Password reset by email: at most so many requests per client address and per email address in each window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)

# --- Email -----------------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="statprogram@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing (before collectstatic)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # USWDS's compiled assets only (its Sass sources are not served).
    *(
        (f"uswds/{part}", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist" / part)
        for part in ("css", "js", "img", "fonts")
    ),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # plotly.js at the version the Python plotly package builds figures for (plotly.offline.get_plotlyjs_version),
    # its basic bundle (scatter, bar and pie traces: all our charts draw), a quarter of the full one's size.
    ("plotly", BASE_DIR / "node_modules" / "plotly.js-basic-dist-min"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development WhiteNoise looks files up per request instead of indexing thousands of them each time a handler
# starts.
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- API -------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # drf-spectacular's, with every error answer and blank value
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON nested too deep or holding a lone surrogate or a NUL is a 400 with a message, not a 500 (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "statprogram API",
    "DESCRIPTION": "Read and write the city's Stat program: its team, data inventory, goals and sessions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a "state": each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SessionStateEnum": "sessions.models.SessionState",
        "MemoStateEnum": "sessions.models.MemoState",
        "ActionItemStateEnum": "sessions.models.ItemState",
        "ActionItemStatusEnum": "sessions.models.ItemStatus",
        "FiscalYearStatusEnum": "budget.models.FiscalYearStatus",
        "BudgetCategoryEnum": "budget.models.Category",
        # The datasets' status keeps its name beside the fiscal years'.
        "StatusEnum": "inventory.models.Status",
    },
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put an anchor inside each operation's button (axe: nested-interactive), so they are off.
    # Syntax highlighting colours fail contrast; plain examples read as well.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": False,
        "persistAuthorization": False,
        "displayOperationId": False,
        "syntaxHighlight": False,
    },
}

# --- Security --------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: everything from our own origin, no inline scripts, styles or
# event handlers (the templates carry none: tests/core/test_csp.py), no plugins, forms posting only to us, and no
# framing. plotly.js needs no 'unsafe-eval' (its Function() uses are fallbacks that never run in a modern browser)
# nor inline styles: static/css/plotly.css stands in for the rules it would inject (see
# templates/components/plotly_styles.html). Images may be data: URIs (USWDS's and Swagger UI's CSS icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The one page made to be framed by other sites: a public measure's embed (/public/measures/<slug>/embed/). Who may
# frame it: any site by default ("*"), or a comma-separated list of origins.
CSP_EMBED_FRAME_ANCESTORS = env.list("CSP_EMBED_FRAME_ANCESTORS", default=["*"])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production hardening; `manage.py check --deploy --fail-level WARNING` passes with these defaults.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Program ---------------------------------------------------------------------------------------------------
CITY_NAME = env.str("CITY_NAME", default="City of Riverton")
# The month the city's fiscal year starts in (7: July to June; a fiscal year is named by the year it ends in).
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=7)
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured(f"FISCAL_YEAR_START_MONTH must be 1 to 12, not {FISCAL_YEAR_START_MONTH}.")
#: The city's currency (ISO 4217), for amounts on pages and in exports.
CURRENCY = env.str("CURRENCY", default="USD")
PROGRAM_NAME = env.str("PROGRAM_NAME", default="RivertonStat")
# The site's public address: every link in an email is built on it (core.links). `make run` passes the development
# server's own address as DEV_SITE_URL, which stands in for SITE_URL unless that is set (environment or .env).
SITE_URL = env.str("SITE_URL", default=env.str("DEV_SITE_URL", default="http://127.0.0.1:8000/"))
if urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// address with a host name, not {SITE_URL!r}.")
# data.json's contact for a dataset whose department has no contact mailbox of its own. A person's address is
# published only if the city opts in with PUBLISH_STEWARD_EMAILS.
PROGRAM_CONTACT_EMAIL = env.str("PROGRAM_CONTACT_EMAIL", default="").strip().lower()
if PROGRAM_CONTACT_EMAIL:
    try:
        validate_email(PROGRAM_CONTACT_EMAIL)
    except ValidationError as error:
        raise ImproperlyConfigured(f"PROGRAM_CONTACT_EMAIL is not an email address: {PROGRAM_CONTACT_EMAIL}") from error
PUBLISH_STEWARD_EMAILS = env.bool("PUBLISH_STEWARD_EMAILS", default=False)
# Demo logins exist only with DEBUG on; seed_demo refuses to create them otherwise, and with DEBUG off
# team.backends refuses this password for every account.
DEMO_PASSWORD = "statdemo-2026!"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint tells each step of every PDF it draws at INFO ("Step 1 - Fetching and parsing HTML").
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Without a broker, tasks run in-process (``make run``): a line per task run would bury the server's output.
        # A real worker keeps logging each task.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}
