/**
 * The chat list («Чаты»): one row per chat with its title, the last message, the time and the unread badge,
 * newest activity first. It only draws; ChatApp owns the chats and calls render() after every change.
 */
import { clear, h } from "./dom.js";
import { initials, listTime } from "./format.js";
import { t, tn } from "./i18n.js";

const ATTACHMENT_WORDS = { image: "kind_image", audio: "kind_audio", video: "kind_video", file: "kind_file" };

export function byActivity(a, b) {
  return b.activity_at.localeCompare(a.activity_at) || b.id - a.id;
}

/** What the row says about the chat's last message: «Вы: …», «Аня: …», «Фото», «Сообщение удалено». */
export function previewText(chat, meId) {
  const last = chat.last_message;
  if (!last) return t("no_messages_yet");
  if (last.is_deleted) return t("message_deleted");
  let text = last.text.replace(/\s+/g, " ").trim();
  if (!text && last.attachment_kind) text = t(ATTACHMENT_WORDS[last.attachment_kind] ?? "kind_file");
  if (last.sender?.id === meId) return t("you_prefix", { text });
  if (!chat.is_direct && last.sender) return t("author_prefix", { name: last.sender.short_name.split(" ")[0], text });
  return text;
}

export class ChatList {
  constructor(element, app) {
    this.element = element;
    this.app = app;
    this.empty = document.getElementById("chat-list-empty");
  }

  render() {
    const chats = [...this.app.chats.values()].sort(byActivity);
    const focused = /** @type {HTMLElement | null | undefined} */ (document.activeElement?.closest?.("[data-chat-id]"))?.dataset.chatId;
    clear(this.element);
    for (const chat of chats) this.element.append(this.row(chat));
    if (this.empty) this.empty.hidden = chats.length > 0;
    this.element.hidden = chats.length === 0;
    if (focused) this.element.querySelector(`[data-chat-id="${focused}"]`)?.focus();
  }

  row(chat) {
    const open = this.app.openId === chat.id;
    const typing = this.app.typingIn(chat.id);
    const unread = chat.unread ?? 0;
    const when = chat.last_message?.created_at ?? chat.activity_at;
    const link = h(
      "a",
      {
        href: `/chats/${chat.id}/`,
        class: "chat-row",
        "data-chat-id": chat.id,
        "aria-current": open ? "page" : null,
        onclick: (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          this.app.open(chat.id);
        },
      },
      h("span", { class: "chat-avatar", "aria-hidden": "true" }, initials(chat.title)),
      h(
        "span",
        { class: "chat-row-body" },
        h(
          "span",
          { class: "chat-row-top" },
          h("span", { class: "chat-row-title" }, chat.title),
          h("time", { class: "chat-row-time", datetime: when }, listTime(when)),
        ),
        h(
          "span",
          { class: "chat-row-bottom" },
          typing
            ? h("span", { class: "chat-row-preview chat-typing" }, t("typing_short"))
            : h("span", { class: "chat-row-preview" }, previewText(chat, this.app.me.id)),
          unread > 0
            ? h(
                "span",
                { class: "chat-unread", title: tn("unread_count", unread) },
                h("span", { "aria-hidden": "true" }, unread > 999 ? "999+" : unread),
                h("span", { class: "visually-hidden" }, tn("unread_count", unread)),
              )
            : null,
        ),
      ),
    );
    return h("li", {}, link);
  }
}
