/**
 * The messenger's HTTP API as the chat UI uses it (/api/v1/; the shared client is web/core/api.js). A refusal is an
 * ApiError with the server's `code` and Russian `message`; a `retryable` one (no answer, a server error, too many
 * requests) keeps the composer's message and offers «Повторить».
 */
import { apiClient } from "../../core/api.js";
import { t } from "./i18n.js";

export { ApiError } from "../../core/api.js";

export const request = apiClient({
  root: "/api/v1",
  fallback: (status, retryable) =>
    status === 401 || status === 403 ? t("error_signed_out")
      : status === 422 ? t("error_invalid")
        : retryable ? t("error_server") : t("error_generic"),
  networkMessage: () => t("error_network"),
});

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

  // A call's recording (issue 11): which recording a message is (404: none, or not mine to manage), deleting it.
  recordingOfMessage: (messageId) => request("GET", "/recordings/", { query: { message_id: messageId } }),
  deleteRecording: (publicId) => request("DELETE", `/recordings/${encodeURIComponent(publicId)}`),
};
