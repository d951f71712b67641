#!/usr/bin/env bash
# The network namespace the call tests and the call benchmark run in (tests/e2e_calls/conftest.py says why):
#   netns.sh up NAME     a fresh namespace: loopback up, and a veth pair whose end v0 has 169.254.77.1
#                        (Janus offers ICE candidates only on v0; nothing in there reaches the host's network)
#   netns.sh down NAME   deletes it (nothing happens when it is not there)
# Needs root. Then: ip netns exec NAME <command>.
set -euo pipefail
action=${1:?usage: netns.sh up|down NAME}
name=${2:?usage: netns.sh up|down NAME}
case $action in
  up)
    if ip netns list | grep -qw -- "$name"; then
      echo "netns.sh: the namespace $name exists already (another run?); pick another name" >&2
      exit 1
    fi
    ip netns add "$name"
    ip -n "$name" link set lo up
    ip -n "$name" link add v0 type veth peer name v1
    ip -n "$name" addr add 169.254.77.1/32 dev v0
    ip -n "$name" link set v1 up
    ip -n "$name" link set v0 up
    ;;
  down)
    ip netns delete "$name" 2>/dev/null || true
    ;;
  *)
    echo "usage: netns.sh up|down NAME" >&2
    exit 2
    ;;
esac
