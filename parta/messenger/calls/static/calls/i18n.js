/**
 * The call page's words come from the server, translated by Django (parta/messenger/calls/strings.py → json_script
 * #call-strings). `t("key", {name: "Аня"})` fills %(name)s.
 */
let strings = null;

function load() {
  if (strings === null) {
    const element = document.getElementById("call-strings");
    strings = element ? JSON.parse(element.textContent) : {};
  }
  return strings;
}

export function t(key, params = {}) {
  const text = load()[key];
  if (typeof text !== "string") {
    console.warn("parta call: no string", key);
    return key;
  }
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in params ? String(params[name]) : match));
}
