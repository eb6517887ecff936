#!/usr/bin/env bash
# Interop with TrueConf's own chat-bot client: python-trueconf-bot from PyPI, in a virtual
# environment, against `trueconf-console simulate`. Usage: tests/python/bot_interop.sh [BIN]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Cargo's target directory: CARGO_TARGET_DIR when set (relative to here, as cargo takes it).
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$PWD/$target ;; esac
bin=${1:-$target/debug/trueconf-console}
venv=${TRUECONF_PY_VENV:-$target/py-venv}
[ -x "$bin" ] || { echo "no binary at $bin: run cargo build first" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "python-trueconf-bot==1.5.4"
# Loopback only: keep proxies out of the library's HTTP clients.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export NO_PROXY=127.0.0.1,localhost
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
timeout 120 "$venv/bin/python" "$root/tests/python/bot_interop.py" "$bin"
