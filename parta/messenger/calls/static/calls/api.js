/**
 * The calls API (/api/v1/calls/, docs/calls.md) as the call page uses it: session cookie (or a guest's session) +
 * CSRF header, JSON in and out. Every refusal becomes an ApiError with the server's `code` and Russian `message`.
 */
import { t } from "./i18n.js";

const ROOT = "/api/v1/calls";

export class ApiError extends Error {
  constructor({ status, code, message }) {
    super(message);
    this.status = status;
    this.code = code;
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
    // not JSON (a proxy's error page): the status decides
  }
  if (body && typeof body.message === "string") {
    return new ApiError({ status: response.status, code: body.code ?? "error", message: body.message });
  }
  const message =
    response.status === 401 ? t("error_signed_out")
      : response.status === 503 ? t("calls_unavailable")
        : response.status >= 500 ? t("error_server") : t("error_generic");
  return new ApiError({ status: response.status, code: `http_${response.status}`, message });
}

export async function request(method, path, { json, query, keepalive = false } = {}) {
  const url = new URL(ROOT + path, location.origin);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, String(value));
  const headers = { Accept: "application/json" };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      credentials: "same-origin",
      keepalive,
    });
  } catch {
    throw new ApiError({ status: 0, code: "network", message: t("error_network") });
  }
  if (!response.ok) throw await refusal(response);
  return response.status === 204 ? null : response.json();
}

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
};
