/**
 * The boards API (/api/v1/boards/, docs/board.md) as the call page uses it: open the call's board, the organizer's
 * permission changes, backgrounds (with upload progress) and an earlier lesson's board. Refusals are ApiErrors with
 * the server's code and Russian message, as in api.js.
 */
import { ApiError, apiClient, csrfToken } from "../../core/api.js";
import { t } from "./i18n.js";

const ROOT = "/api/v1/boards";

/** @param {number} status */
const fallback = (status) =>
  status === 401 ? t("error_signed_out") : status === 413 ? t("board_file_too_large")
    : status >= 500 ? t("error_server") : t("error_generic");

const request = apiClient({ root: ROOT, fallback, networkMessage: () => t("error_network") });

/** @param {string} id */
const one = (id) => `/${encodeURIComponent(id)}`;

/**
 * @typedef {object} BoardOut
 * @property {string} id
 * @property {string} call_id
 * @property {string} socket
 * @property {"organizer" | "everyone" | "chosen"} draw_mode
 * @property {boolean} locked
 * @property {number[]} drawers
 * @property {boolean} live
 */

export const boardsApi = {
  /** @param {string} callId @param {string} [copyFrom] @returns {Promise<BoardOut>} */
  open: (callId, copyFrom) => request("POST", "/", { json: copyFrom ? { call_id: callId, copy_from: copyFrom } : { call_id: callId } }),
  /** @param {string} id @param {{draw_mode?: string, locked?: boolean}} change @returns {Promise<BoardOut>} */
  change: (id, change) => request("PATCH", one(id), { json: change }),
  /** @param {string} id @param {number} profileId @param {boolean} allowed @returns {Promise<BoardOut>} */
  drawer: (id, profileId, allowed) => request(allowed ? "PUT" : "DELETE", `${one(id)}/drawers/${profileId}`),
  /** @param {string} callId */
  earlier: (callId) => request("GET", "/earlier", { query: { call_id: callId } }),
};

/**
 * POST /api/v1/boards/<id>/backgrounds with the file, reporting the upload's progress (fetch cannot): answers the
 * background ({id, kind, name, pages}); a refusal is an ApiError with the server's message.
 * @param {string} boardId
 * @param {File} file
 * @param {(fraction: number) => void} progress
 * @returns {Promise<any>}
 */
export function uploadBackground(boardId, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${ROOT}${one(boardId)}/backgrounds`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => event.lengthComputable && progress(event.loaded / event.total));
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON (a proxy's page): the status decides
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body);
      const message = typeof body?.message === "string" ? body.message : fallback(xhr.status);
      reject(new ApiError({ status: xhr.status, code: body?.code ?? `http_${xhr.status}`, message }));
    });
    xhr.addEventListener("error", () => reject(new ApiError({ status: 0, code: "network", message: t("error_network") })));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}
