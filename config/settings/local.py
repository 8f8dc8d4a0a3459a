"""The embedded default: `make run` with no environment. SQLite, eager tasks, console e-mail."""

from config.settings.base import *  # noqa: F403
from config.settings.base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed key is acceptable only here: the local database holds demo data and nothing else.
# Static files straight from the source folders: no collectstatic step for a newcomer.
WHITENOISE_USE_FINDERS = True
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-for-the-embedded-demo-do-not-deploy"
