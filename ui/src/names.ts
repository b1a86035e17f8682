// What the window calls a gateway, a profile's setting or a secret, in the person's language.
// The ids (yian, merchant_id) are the back end's; a person reads the names. An id this window
// has no words for is shown as it is.
import type { TFunction } from "i18next";
import i18n from "./i18n";
import { en } from "./locales/en";

type GatewayId = keyof typeof en.gatewayName;
type SettingKey = keyof typeof en.settingName;

function isGateway(id: string): id is GatewayId {
  return Object.hasOwn(en.gatewayName, id);
}

function isSetting(key: string): key is SettingKey {
  return Object.hasOwn(en.settingName, key);
}

/** "益安" for `yian` in 简体中文, "Yian (益安)" in English; an unknown id as it is. */
export function gatewayName(id: string, t: TFunction = i18n.t): string {
  return isGateway(id) ? t(`gatewayName.${id}`) : id;
}

/** A setting's or secret's name for people ("Merchant ID" for `merchant_id`), or null where the
 * window has none: the raw key is all there is to show then. */
export function settingLabel(key: string, t: TFunction = i18n.t): string | null {
  return isSetting(key) ? t(`settingName.${key}`) : null;
}

/** "Merchant ID (merchant_id)": a key in a sentence, its raw form kept for support. */
export function settingWithKey(key: string, t: TFunction = i18n.t): string {
  const label = settingLabel(key, t);
  return label ? `${label} (${key})` : key;
}

export function isChannel(name: string): name is keyof typeof en.channel {
  return Object.hasOwn(en.channel, name);
}

/** A channel id in words, an unknown one as it is. */
export function channelName(name: string, t: TFunction = i18n.t): string {
  return isChannel(name) ? t(`channel.${name}`) : name;
}
