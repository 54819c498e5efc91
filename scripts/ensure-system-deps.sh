#!/usr/bin/env bash
# The tests need programs npm cannot provide, all from Debian's packages:
# - redis-server: the queue tests start a private one;
# - chromium: the HTML report is checked in a real headless browser;
# - iproute2: the sim's loopback-only test builds its own network namespaces;
# - postfix, exim4-daemon-light and python3-aiosmtpd: real SMTP servers the
#   probe is checked against (test/fixtures/mta/). Postfix and Exim conflict
#   as system MTAs, so Exim's .deb is only unpacked (dpkg -x) into $EXIM_DIR,
#   with the libraries it links installed and its compiled-in run-time user
#   (Debian-exim) created; the tests run it from there with their own config;
# - nsd, ldnsutils and unbound: the domain tests (test/domains/) serve their
#   zones with NSD, signed at test time with ldns-signzone, behind a private
#   validating Unbound on a high loopback port (never the system resolver).
# Installing postfix must not start a system MTA on port 25: debconf is
# preseeded with "No configuration" (no main.cf, so nothing can start) and,
# when the machine has none, a policy-rc.d forbids starting services during
# the install (NSD's and Unbound's services would otherwise start too, and
# Debian's Unbound would query the root servers). The tests start their own
# instances on high loopback ports.
# Install whatever is missing when we may (root with apt-get); otherwise say
# what to install.
set -euo pipefail
EXIM_DIR=/opt/stripscan-test/exim4
EXIM_USER=Debian-exim

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ -x /usr/lib/postfix/sbin/master ] || missing+=(postfix)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
[ -x /usr/sbin/nsd ] || missing+=(nsd)
[ -x /usr/bin/ldns-signzone ] || missing+=(ldnsutils)
[ -x /usr/sbin/unbound ] || missing+=(unbound)
need_exim=0
{ [ -x "$EXIM_DIR/usr/sbin/exim4" ] && getent passwd "$EXIM_USER" >/dev/null; } || need_exim=1
((${#missing[@]} + need_exim)) || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  ((${#missing[@]})) &&
    echo "stripscan: the tests need these Debian packages: ${missing[*]} (apt-get install ${missing[*]})" >&2
  ((need_exim)) &&
    echo "stripscan: the tests need exim4-daemon-light unpacked into $EXIM_DIR and a $EXIM_USER user: run 'bash scripts/ensure-system-deps.sh' once as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
own_policy=0
download=''
cleanup() {
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  [ -n "$download" ] && rm -rf "$download"
  true
}
trap cleanup EXIT
apt-get update -qq

if ((${#missing[@]})); then
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    # Postfix replaces whatever MTA the machine has: never do that behind the user's back.
    replaced=$(apt-get install -s -qq --no-install-recommends postfix | awk '/^Remv /{print $2}' | tr '\n' ' ')
    if [ -n "$replaced" ]; then
      echo "stripscan: installing postfix for the tests would remove ${replaced% }; install postfix yourself if that is what you want" >&2
      exit 1
    fi
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  fi
  # No service of these packages may start: the tests run their own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  echo "stripscan: installing ${missing[*]} from Debian's packages for the tests" >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((need_exim)); then
  echo "stripscan: unpacking exim4-daemon-light into $EXIM_DIR for the tests" >&2
  download=$(mktemp -d)
  chown _apt "$download" 2>/dev/null || true # apt downloads as _apt when it can
  (cd "$download" && apt-get download -qq exim4-daemon-light)
  deb=$(echo "$download"/exim4-daemon-light_*.deb)
  # The shared libraries the binary links, from its Depends (first alternative, no
  # versions), less the packages that would make Exim the system MTA.
  libs=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
    grep -v -x -e exim4-base -e debconf -e '')
  # shellcheck disable=SC2086 # one package name per word
  apt-get install -y -qq --no-install-recommends $libs >/dev/null
  rm -rf "$EXIM_DIR"
  mkdir -p "$EXIM_DIR"
  dpkg -x "$deb" "$EXIM_DIR"
  getent passwd "$EXIM_USER" >/dev/null ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$EXIM_USER"
fi
