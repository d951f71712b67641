"""Recording a lesson (issue 11) as a test drives and checks it: the call page's «Запись» control and indicator (by
role and text, docs/recording.md), the messenger's Recording rows (read in its Django, for precise failures), the
call chat's messages through the API, the stored video through ffprobe, and a <video> element playing it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.servers import Sites, run_site_python
from tests.e2e_calls.waiting import wait_until

RECORDING_ON = "Идёт запись"  # the indicator every participant sees while recording
RECORDING_NOTICE = "Урок записывается"  # the pre-join page while recording
START = re.compile(r"^\s*(Запись|Начать запись)\s*$")
STOP = re.compile(r"^\s*(Остановить запись|Стоп|Запись)\s*$")
LIVE_MS = 15_000


# --- the call page ---------------------------------------------------------------------------------------------------


def record_button(page: Page) -> Locator:
    """The «Запись» control in the call's toolbar (a button; aria-pressed="true" while recording)."""
    return page.locator("#call-room").get_by_role("button", name=START)


def indicator(page: Page) -> Locator:
    """«● Идёт запись» in the room (a status; hidden elements are not matched by role)."""
    return page.get_by_role("status").filter(has_text=RECORDING_ON)


def prejoin_notice(page: Page) -> Locator:
    """«Урок записывается» on the pre-join screen."""
    return page.get_by_role("status").filter(has_text=RECORDING_NOTICE)


def start_recording(page: Page) -> None:
    button = record_button(page)
    expect(button).to_be_visible()
    button.click()
    expect(indicator(page).first).to_be_visible(timeout=LIVE_MS)


def stop_recording(page: Page) -> None:
    """«Остановить запись» (or «Запись» pressed again), and the page's confirmation if it asks."""
    stop = page.locator("#call-room").get_by_role("button", name=STOP)
    pressed = stop.and_(page.locator("[aria-pressed=true]"))
    target = pressed if pressed.count() else stop
    expect(target.first).to_be_visible()
    target.first.click()
    _confirm_if_asked(page)


def _confirm_if_asked(page: Page) -> None:
    confirm = page.locator("#call-confirm-ok")
    try:
        confirm.wait_for(state="visible", timeout=1500)
    except Exception:
        return
    confirm.click()


def recording_state(page: Page) -> dict[str, Any]:
    """CallState.recording as this person's page gets it ({} when the API has none)."""
    from tests.e2e_calls import call_page as call

    return dict(call.state(page).get("recording") or {})


# --- the messenger's records -----------------------------------------------------------------------------------------

_RECORDINGS = """
import json
from parta.messenger.calls.models import Call
call = Call.objects.get(public_id=%r)
out = []
for r in call.recordings.order_by("started_at"):
    out.append({
        "id": r.pk, "public_id": str(r.public_id), "status": r.status, "progress": r.progress,
        "started_at": r.started_at.timestamp() if r.started_at else None,
        "stopped_at": r.stopped_at.timestamp() if r.stopped_at else None,
        "duration_ms": r.duration_ms, "error_code": r.error_code, "attempts": r.attempts,
        "message_id": r.message_id, "folder": r.folder, "catch_up_sent_at": str(r.catch_up_sent_at or ""),
        "message_text": r.message.text if r.message else None,
        "heartbeat_at": r.heartbeat_at.timestamp() if r.heartbeat_at else None,
        "tracks": [
            {"source": t.source, "media": t.media, "path": t.path, "participant": t.participant_id}
            for t in r.tracks.all()
        ],
    })
print("REC" + json.dumps(out))
"""


def recordings(sites: Sites, call_public_id: str) -> list[dict[str, Any]]:
    output = run_site_python(sites.env, "messenger", _RECORDINGS % call_public_id)
    return list(json.loads(output.split("REC", 1)[1]))


# --- chats through the API -------------------------------------------------------------------------------------------


def api_get(context: BrowserContext, url: str) -> Any:
    answer = context.request.get(url)
    assert answer.ok, f"GET {url}: {answer.status} {answer.text()[:300]}"
    return answer.json()


def chat_messages(context: BrowserContext, messenger_url: str, chat_id: int) -> list[dict[str, Any]]:
    return list(api_get(context, f"{messenger_url}/api/v1/chats/{chat_id}/messages/")["messages"])


def video_messages(context: BrowserContext, messenger_url: str, chat_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in chat_messages(context, messenger_url, chat_id)
        if any(a["kind"] == "video" for a in m["attachments"]) and not m["is_deleted"]
    ]


def chats(context: BrowserContext, messenger_url: str) -> list[dict[str, Any]]:
    return list(api_get(context, f"{messenger_url}/api/v1/chats/"))


# --- the file --------------------------------------------------------------------------------------------------------


def ffprobe(path: Path) -> dict[str, Any]:
    tool = shutil.which("ffprobe")
    assert tool, "ffprobe is missing (Debian's ffmpeg)"
    result = subprocess.run(
        [tool, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"ffprobe {path}: {result.stderr[-2000:]}"
    return dict(json.loads(result.stdout))


def max_volume_db(path: Path) -> float:
    """The loudest sample of the file's audio in dB (ffmpeg's volumedetect); -91 is digital silence."""
    result = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-af",
            "volumedetect",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = re.search(r"max_volume:\s*(-?[\d.]+) dB", result.stderr)
    assert match, f"volumedetect: {result.stderr[-1500:]}"
    return float(match.group(1))


def frame_luma(path: Path, at: float, picture: Path) -> tuple[float, float, float]:
    """(min, average, max) luma of the file's frame at `at` seconds (ffmpeg's signalstats); the frame is kept as
    `picture` (PNG) for a look at the layout."""
    result = subprocess.run(
        [
            *("ffmpeg", "-hide_banner", "-nostats", "-ss", f"{at:.2f}", "-i", str(path), "-frames:v", "1"),
            *("-vf", "signalstats,metadata=print:file=-", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    values = {
        key: float(value) for key, value in re.findall(r"lavfi\.signalstats\.(YMIN|YAVG|YMAX)=([\d.]+)", result.stdout)
    }
    assert len(values) == 3, f"signalstats: {result.stdout[-500:]} {result.stderr[-1000:]}"
    picture.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            f"{at:.2f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-y",
            str(picture),
        ],
        timeout=60,
        check=False,
    )
    return values["YMIN"], values["YAVG"], values["YMAX"]


# --- playing it ------------------------------------------------------------------------------------------------------


def plays_and_seeks(page: Page, video: Locator, duration_s: float) -> dict[str, Any]:
    """The <video> loads (readyState ≥ 2), plays (currentTime advances), and seeks to the middle and plays on."""
    expect(video).to_be_visible(timeout=LIVE_MS)
    video.scroll_into_view_if_needed()
    handle = video.element_handle()
    page.evaluate("v => { v.muted = true; return v.play(); }", handle)
    page.wait_for_function("v => v.readyState >= 2 && v.currentTime > 0.5", arg=handle, timeout=20_000)
    first = float(page.evaluate("v => v.currentTime", handle))
    page.wait_for_timeout(1000)
    second = float(page.evaluate("v => v.currentTime", handle))
    assert second > first, f"the video does not advance: {first} → {second}"
    target = round(duration_s / 2, 1)
    page.evaluate(
        """([v, t]) => new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no 'seeked' in 10 s")), 10000);
            v.addEventListener("seeked", () => { clearTimeout(timer); resolve(true); }, {once: true});
            v.currentTime = t;
        })""",
        [handle, target],
    )
    wait_until(
        lambda: page.evaluate("v => v.readyState >= 2 && !v.paused", handle),
        timeout=10,
        what="the video to play on after seeking",
        page=page,
    )
    at = float(page.evaluate("v => v.currentTime", handle))
    assert target - 0.5 <= at <= target + 3, f"seeked to {target}, the video is at {at}"
    return dict(
        page.evaluate(
            "v => ({readyState: v.readyState, duration: v.duration, width: v.videoWidth, height: v.videoHeight,"
            " at: v.currentTime})",
            handle,
        )
    )
