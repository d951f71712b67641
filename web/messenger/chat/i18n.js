/**
 * The chat UI's words (parta/messenger/chatui/strings.py → json_script #chat-strings), through web/core/i18n.js.
 */
import { catalogue } from "../../core/i18n.js";

export const { t, tn } = catalogue("chat-strings", "chat");
