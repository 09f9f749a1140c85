#!/usr/bin/env bash
# Installs what the tests need on a Debian machine: real httpd + mod_wsgi for
# the acceptance suite, ansible-core for the fleet tests, patch for the diff
# tests. Runs apt-get update once, and only when something is missing.
set -euo pipefail

need=()
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -f /usr/lib/apache2/modules/mod_wsgi.so ] || need+=(libapache2-mod-wsgi-py3)
command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible-core)
command -v patch >/dev/null 2>&1 || need+=(patch)
command -v git >/dev/null 2>&1 || need+=(git)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${WSGIFIX_BENCH:-}" = 1 ]; then
	command -v augtool >/dev/null 2>&1 || need+=(augeas-tools)
fi

if [ ${#need[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${need[*]} and not root; install them with apt-get" >&2
	exit 1
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
