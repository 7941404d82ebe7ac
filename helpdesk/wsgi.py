"""
WSGI config for helpdesk project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

application = get_wsgi_application()

# What the apps load once per process (jieba's dictionary), before the first request: see warmup.py.
from helpdesk import warmup  # noqa: E402

warmup.run()
