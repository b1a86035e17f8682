// A value a rule refused (ui/src/ipc/Invalid.ts), in the person's language: the field's name
// put into the rule's sentence. Values arrive quoted and cut by the back end.
import type { TFunction } from "i18next";
import i18n from "./i18n";
import type { Field } from "./ipc/Field";
import type { Invalid } from "./ipc/Invalid";
import { gatewayName, settingWithKey } from "./names";

function fieldName(field: Field, t: TFunction): string {
  switch (field.kind) {
    case "attribute":
      return t("invalidField.attribute", { name: JSON.stringify(field.name) });
    case "column":
      return t("invalidField.column", { name: JSON.stringify(field.name) });
    case "setting":
      return t("invalidField.setting", { setting: settingWithKey(field.key, t) });
    case "secret":
      return t("invalidField.secret", { secret: settingWithKey(field.name, t) });
    default:
      return t(`invalidField.${field.kind}`);
  }
}

/** "The subject is longer than 512 characters" / "商品超过 512 个字符": one sentence, no stop. */
export function invalidSentence(invalid: Invalid, t: TFunction = i18n.t): string {
  const field = fieldName(invalid.field, t);
  const rule = invalid.rule;
  let sentence: string;
  switch (rule.kind) {
    case "missing":
      sentence = t(invalid.field.kind === "profile" ? "invalidRule.missing_profile" : "invalidRule.missing", { field });
      break;
    case "unknown": {
      // Gateway ids come quoted ("\"yian\""): named as the window names them.
      const known = rule.known.map((k) => (invalid.field.kind === "gateway" ? gatewayName(k, t) : invalid.field.kind === "secret_name" ? settingWithKey(k, t) : k));
      sentence = known.length > 0 ? t("invalidRule.unknown_listed", { field, value: rule.value, known: known.join(", ") }) : t("invalidRule.unknown", { field, value: rule.value });
      break;
    }
    case "too_large":
      sentence = rule.max === null ? t("invalidRule.too_large", { field }) : t("invalidRule.too_large_max", { field, max: rule.max });
      break;
    case "one_of":
      sentence = t("invalidRule.one_of", { field, value: rule.value, allowed: rule.allowed.join(t("invalidRule.or")) });
      break;
    default: {
      const { kind, ...params } = rule;
      sentence = String(t(`invalidRule.${kind}`, { field, ...params } as never));
    }
  }
  return sentence.charAt(0).toLocaleUpperCase(i18n.language) + sentence.slice(1);
}
