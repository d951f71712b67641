/**
 * What must survive a reload, a crash or a lost connection, per profile and chat, in localStorage:
 * - the draft: what is typed in the composer (and what it replies to), saved on every keystroke;
 * - the outbox: messages sent but not yet confirmed by the server, with their client ids, so that after a reload
 *   they are sent again with the same id (the server keeps one copy) instead of being lost.
 * Files cannot be kept in localStorage: a message with files waits in memory and offers a retry until sent.
 */

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function read(key, fallback) {
  try {
    const raw = storage()?.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null) storage()?.removeItem(key);
    else storage()?.setItem(key, JSON.stringify(value));
  } catch {
    // a full or forbidden storage: the draft lives on screen only
  }
}

export class ChatStorage {
  constructor(profileId) {
    this.prefix = `parta.chat.${profileId}`;
  }

  draft(chatId) {
    return read(`${this.prefix}.draft.${chatId}`, null);
  }

  saveDraft(chatId, draft) {
    const empty = !draft || (!draft.text && !draft.replyTo);
    write(`${this.prefix}.draft.${chatId}`, empty ? null : draft);
  }

  outbox(chatId) {
    return read(`${this.prefix}.outbox.${chatId}`, []);
  }

  keep(chatId, item) {
    const items = this.outbox(chatId).filter((other) => other.clientId !== item.clientId);
    items.push(item);
    write(`${this.prefix}.outbox.${chatId}`, items);
  }

  forget(chatId, clientId) {
    const items = this.outbox(chatId).filter((other) => other.clientId !== clientId);
    write(`${this.prefix}.outbox.${chatId}`, items.length ? items : null);
  }
}

/** A message's client id: crypto.randomUUID where the page is a secure context, random bytes otherwise. */
export function newClientId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
