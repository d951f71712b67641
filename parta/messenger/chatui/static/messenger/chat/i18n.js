/**
 * The UI's words come from the server, translated by Django (parta/messenger/chatui/strings.py → json_script):
 * one catalogue, checked by scripts/check_translations.py like every template.
 *
 * `t("key", {name: "Аня"})` fills %(name)s; `tn("key", n)` picks the plural form for n. The server sends each
 * plural message as three forms — for 1, 2 and 5 — which is what Russian needs (English uses the first two).
 */
import { readJson } from "./dom.js";

let strings = null;
const rules = new Intl.PluralRules(document.documentElement.lang || "ru");

function load() {
  strings ??= readJson("chat-strings") ?? {};
  return strings;
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in params ? String(params[name]) : match));
}

export function t(key, params = {}) {
  const text = load()[key];
  if (typeof text !== "string") {
    console.warn("parta chat: no string", key);
    return key;
  }
  return fill(text, params);
}

export function tn(key, count, params = {}) {
  const forms = load()[key];
  if (!Array.isArray(forms)) return t(key, { count, ...params });
  const category = rules.select(count);
  const index = { one: 0, few: 1, two: 1 }[category] ?? 2;
  return fill(forms[Math.min(index, forms.length - 1)], { count, ...params });
}
