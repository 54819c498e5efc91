#!/usr/bin/env bash
# The tests need two programs npm cannot provide: redis-server (the queue
# tests start a private one) and Debian's chromium (the HTML report is checked
# in a real headless browser). Install whichever is missing from Debian's
# packages when we may (root with apt-get); otherwise say what to install.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
((${#missing[@]})) || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "stripscan: installing ${missing[*]} from Debian's packages for the tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "stripscan: the tests need these Debian packages: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
