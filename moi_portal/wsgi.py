"""WSGI entry point for gunicorn: ``gunicorn moi_portal.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moi_portal.settings")

application = get_wsgi_application()
