"""The words of the chat UI's ES modules, translated here so that one catalogue (django.po) holds them all.

Pages embed `chat_strings()` with |json_script; i18n.js reads it. `%(name)s` placeholders are filled in the browser.
A plural message is sent as its forms for 1, 2 and 5 — the three Russian forms — and i18n.js picks one with
Intl.PluralRules.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PLURAL_SAMPLES = (1, 2, 5)  # one of each Russian form; the browser fills %(count)s, so the forms stay templates


def _words() -> dict[str, str]:
    return {
        "site_name": _("Parta"),
        "chats": _("Chats"),
        "loading": _("Loading…"),
        "history_start": _("This is the beginning of the chat."),
        "today": _("Today"),
        "yesterday": _("Yesterday"),
        "size_b": _("B"),
        "size_kb": _("KB"),
        "size_mb": _("MB"),
        "size_gb": _("GB"),
        "yes": _("yes"),
        "no": _("no"),
        "you": _("you"),
        "cancel": _("Cancel"),
        "close": _("Close"),
        "save": _("Save"),
        "saved": _("Saved."),
        "add": _("Add"),
        "chosen": _("Added"),
        "copy": _("Copy"),
        "retry": _("Retry"),
        "reconnecting": _("No connection. Reconnecting… Messages you send will go as soon as it is back."),
        "signed_out": _("You have been signed out on this device. Sign in again to see new messages."),
        "error_network": _("No connection to the server. Check the internet and try again."),
        "error_server": _("The server could not do this just now. Try again in a minute."),
        "error_signed_out": _("You are signed out. Sign in again and repeat."),
        "error_invalid": _("Something in the form is not right. Check it and try again."),
        "error_generic": _("That did not work. Try again."),
    }


def _list_words() -> dict[str, str]:
    return {
        "no_messages_yet": _("No messages yet"),
        "message_deleted": _("Message deleted"),
        "you_prefix": _("You: %(text)s"),
        "author_prefix": _("%(name)s: %(text)s"),
        "kind_image": _("Photo"),
        "kind_audio": _("Audio"),
        "kind_video": _("Video"),
        "kind_file": _("File"),
        "typing_short": _("typing…"),
        "typing_named": _("%(names)s typing…"),
        "not_member_any_more": _("You are no longer a member of this chat."),
    }


def _chat_words() -> dict[str, str]:
    return {
        "start_call": _("Start a call"),
        "call_live": _("A call is on"),
        "call_join": _("Enter the call"),
        "back_to_chats": _("Back to the chats"),
        "chat_info": _("About the chat"),
        "messages": _("Messages"),
        "new_messages_below": _("New messages below ↓"),
        "message": _("Message"),
        "new_message": _("New message"),
        "message_placeholder": _("Message"),
        "send": _("Send"),
        "attach_files": _("Attach files"),
        "attached_files": _("Attached files"),
        "remove_file": _("Remove %(name)s"),
        "attachment": _("Attachment"),
        "photo": _("Photo"),
        "open_photo": _("Open the photo at full size"),
        "open_original": _("Open in a new tab"),
        "deleted_profile": _("Deleted profile"),
        "go_to_message": _("Go to the message"),
        "message_not_loaded": _("That message could not be found in the history."),
        "edited": _("edited"),
        "sending": _("sending…"),
        "not_sent": _("Not sent."),
        "not_sent_restored": _("A message that was not sent is back in the message field."),
        "attach_again": _(
            "These files were not sent: %(names)s. The text is back in the message field: attach the files again."
        ),
        "back_to_composer": _("Back to the message field"),
        "message_actions": _("Message actions"),
        "reply": _("Reply"),
        "reply_to": _("Reply to %(name)s"),
        "cancel_reply": _("Cancel the reply"),
        "edit": _("Edit"),
        "editing_message": _("Editing the message"),
        "cancel_edit": _("Cancel editing"),
        "delete": _("Delete"),
        "delete_title": _("Delete the message?"),
        "delete_text": _("It will be deleted for everyone in the chat. This cannot be undone."),
        "report": _("Report"),
        "report_title": _("Report this message?"),
        "report_text": _("The message will be sent to your school's administrators, who will look into it."),
        "report_sent": _("The report has been sent to the administrators."),
        # a call's recording (issue 11)
        "video_duration": _("Duration %(duration)s"),
        "delete_recording": _("Delete the recording"),
        "delete_recording_title": _("Delete the recording?"),
        "delete_recording_text": _(
            "The video will be deleted for everyone, the copies sent to those who missed the lesson too. "
            "This cannot be undone."
        ),
        "recording_deleted": _("The recording has been deleted."),
    }


def _info_words() -> dict[str, str]:
    return {
        "direct_chat": _("Direct chat"),
        "settings": _("Settings"),
        "chat_name": _("Chat name"),
        "closed_chat": _("Closed chat"),
        "recommended": _("recommended"),
        "closed_chat_hint": _("Only the chat's admins invite, change settings and manage members."),
        "allow_call_recording": _("Allow recording calls"),
        "allow_call_recording_hint": _(
            "The organizer of a call in this chat may record it; the video is saved in this chat."
        ),
        "open_chat_hint": _("Any member may invite and add people."),
        "system_chat_note": _(
            "This chat is managed by the school's roster: its settings and members change only through the journal."
        ),
        "invite_link": _("Invite link"),
        "invite_people": _("Invite people"),
        "no_invites": _("There is no active invite link yet."),
        "expiry": _("Valid for"),
        "expiry_never": _("No time limit"),
        "expiry_hour": _("1 hour"),
        "expiry_day": _("1 day"),
        "expiry_week": _("7 days"),
        "expiry_month": _("30 days"),
        "max_uses": _("How many people may join by it"),
        "no_limit": _("No limit"),
        "create_invite": _("Create a link"),
        "qr_code": _("QR code"),
        "qr_alt": _("QR code of the invite link"),
        "valid_until": _("valid until %(when)s"),
        "uses_of": _("used %(uses)s of %(max)s times"),
        "link_copied": _("The link has been copied."),
        "copy_by_hand": _("The link is selected: copy it with the keyboard or the menu."),
        "revoke": _("Revoke"),
        "revoke_title": _("Revoke the link?"),
        "revoke_text": _("Nobody will be able to join by it any more. People who have joined stay in the chat."),
        "members": _("Members"),
        "role_admin": _("admin"),
        "write": _("Write"),
        "make_admin": _("Make admin"),
        "make_member": _("Make a plain member"),
        "remove_member": _("Remove from the chat"),
        "remove_member_title": _("Remove %(name)s from the chat?"),
        "remove_member_text": _("They will no longer see the chat's new messages."),
        "add_members": _("Add members"),
        "members_added": _("Added to the chat."),
        "choose_someone": _("Choose at least one person."),
        "leave_chat": _("Leave the chat"),
        "leave_title": _("Leave the chat?"),
        "leave_text": _("You can come back by an invite link."),
        "leave_text_closed": _("It is a closed chat: only its admins can bring you back."),
    }


def _people_words() -> dict[str, str]:
    return {
        "find_people": _("Find people by name"),
        "people_hint": _("Type at least two letters. Only people you may write to are found."),
        "people_found": _("Found"),
        "people_chosen": _("Chosen"),
        "searching": _("Searching…"),
        "nobody_found": _("Nobody found."),
        "choose_person": _("Add %(name)s to the chat"),
        "unchoose_person": _("Remove %(name)s"),
    }


def chat_strings() -> dict[str, str | list[str]]:
    """Every word the chat modules show, in the active language."""
    plurals: dict[str, str | list[str]] = {
        "member_count": [ngettext("%(count)s member", "%(count)s members", n) for n in PLURAL_SAMPLES],
        "unread_count": [ngettext("%(count)s unread message", "%(count)s unread messages", n) for n in PLURAL_SAMPLES],
        "uses_count": [ngettext("used %(count)s time", "used %(count)s times", n) for n in PLURAL_SAMPLES],
    }
    return {**_words(), **_list_words(), **_chat_words(), **_info_words(), **_people_words(), **plurals}
