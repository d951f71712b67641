"""The call tests' harness works: Janus answers inside the namespace and offers media only on v0, both sites answer,
and Chromium's fake camera goes through Janus to a subscriber (frames decoded rising)."""

from __future__ import annotations

import socket
import time
import urllib.request

from tests.e2e_calls.conftest import CallWorld, NewContext
from tests.e2e_calls.janus_client import create_room, destroy_room, frames, open_client
from tests.e2e_calls.waiting import wait_until


def _get(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return int(response.status)


def test_janus_and_both_sites_answer_inside_the_namespace(world: CallWorld) -> None:
    info = world.janus.request("/info")
    assert info["janus"] == "server_info"
    assert list(info["plugins"]) == ["janus.plugin.videoroom"], info["plugins"]
    assert list(info["transports"]) == ["janus.transport.http"], info["transports"]
    # token_auth: a session without a token is refused.
    answer = world.janus.request("", {"janus": "create"})
    assert answer["janus"] == "error", answer
    assert _get(f"{world.journal_url}/accounts/login/") == 200
    assert _get(f"{world.messenger_url}/") == 200
    # Nothing but the namespace's own addresses: the host's network is not reachable from here.
    assert {name for _, name in socket.if_nameindex()} <= {"lo", "v0", "v1"}


def test_fake_camera_goes_through_janus_to_a_subscriber(world: CallWorld, new_context: NewContext) -> None:
    room = create_room(world.janus)
    try:
        publisher = open_client(new_context("publisher"), world.janus)
        subscriber = open_client(new_context("subscriber"), world.janus)
        started = time.monotonic()
        publisher.evaluate("([room, feed]) => window.janusBench.publish(room, feed, 'camera')", [room, 1001])
        subscriber.evaluate("([room, feeds]) => window.janusBench.subscribe(room, feeds)", [room, [1001]])
        wait_until(
            lambda: any(s["kind"] == "video" and s["framesDecoded"] > 0 for s in frames(subscriber)),
            timeout=15,
            what="a decoded video frame at the subscriber",
        )
        print(f"\nCALLS first decoded frame through Janus {time.monotonic() - started:.2f}s after publishing")
        before = {s["kind"]: s for s in frames(subscriber)}
        subscriber.wait_for_timeout(2000)
        after = {s["kind"]: s for s in frames(subscriber)}
        assert after["video"]["framesDecoded"] > before["video"]["framesDecoded"], (before, after)
        assert after["audio"]["packetsReceived"] > before["audio"]["packetsReceived"], (before, after)
        # The candidates Janus offered are on v0 only (ice_enforce_list): the media stayed in the namespace.
        remote = subscriber.evaluate(
            """async () => {
                const out = [];
                for (const pc of window.janusBench.peerConnections()) {
                    (await pc.getStats()).forEach(s => { if (s.type === 'remote-candidate') out.push(s.address); });
                }
                return out;
            }"""
        )
        assert remote and set(remote) == {"169.254.77.1"}, remote
        subscriber.evaluate("() => window.janusBench.close()")
        publisher.evaluate("() => window.janusBench.close()")
    finally:
        destroy_room(world.janus, room)
