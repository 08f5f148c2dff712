from .base import *  # noqa: F403
from .base import env

# `make run` serves like production: DEBUG off (WhiteNoise serves the collected static files, the friendly
# Indonesian 404/500 pages show). KINERJA_DEBUG=1 (or DJANGO_DEBUG=1) turns Django's debug mode on.
DEBUG = env.bool("DJANGO_DEBUG", default=env.bool("KINERJA_DEBUG", default=False))
