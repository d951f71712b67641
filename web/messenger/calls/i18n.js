/**
 * The call page's words (parta/messenger/calls/strings.py → json_script #call-strings), through web/core/i18n.js.
 */
import { catalogue } from "../../core/i18n.js";

export const { t } = catalogue("call-strings", "call");
