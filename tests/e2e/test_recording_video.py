"""Issue 11 in a real browser, without Janus: a call's recording as the worker leaves it in the call's chat — an
H.264/AAC MP4 with its poster and duration — plays inline in Chromium and seeks (HTTP range requests through the
members-only attachment view); the organizer's «Удалить запись» turns the message into «Запись удалена.»; on a
375 px phone the video fits the screen.

The MP4 is made here by ffmpeg (3 s of test picture and tone); the recording's rows are written the way the
recordings app writes them (run_python: no page makes a recording without Janus).
"""

# covers: C5 («Разрешить запись звонков» in the chat's settings), C6 (a video message plays inline and seeks),
# L4 (usable at 375 px)

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext
from tests.e2e.helpers import PHONE, page_overflow
from tests.e2e.messenger_helpers import (
    DevMessenger,
    create_chat,
    dev_messenger,
    message_menu,
    messages,
    open_info,
    sign_up,
)
from tests.e2e.servers import Sites

SECONDS = 3


@pytest.fixture(scope="module")
def messenger(sites: Sites) -> Iterator[DevMessenger]:
    with dev_messenger(sites) as started:
        yield started


@pytest.fixture(autouse=True)
def _no_server_errors(messenger: DevMessenger) -> Iterator[None]:
    messenger.mark()
    yield
    problems = messenger.errors_since_mark()
    assert not problems, "the messenger logged server errors:\n\n" + "\n\n".join(problems)


def make_lesson_video(folder: Path) -> tuple[Path, Path]:
    """A tiny MP4 as the recordings worker makes (H.264 + AAC, moov first) and its WebP poster."""
    if not shutil.which("ffmpeg"):
        pytest.fail("ffmpeg is missing (Debian package ffmpeg)", pytrace=False)
    video, poster = folder / "lesson.mp4", folder / "poster.webp"
    quiet = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [
            *quiet,
            *("-f", "lavfi", "-i", f"testsrc=d={SECONDS}:s=320x240:r=15"),
            *("-f", "lavfi", "-i", f"sine=d={SECONDS}"),
            *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-shortest"),
            str(video),
        ],
        check=True,
        timeout=60,
    )
    subprocess.run([*quiet, "-i", str(video), "-frames:v", "1", "-c:v", "libwebp", str(poster)], check=True, timeout=60)
    return video, poster


def leave_recording(messenger: DevMessenger, chat_id: int, video: Path, poster: Path) -> dict[str, int]:
    """The call, its recording and the video message, as H1's stop and H2's worker leave them."""
    code = f"""
import json, uuid
from pathlib import Path
from django.core.files.base import ContentFile
from django.utils import timezone
from parta.messenger.calls.models import Call, CallKind, CallStatus, Recording, RecordingStatus
from parta.messenger.chats import services
from parta.messenger.chats.models import Attachment, AttachmentKind, Chat, Membership
chat = Chat.objects.get(pk={chat_id})
teacher = Membership.objects.filter(chat=chat, role="admin").first().profile
call = Call.objects.create(kind=CallKind.CHAT, title="Урок", chat=chat, created_by=teacher, status=CallStatus.ENDED)
message, _ = services.send_message(sender=teacher, chat_id=chat.pk, client_id=uuid.uuid4(), text="Запись урока")
data = Path({str(video)!r}).read_bytes()
attachment = Attachment(message=message, kind=AttachmentKind.VIDEO, original_name="Запись урока.mp4",
    content_type="video/mp4", size=len(data), width=320, height=240, duration_ms={SECONDS * 1000})
attachment.file.save("lesson.mp4", ContentFile(data), save=False)
attachment.thumbnail.save("poster.webp", ContentFile(Path({str(poster)!r}).read_bytes()), save=False)
attachment.save()
recording = Recording.objects.create(call=call, started_by=teacher, stopped_at=timezone.now(),
    status=RecordingStatus.READY, message=message, duration_ms={SECONDS * 1000})
print(json.dumps({{"message": message.pk, "attachment": attachment.pk}}))
"""
    return json.loads(messenger.run_python(code).strip().splitlines()[-1])


def video_state(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => {
            const video = document.querySelector("figure.msg-video video");
            return {duration: video.duration, currentTime: video.currentTime, readyState: video.readyState,
                    width: video.getBoundingClientRect().width};
        }"""
    )


def test_a_recording_plays_inline_seeks_and_is_deleted_by_its_organizer(
    new_context: NewContext, messenger: DevMessenger, tmp_path: Path
) -> None:
    video, poster = make_lesson_video(tmp_path)
    teacher = new_context(base_url=messenger.url).new_page()
    sign_up(teacher, messenger.url, phone="+7 916 555-11-01", last_name="Орлова", first_name="Нина")
    chat_id = create_chat(teacher, "7Б — Физика", closed=True)

    # The chat's admin allows recording its calls («О чате» → «Разрешить запись звонков» → «Сохранить»).
    info = open_info(teacher)
    allow = info.get_by_role("checkbox", name="Разрешить запись звонков", exact=True)
    expect(allow).not_to_be_checked()
    allow.check()
    info.get_by_role("button", name="Сохранить", exact=True).click()
    expect(teacher.get_by_text("Сохранено.", exact=True).first).to_be_visible()
    allowed = messenger.run_python(
        f"from parta.messenger.chats.models import Chat; print(Chat.objects.get(pk={chat_id}).allow_call_recording)"
    )
    assert allowed.strip().splitlines()[-1] == "True"

    ids = leave_recording(messenger, chat_id, video, poster)
    media: list[tuple[int, str]] = []  # the video's answers: the browser asks for byte ranges
    teacher.on(
        "response",
        lambda r: (
            r.url.endswith(f"/attachments/{ids['attachment']}/")
            and media.append((r.status, r.request.headers.get("range", "")))
        ),
    )
    teacher.reload()

    figure = messages(teacher).locator("figure.msg-video")
    expect(figure).to_have_count(1)
    player = figure.locator("video")
    expect(player).to_have_attribute("poster", f"/attachments/{ids['attachment']}/thumbnail/")
    expect(player).to_have_attribute("preload", "metadata")
    expect(player).to_have_attribute("playsinline", "")
    expect(figure.locator(".msg-video-duration")).to_have_text("0:03")
    expect(figure.locator(".msg-video-duration")).to_have_attribute("title", "Длительность 0:03")

    # The metadata loads (a range request), the length is the file's, a seek lands where asked, and it plays.
    teacher.wait_for_function("() => document.querySelector('figure.msg-video video').readyState >= 1", timeout=15_000)
    state = video_state(teacher)
    assert abs(state["duration"] - SECONDS) < 0.3, state
    teacher.evaluate(
        """() => new Promise((resolve, reject) => {
            const video = document.querySelector("figure.msg-video video");
            video.addEventListener("seeked", resolve, {once: true});
            video.addEventListener("error", () => reject(new Error("media error " + video.error?.code)));
            video.currentTime = 2;
        })"""
    )
    assert abs(video_state(teacher)["currentTime"] - 2) < 0.2
    assert media and all(status == 206 and range_.startswith("bytes=") for status, range_ in media), media
    teacher.evaluate(
        """() => new Promise((resolve, reject) => {
            const video = document.querySelector("figure.msg-video video");
            video.muted = true;
            video.currentTime = 0.5;
            video.addEventListener("timeupdate", function check() {
                if (video.currentTime > 1) { video.pause(); video.removeEventListener("timeupdate", check); resolve(); }
            });
            video.play().catch(reject);
        })"""
    )

    # The organizer's «Удалить запись»: the video goes for everyone, the message says so.
    menu = message_menu(teacher, "Запись урока")
    delete = menu.get_by_role("menuitem", name="Удалить запись", exact=True)
    expect(delete).to_be_visible()
    delete.click()
    dialog = teacher.get_by_role("dialog", name="Удалить запись?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Удалить", exact=True).click()
    expect(messages(teacher).locator("figure.msg-video")).to_have_count(0)
    expect(messages(teacher).locator(f"article[data-id='{ids['message']}']")).to_contain_text("Запись удалена.")
    assert teacher.request.get(f"{messenger.url}/attachments/{ids['attachment']}/").status == 404


def test_a_recording_fits_a_phone(new_context: NewContext, messenger: DevMessenger, tmp_path: Path) -> None:
    video, poster = make_lesson_video(tmp_path)
    phone = new_context(base_url=messenger.url, **PHONE).new_page()
    sign_up(phone, messenger.url, phone="+7 916 555-11-02", last_name="Белова", first_name="Ольга")
    chat_id = create_chat(phone, "8А — Химия", closed=True)
    leave_recording(messenger, chat_id, video, poster)
    phone.reload()
    figure = messages(phone).locator("figure.msg-video")
    expect(figure).to_have_count(1)
    expect(figure.locator(".msg-video-duration")).to_have_text(re.compile(r"^0:0[23]$"))
    phone.wait_for_function("() => document.querySelector('figure.msg-video video').readyState >= 1", timeout=15_000)
    assert 0 < video_state(phone)["width"] <= 375
    assert page_overflow(phone) == 0
