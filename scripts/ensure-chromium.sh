#!/usr/bin/env bash
# Browser tests drive a real Chromium at /usr/bin/chromium; install it (Debian/Ubuntu) if missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium
