#!/usr/bin/env bash
# Installs the Debian packages calls need when they are missing: the Janus WebRTC server and the browser side of it
# (janus.js and webrtc-adapter, served by the messenger), and what turns recordings into videos (janus-pp-rec of
# janus-tools, ffmpeg). Best effort: without root (or sudo) or without the
# packages it says so and exits 0 — the messenger then tells people that calls are unavailable instead of failing.
set -uo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

need=()
command -v janus >/dev/null || need+=(janus)
[ -f /usr/share/javascript/janus-gateway/janus.js ] || need+=(libjs-janus-gateway)
[ -f /usr/share/javascript/webrtc-adapter/adapter.js ] || need+=(libjs-webrtc-adapter)
command -v janus-pp-rec >/dev/null || need+=(janus-tools)
{ command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; } || need+=(ffmpeg)
[ ${#need[@]} -eq 0 ] && exit 0

echo "parta: installing Debian packages for calls: ${need[*]}" >&2
if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
  || { as_root apt-get update -qq >/dev/null 2>&1 \
       && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; }; then
  exit 0
fi
echo "parta: could not install ${need[*]} (needs root or sudo and Debian's packages): calls will be unavailable" >&2
exit 0
