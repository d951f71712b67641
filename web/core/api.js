/**
 * The messenger's HTTP API (/api/v1/, django-ninja; OpenAPI at /api/v1/docs) as its pages call it: the session
 * cookie + the CSRF header, JSON in and out. Every refusal becomes an ApiError with the server's stable `code` and
 * its Russian `message` (the API's error body is `{code, message}`); `retryable` says whether sending the same
 * request again may succeed (no answer, a server error, too many requests).
 *
 * Shared by the chat UI and the call page; each passes its own words for answers without a body (a proxy's page).
 */

/** The messenger's CSRF cookie (CSRF_COOKIE_NAME in parta/messenger/settings.py). */
export const CSRF_COOKIE = "parta_messenger_csrftoken";

export class ApiError extends Error {
  /** @param {{status: number, code: string, message: string, retryable?: boolean}} fields */
  constructor({ status, code, message, retryable = false }) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }
}

/** The form's token when the page has one, else the cookie's. */
export function csrfToken(cookie = CSRF_COOKIE) {
  const field = /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=csrfmiddlewaretoken]"));
  if (field) return field.value;
  const match = document.cookie.match(new RegExp(`(?:^|;\\s*)${cookie}=([^;]+)`));
  return match ? decodeURIComponent(match[1]) : "";
}

/**
 * @callback Fallback  the message for a refusal without a `{code, message}` body
 * @param {number} status
 * @param {boolean} retryable
 * @returns {string}
 */

/**
 * @typedef {object} RequestOptions
 * @property {unknown} [json]          a body sent as JSON
 * @property {FormData} [form]         a multipart body (the browser sets the boundary)
 * @property {Record<string, string | number | boolean | null | undefined>} [query]  null and undefined are left out
 * @property {AbortSignal} [signal]
 * @property {boolean} [keepalive]     the request may outlive the page (leaving a call on `pagehide`)
 */

/** @param {Response} response @param {Fallback} fallback */
async function refusal(response, fallback) {
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
  const message = fallback(response.status, retryable);
  return new ApiError({ status: response.status, code: `http_${response.status}`, message, retryable });
}

/**
 * A `request(method, path, options)` for one part of the API.
 * @param {{root: string, fallback: Fallback, networkMessage: () => string}} settings
 */
export function apiClient({ root, fallback, networkMessage }) {
  /**
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>} the answer's JSON, or null for 204
   */
  return async function request(method, path, { json, form, query, signal, keepalive = false } = {}) {
    const url = new URL(root + path, location.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== null && value !== undefined) url.searchParams.set(name, String(value));
    }
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json" };
    /** @type {BodyInit | undefined} */
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    let response;
    try {
      response = await fetch(url, { method, headers, body, credentials: "same-origin", signal, keepalive });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError({ status: 0, code: "network", message: networkMessage(), retryable: true });
    }
    if (!response.ok) throw await refusal(response, fallback);
    return response.status === 204 ? null : response.json();
  };
}
