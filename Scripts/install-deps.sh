#!/usr/bin/env bash
# Installs the system packages consult needs (Debian/Ubuntu), when they are missing.
#   Scripts/install-deps.sh          what building and running need: libedit-dev, pkg-config
#   Scripts/install-deps.sh --test   also what the tests drive: tmux, the OpenSSH client,
#                                    OpenSSH's server (the recipe's test starts its own on a
#                                    loopback port; the system's sshd is not started) and Graphviz
#                                    (`consult graph --format svg` is tested for real), and
#                                    PostgreSQL (the record store's tests start their own server
#                                    as the postgres user in a temporary folder, on a Unix socket)
set -euo pipefail

packages=(libedit-dev pkg-config)
if [ "${1:-}" = "--test" ]; then
  packages+=(tmux openssh-client openssh-server graphviz postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "consult needs these packages: ${missing[*]}" >&2
  echo "Install them as root:  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]}..." >&2
export DEBIAN_FRONTEND=noninteractive
# Installing a server must not start it (sshd on port 22, PostgreSQL's cluster on 5432): policy-rc.d
# says no, for this install only.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
