/**
 * «Чаты»: the list and the open chat in one page (side by side on a wide screen, one at a time on a phone), kept live
 * by the realtime client (../realtime.js, docs/realtime-protocol.md).
 *
 * The page starts from the state the server rendered (#chat-boot) and the event seq read before it; events after that
 * seq are applied on top. Applying an event the state already includes changes nothing (messages by id, unread by seq),
 * so the overlap between the rendered state and the resumed events is harmless.
 *
 * Unread counts (chats/schemas.py): the list's `unread` from the server, then +1 for each "message.new" from someone
 * else with a seq beyond what the chat knew, 0 on "chat.read" or on one's own message, recounted when reading.
 */
import { RealtimeClient } from "../realtime.js";
import { api } from "./api.js";
import { ChatView } from "./chat.js";
import { notify } from "./dialogs.js";
import { readJson } from "./dom.js";
import { t } from "./i18n.js";
import { ChatList } from "./list.js";
import { ChatStorage } from "./storage.js";

const WIDE = "(min-width: 48rem)";
const TYPING_SHOWN = 4000; // ms

function preview(message) {
  return {
    id: message.id,
    seq: message.seq,
    sender: message.sender,
    text: message.text.slice(0, 200),
    attachment_kind: message.attachments[0]?.kind ?? null,
    is_deleted: message.is_deleted,
    created_at: message.created_at,
  };
}

class ChatApp {
  constructor(root, boot) {
    this.root = root;
    this.me = boot.me;
    this.chats = new Map(boot.chats.map((chat) => [chat.id, chat]));
    this.storage = new ChatStorage(this.me.id);
    this.typing = new Map(); // chat id → timer, for «печатает…» in the list
    this.openId = null;
    this.view = null;
    this.main = root.querySelector("#chat-main");
    this.placeholder = root.querySelector("#chat-placeholder");
    this.status = root.querySelector("#chat-status");
    this.list = new ChatList(root.querySelector("#chat-list"), this);
    this.live = new RealtimeClient({ profileId: this.me.id, after: boot.after });
    this.listen();
    this.list.render();
    if (boot.open) this.show(boot.open.id, boot.open);
    else this.root.dataset.view = "list";
    window.addEventListener("popstate", () => this.route());
    this.live.start();
  }

  // Navigation ------------------------------------------------------------------------------------------------------

  route() {
    const match = location.pathname.match(/^\/chats\/(\d+)\/$/);
    if (match && this.chats.has(Number(match[1]))) this.show(Number(match[1]));
    else this.hide();
  }

  open(chatId) {
    if (chatId === this.openId && this.view) {
      this.root.dataset.view = "chat";
      return;
    }
    history.pushState({ chatId }, "", `/chats/${chatId}/`);
    this.show(chatId);
  }

  close() {
    history.pushState({}, "", "/chats/");
    this.hide();
  }

  show(chatId, initial = null) {
    const chat = this.chats.get(chatId);
    if (!chat) return this.hide();
    this.view?.destroy();
    this.view?.element.remove();
    this.openId = chatId;
    this.view = new ChatView(this, chat);
    this.placeholder.hidden = true;
    this.main.append(this.view.element);
    this.root.dataset.view = "chat";
    this.view.start(initial);
    document.title = `${chat.title} · ${t("site_name")}`;
    this.list.render();
  }

  hide() {
    this.view?.destroy();
    this.view?.element.remove();
    this.view = null;
    this.openId = null;
    this.placeholder.hidden = false;
    this.root.dataset.view = "list";
    document.title = `${t("chats")} · ${t("site_name")}`;
    this.list.render();
  }

  /** Whether a chat view is on screen now (on a phone the list and the chat take turns). */
  isShowing(view) {
    return view === this.view && (this.root.dataset.view === "chat" || matchMedia(WIDE).matches);
  }

  // State changes ---------------------------------------------------------------------------------------------------

  upsert(chat) {
    const known = this.chats.get(chat.id);
    const merged = { ...known, ...chat };
    // Events carry no unread count: keep ours (chats/schemas.py).
    merged.unread = chat.unread ?? known?.unread ?? 0;
    merged.last_read_seq = chat.last_read_seq ?? known?.last_read_seq ?? 0;
    this.chats.set(chat.id, merged);
    if (this.view && this.openId === chat.id) this.view.chatUpdated(merged);
    this.list.render();
    return merged;
  }

  removeChat(chatId) {
    this.chats.delete(chatId);
    if (this.openId === chatId) {
      this.view?.removed();
      notify(t("not_member_any_more"));
      setTimeout(() => this.openId === chatId && this.close(), 1500);
    }
    this.list.render();
  }

  messageArrived(message) {
    const chat = this.chats.get(message.chat_id);
    if (!chat) return this.refreshChat(message.chat_id);
    const own = message.sender?.id === this.me.id;
    const isNew = message.seq > (chat.last_seq ?? 0);
    if (isNew) {
      chat.last_seq = message.seq;
      chat.last_message = preview(message);
      chat.activity_at = message.created_at > chat.activity_at ? message.created_at : chat.activity_at;
      if (own) {
        chat.unread = 0;
        chat.last_read_seq = Math.max(chat.last_read_seq ?? 0, message.seq);
      } else if (message.seq > (chat.last_read_seq ?? 0)) {
        chat.unread = (chat.unread ?? 0) + 1; // reading it (below) counts it off again
      }
    }
    if (this.view && this.openId === chat.id) this.view.received(message);
    this.stopTyping(chat.id);
    this.list.render();
  }

  messageEdited(message) {
    const chat = this.chats.get(message.chat_id);
    if (chat?.last_message?.id === message.id) chat.last_message = preview(message);
    if (this.view && this.openId === message.chat_id) this.view.edited(message);
    this.list.render();
  }

  messageDeleted(payload) {
    const chat = this.chats.get(payload.chat_id);
    if (!chat) return;
    if (chat.last_message?.id === payload.message_id) chat.last_message = { ...chat.last_message, is_deleted: true };
    if (payload.seq > (chat.last_read_seq ?? 0) && chat.unread > 0) chat.unread -= 1; // only others' are unread
    if (this.view && this.openId === chat.id) this.view.deleted(payload);
    this.list.render();
  }

  /** The open chat was read up to `seq` here; `unreadLeft` is what the view still sees below it. */
  readLocally(chatId, seq, unreadLeft) {
    const chat = this.chats.get(chatId);
    if (!chat || seq <= (chat.last_read_seq ?? 0)) return;
    chat.last_read_seq = seq;
    chat.unread = seq >= chat.last_seq ? 0 : Math.min(chat.unread ?? 0, unreadLeft);
    this.list.render();
  }

  readElsewhere({ chat_id: chatId, last_read_seq: seq }) {
    const chat = this.chats.get(chatId);
    if (!chat || seq <= (chat.last_read_seq ?? 0)) return;
    chat.last_read_seq = seq;
    chat.unread = seq >= chat.last_seq ? 0 : Math.min(chat.unread ?? 0, chat.last_seq - seq);
    if (this.view && this.openId === chatId) this.view.readSent = Math.max(this.view.readSent, seq);
    this.list.render();
  }

  async refreshChat(chatId) {
    try {
      const detail = await api.getChat(chatId);
      delete detail.members;
      this.upsert(detail);
    } catch {
      // not (or no longer) a member: nothing to show
    }
  }

  async reload() {
    try {
      const chats = await api.listChats();
      const ids = new Set(chats.map((chat) => chat.id));
      for (const id of [...this.chats.keys()]) if (!ids.has(id)) this.removeChat(id);
      for (const chat of chats) this.chats.set(chat.id, chat);
      this.list.render();
      if (this.view) {
        this.view.chatUpdated(this.chats.get(this.openId));
        await this.view.catchUp();
      }
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  // Typing ----------------------------------------------------------------------------------------------------------

  typingIn(chatId) {
    return this.typing.has(chatId);
  }

  startTyping(event) {
    if (!this.chats.has(event.chatId) || event.profileId === this.me.id) return;
    clearTimeout(this.typing.get(event.chatId));
    this.typing.set(event.chatId, setTimeout(() => this.stopTyping(event.chatId), TYPING_SHOWN));
    if (this.view && this.openId === event.chatId) this.view.showTyping(event);
    this.list.render();
  }

  stopTyping(chatId) {
    if (!this.typing.has(chatId)) return;
    clearTimeout(this.typing.get(chatId));
    this.typing.delete(chatId);
    this.list.render();
  }

  // Events ----------------------------------------------------------------------------------------------------------

  listen() {
    const live = this.live;
    live.on("message.new", (p) => this.messageArrived(p.message));
    live.on("message.edited", (p) => this.messageEdited(p.message));
    live.on("message.deleted", (p) => this.messageDeleted(p));
    live.on("chat.updated", (p) => this.chats.has(p.chat.id) && this.upsert(p.chat));
    live.on("membership.added", (p) => {
      this.upsert(p.chat);
      this.refreshChat(p.chat.id); // the unread count of a chat joined with history is the server's to tell
    });
    live.on("membership.removed", (p) => this.removeChat(p.chat_id));
    live.on("chat.read", (p) => this.readElsewhere(p));
    for (const type of ["call.started", "call.ended"]) {
      live.on(type, (p) => this.view && this.openId === p.chat_id && this.view.refreshCall());
    }
    live.on("typing", (event) => this.startTyping(event));
    live.on("reset", () => this.reload());
    let wasLive = false;
    live.on("status", (status) => {
      this.root.dataset.live = status; // for styles and for tests: "live" once the WebSocket has resumed
      this.status.hidden = status === "live" || (status === "connecting" && !wasLive);
      this.status.textContent = status === "signed-out" ? t("signed_out") : t("reconnecting");
      if (status === "live") {
        if (wasLive) this.view?.retryFailed();
        wasLive = true;
      }
    });
  }
}

const root = document.getElementById("chat-app");
if (root) {
  window.partaChat = new ChatApp(root, readJson("chat-boot"));
} else {
  console.warn("parta chat: no #chat-app on this page");
}

export { ChatApp };
