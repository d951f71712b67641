/**
 * The calls API (/api/v1/calls/, docs/calls.md) as the call page uses it, through the shared client
 * (web/core/api.js): session cookie (or a guest's session) + CSRF header, JSON in and out. Every refusal becomes an
 * ApiError with the server's `code` and Russian `message`.
 */
import { apiClient } from "../../core/api.js";
import { t } from "./i18n.js";

export { ApiError } from "../../core/api.js";

export const request = apiClient({
  root: "/api/v1/calls",
  fallback: (status) =>
    status === 401 ? t("error_signed_out")
      : status === 503 ? t("calls_unavailable")
        : status >= 500 ? t("error_server") : t("error_generic"),
  networkMessage: () => t("error_network"),
});

const one = (id) => `/${encodeURIComponent(id)}`;

export const callsApi = {
  state: (id) => request("GET", one(id)),
  join: (id, name) => request("POST", `${one(id)}/join`, { json: name ? { name } : {} }),
  joined: (id, feedId) => request("POST", `${one(id)}/joined`, { json: { feed_id: feedId } }),
  heartbeat: (id, media) => request("POST", `${one(id)}/heartbeat`, { json: media }),
  leave: (id) => request("POST", `${one(id)}/leave`, { keepalive: true }),
  screen: (id) => request("POST", `${one(id)}/screen`),
  hand: (id, raised) => request("POST", `${one(id)}/hand`, { json: { raised } }),
  lowerHand: (id, pid) => request("POST", `${one(id)}/participants/${pid}/lower-hand`),
  mute: (id, pid, what) => request("POST", `${one(id)}/participants/${pid}/mute`, { json: { what } }),
  remove: (id, pid) => request("POST", `${one(id)}/participants/${pid}/remove`),
  permissions: (id, data) => request("POST", `${one(id)}/permissions`, { json: data }),
  settings: (id, data) => request("POST", `${one(id)}/settings`, { json: data }),
  end: (id) => request("POST", `${one(id)}/end`),
  // Issue 11 (docs/recording.md): «Запись», the catch-up switch, the board's feed while recording.
  recording: (id, action) => request("POST", `${one(id)}/recording`, { json: { action } }),
  catchUp: (id, enabled) => request("PATCH", `${one(id)}/recording`, { json: { catch_up: enabled } }),
  boardFeed: (id) => request("POST", `${one(id)}/board-feed`),
};
