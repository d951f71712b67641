"""The words of the call page's ES modules (web/messenger/calls/), translated here so that django.po holds them all.

The page embeds `call_strings()` with |json_script; web/messenger/calls/i18n.js reads it and fills `%(name)s`
placeholders.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def call_strings() -> dict[str, str]:
    return {
        **_general(),
        **_room(),
        **_participants(),
        **_board(),
        **_recording(),
    }


def _general() -> dict[str, str]:
    return {
        "site_name": _("Parta"),
        "default_device": _("Default"),
        "no_camera": _("No camera found"),
        "no_microphone": _("No microphone found"),
        "camera_denied": _(
            "The browser did not give access to the camera or microphone. Allow it in the address bar and reload "
            "the page — or join without them."
        ),
        "camera_n": _("Camera %(n)s"),
        "microphone_n": _("Microphone %(n)s"),
        "joining": _("Joining…"),
        "join": _("Join the call"),
        "name_needed": _("Enter your name so that the others know who joined."),
        "libraries_missing": _("Calls are unavailable right now: this server has no call software installed."),
        "calls_unavailable": _("Calls are unavailable right now"),
        "media_failed": _("Could not connect to the media server"),
        "media_lost": _("The connection to the media server was lost."),
        "reconnect": _("Reconnect"),
        "connecting": _("Connecting…"),
        "error_network": _("No connection to the server. Check the internet and try again."),
        "error_server": _("The server could not do this just now. Try again in a minute."),
        "error_signed_out": _("You are signed out. Sign in again and repeat."),
        "error_generic": _("That did not work. Try again."),
    }


def _room() -> dict[str, str]:
    return {
        "you": _("You"),
        "you_suffix": _("%(name)s (you)"),
        "screen_of": _("Screen: %(name)s"),
        "your_screen": _("Your screen"),
        "camera_off": _("Camera off"),
        "mic_off": _("Microphone off"),
        "hand_raised": _("Hand raised"),
        "muted_mic": _("The organizer turned off your microphone"),
        "muted_camera": _("The organizer turned off your camera"),
        "stopped_screen": _("The organizer stopped your screen sharing"),
        "mic_not_allowed": _("The organizer does not allow turning on the microphone"),
        "camera_not_allowed": _("The organizer does not allow turning on the camera"),
        "screen_not_allowed": _("The organizer does not allow sharing the screen"),
        "screen_unsupported": _("This browser cannot share the screen"),
        "screen_cancelled": _("Screen sharing was not started"),
        "hand_lowered": _("The organizer lowered your hand"),
        "ended": _("The call has ended"),
        "removed": _("The organizer removed you from the call"),
        "left": _("You left the call"),
        "end_confirm": _("End the call for everyone? Everyone will be disconnected."),
        "end_ok": _("End for everyone"),
        "remove_ok": _("Remove"),
        "layout_grid": _("Grid"),
        "layout_speaker": _("Speaker"),
        "link_copied": _("The link is copied"),
        "saved": _("Saved"),
        "device_switch_failed": _("Could not switch the device"),
        "mic": _("Microphone"),
        "camera": _("Camera"),
        "screen": _("Screen"),
    }


def _participants() -> dict[str, str]:
    return {
        "organizer": _("organizer"),
        "guest": _("guest"),
        "not_present": _("not in the call"),
        "lower_hand": _("Lower the hand"),
        "mute_mic": _("Turn off the microphone"),
        "mute_camera": _("Turn off the camera"),
        "stop_screen": _("Stop the screen sharing"),
        "allow_screen": _("May share the screen"),
        "allow_mic": _("May turn on the microphone"),
        "allow_camera": _("May turn on the camera"),
        "remove": _("Remove from the call"),
        "remove_confirm": _("Remove %(name)s from the call? They will not be able to join again."),
        "hands_empty": _("No raised hands"),
        "place_in_queue": _("%(place)s in the queue"),
        "state_mic_on": _("microphone on"),
        "state_mic_off": _("microphone off"),
        "state_camera_on": _("camera on"),
        "state_camera_off": _("camera off"),
        "state_screen_on": _("sharing the screen"),
        "nobody_else": _("Nobody else is here yet"),
    }


def _board() -> dict[str, str]:
    return {
        "board_file_too_large": _("The file is too large for the whiteboard."),
        "board_clear_confirm": _("Clear this page of the whiteboard? Everything drawn on it will be removed."),
        "board_clear_ok": _("Clear"),
        "board_lock": _("Close the whiteboard"),
        "board_unlock": _("Open the whiteboard"),
        "board_uploading": _("Uploading «%(name)s»…"),
        "board_preparing": _("Preparing the pages of «%(name)s»…"),
        "board_uploaded": _("«%(name)s» is on the whiteboard: %(n)s pages added."),
        "board_continued": _("The earlier lesson's board is open."),
        "board_no_earlier": _("There are no earlier boards of your lessons with this class."),
        "board_earlier_item": _("%(title)s, %(date)s (pages: %(n)s)"),
        "board_guest_cannot_draw": _("a guest cannot draw"),
    }


def _recording() -> dict[str, str]:
    """Issue 11: «Запись», the indicator everyone sees, the organizer's catch-up switch."""
    return {
        "record": _("Record"),
        "record_stop": _("Stop recording"),
        "record_starting": _("Starting the recording…"),
        "recording_on": _("Recording"),
        "recording_since": _("Recording since %(time)s, started by %(name)s"),
        "recording_started": _("The recording has started"),
        "recording_stopped": _("The recording has stopped. The video will appear in the chat once processed."),
        "recording_prejoin": _("The lesson is being recorded"),
        "recording_prejoin_note": _("The video will be saved in the call’s chat and available to its members."),
        "recording_catch_up": _("Send the recording to those who missed the lesson"),
        "allow_record": _("May record"),
        "stop_recording_confirm": _("Stop the recording? The video will be processed and put into the call’s chat."),
        "stop_recording_ok": _("Stop"),
    }
