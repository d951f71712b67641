/**
 * A page's words come from the server, translated by Django (e.g. parta/messenger/chatui/strings.py, rendered with
 * |json_script): one catalogue, checked by scripts/check_translations.py like every template.
 *
 * `t("key", {name: "Аня"})` fills %(name)s; `tn("key", n)` picks the plural form for n. The server sends each plural
 * message as three forms — for 1, 2 and 5 — which is what Russian needs (English uses the first two).
 */
import { readJson } from "./dom.js";

/** @typedef {Record<string, string | string[]>} Strings */

/** @param {string} text @param {Record<string, unknown>} params */
function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in params ? String(params[name]) : match));
}

/**
 * The translations in the page's `<script id=elementId type="application/json">`, read on first use.
 * @param {string} elementId
 * @param {string} label  names the page in the console's warning about a missing string
 */
export function catalogue(elementId, label) {
  /** @type {Strings | null} */
  let strings = null;
  const rules = new Intl.PluralRules(document.documentElement.lang || "ru");
  const load = () => (strings ??= /** @type {Strings | null} */ (readJson(elementId)) ?? {});

  /** @param {string} key @param {Record<string, unknown>} [params] */
  function t(key, params = {}) {
    const text = load()[key];
    if (typeof text !== "string") {
      console.warn(`parta ${label}: no string`, key);
      return key;
    }
    return fill(text, params);
  }

  /** @param {string} key @param {number} count @param {Record<string, unknown>} [params] */
  function tn(key, count, params = {}) {
    const forms = load()[key];
    if (!Array.isArray(forms)) return t(key, { count, ...params });
    const category = rules.select(count);
    const index = /** @type {Record<string, number>} */ ({ one: 0, few: 1, two: 1 })[category] ?? 2;
    return fill(forms[Math.min(index, forms.length - 1)], { count, ...params });
  }

  return { t, tn };
}
