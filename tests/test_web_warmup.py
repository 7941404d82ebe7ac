"""A web process loads jieba's dictionary as it starts, not inside its first ticket write.

Found by bench/load.py: on a busy machine each gunicorn worker's first reply or submission with
Chinese text waited 15 s for the dictionary, with the ticket's row locked. ``helpdesk/wsgi.py``
now runs the apps' warm-up loaders (helpdesk/warmup.py) before the worker serves anything.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import django
django.setup()
from tickets import search
before = search._tokenizer is not None   # a management command, a worker, a test: not loaded
import helpdesk.wsgi                       # what gunicorn imports in each worker
after = search._tokenizer is not None
print(before, after)
"""


def test_the_wsgi_application_loads_the_chinese_tokenizer_before_the_first_request():
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings_test", REDIS_URL=settings.REDIS_URL, PYTHONUNBUFFERED="1"
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True"]
