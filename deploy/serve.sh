#!/bin/sh
# One Backprop Explorer replica with the production flags: the Dockerfile's command, and what
# tests/test_balancer.py starts twice behind HAProxy (so the flags the tests prove are these).
#
#   STREAMLIT_SERVER_COOKIE_SECRET   required, the same on every replica (Streamlit reads it as
#                                    server.cookieSecret): it signs the XSRF cookie, so a browser's
#                                    upload is accepted by whichever replica holds its session,
#                                    and a replica restarted or added keeps the cookies valid.
#   ADDRESS, PORT                    where to listen (default 0.0.0.0:8501, Streamlit's port).
#
# Flags: no browser is opened and no prompt is asked (headless); no usage statistics leave the
# server; Streamlit's XSRF protection is on (its default, stated so that no config file can turn
# it off unnoticed); no file watcher (the code of a deployed replica does not change).
set -eu
cd "$(dirname "$0")/.."

# A per-process random secret is what Streamlit uses when none is set: replicas would then refuse
# each other's cookies, silently. Refuse to start instead. 32 characters: 128 bits or more from
# `openssl rand -hex 32` (64) or `secrets.token_urlsafe(32)` (43).
secret="${STREAMLIT_SERVER_COOKIE_SECRET:-}"
if [ "${#secret}" -lt 32 ]; then
    echo "serve.sh: set STREAMLIT_SERVER_COOKIE_SECRET (at least 32 characters, the same on every replica)," \
         "e.g. openssl rand -hex 32" >&2
    exit 64
fi

exec streamlit run app.py \
    --server.headless=true \
    --browser.gatherUsageStats=false \
    --server.enableXsrfProtection=true \
    --server.fileWatcherType=none \
    --server.address="${ADDRESS:-0.0.0.0}" \
    --server.port="${PORT:-8501}"
