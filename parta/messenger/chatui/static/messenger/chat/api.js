/**
 * The messenger's HTTP API as the chat UI uses it (/api/v1/, django-ninja; OpenAPI at /api/v1/docs).
 * Session cookie + CSRF header, JSON in and out. Every refusal becomes an ApiError with the server's stable `code`
 * and its Russian `message`; `retryable` says whether sending the same request again may succeed (no answer,
 * a server error, too many requests) — the composer keeps such messages and offers «Повторить».
 */
import { t } from "./i18n.js";

const ROOT = "/api/v1";

export class ApiError extends Error {
  constructor({ status, code, message, retryable }) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)parta_messenger_csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function refusal(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy's page): the status decides
  }
  const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
  if (body && typeof body.message === "string") {
    return new ApiError({ status: response.status, code: body.code ?? "error", message: body.message, retryable });
  }
  const message =
    response.status === 401 || response.status === 403 ? t("error_signed_out")
      : response.status === 422 ? t("error_invalid")
        : retryable ? t("error_server") : t("error_generic");
  return new ApiError({ status: response.status, code: `http_${response.status}`, message, retryable });
}

export async function request(method, path, { json, form, query, signal } = {}) {
  const url = new URL(ROOT + path, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // the browser sets the multipart boundary
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin", signal });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "network", message: t("error_network"), retryable: true });
  }
  if (!response.ok) throw await refusal(response);
  if (response.status === 204) return null;
  return response.json();
}

const chat = (id) => `/chats/${encodeURIComponent(id)}`;

export const api = {
  listChats: () => request("GET", "/chats/"),
  getChat: (id) => request("GET", `${chat(id)}/`),
  createChat: (data) => request("POST", "/chats/", { json: data }),
  updateChat: (id, data) => request("PATCH", `${chat(id)}/`, { json: data }),
  openDirect: (profileId) => request("POST", "/chats/direct/", { json: { profile_id: profileId } }),
  leave: (id) => request("POST", `${chat(id)}/leave/`),

  addMembers: (id, profileIds) => request("POST", `${chat(id)}/members/`, { json: { profile_ids: profileIds } }),
  removeMember: (id, profileId) => request("DELETE", `${chat(id)}/members/${profileId}/`),
  setRole: (id, profileId, role) => request("PUT", `${chat(id)}/members/${profileId}/role/`, { json: { role } }),

  listInvites: (id) => request("GET", `${chat(id)}/invites/`),
  createInvite: (id, data) => request("POST", `${chat(id)}/invites/`, { json: data }),
  revokeInvite: (id, inviteId) => request("DELETE", `${chat(id)}/invites/${inviteId}/`),

  messages: (id, query) => request("GET", `${chat(id)}/messages/`, { query }),
  send(id, { clientId, text, replyTo, files }) {
    if (!files?.length) {
      return request("POST", `${chat(id)}/messages/`, {
        json: { client_id: clientId, text, reply_to_id: replyTo ?? null },
      });
    }
    const form = new FormData();
    form.set("client_id", clientId);
    form.set("text", text);
    if (replyTo) form.set("reply_to_id", String(replyTo));
    for (const file of files) form.append("files", file, file.name);
    return request("POST", `${chat(id)}/messages/upload/`, { form });
  },
  edit: (id, messageId, text) => request("PATCH", `${chat(id)}/messages/${messageId}/`, { json: { text } }),
  remove: (id, messageId) => request("DELETE", `${chat(id)}/messages/${messageId}/`),
  report: (id, messageId, reason = "") =>
    request("POST", `${chat(id)}/messages/${messageId}/report/`, { json: { reason } }),
  markRead: (id, seq) => request("POST", `${chat(id)}/read/`, { json: { seq } }),

  searchPeople: (q, signal) => request("GET", "/people/", { query: { q }, signal }),

  startCall: (chatId) => request("POST", "/calls/", { json: { chat_id: chatId } }),
  liveCall: (chatId) => request("GET", "/calls/live", { query: { chat_id: chatId } }),
};
