/** Small DOM helpers every page may use. */

/**
 * A JSON block the server rendered with |json_script, or null when the page has none.
 * @param {string} id
 * @returns {unknown}
 */
export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent ?? "null") : null;
}
