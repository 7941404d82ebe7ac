#!/usr/bin/env bash
# Serve the site with its worker and beat (Procfile, via honcho) until Ctrl-C.
# Expects `make setup` to have run. Embedded PostgreSQL and Redis are stopped on the way out
# unless DATABASE_URL / REDIS_URL point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python manage.py seed_demo --if-empty

port="${PORT:-8000}"
cat <<MSG

  Helpdesk is starting at  http://127.0.0.1:${port}/
  Health check:            http://127.0.0.1:${port}/healthz
  Demo logins (password helpdesk-demo):
    manager    erin.manager@helpdesk.example
    agent      carol.agent@helpdesk.example
    agent 中文  li.wei@helpdesk.example
    requester  alice.smith@acme.example
    admin      admin@helpdesk.example
  Press Ctrl-C to stop.

MSG

stop_embedded() {
  if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    .venv/bin/python -m helpdesk.embedded stop || true
  fi
}
trap stop_embedded EXIT

status=0
PORT="$port" .venv/bin/honcho start -f Procfile || status=$?
# Ctrl-C (130) or a TERM (143) is how one stops it, not a failure.
case "$status" in 130 | 143) status=0 ;; esac
exit "$status"
