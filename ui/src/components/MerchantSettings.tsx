import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSaveMerchant } from "../queries/mutations";
import { useMerchant, useReadOnly } from "../queries/reads";
import type { MerchantView } from "../types";
import { FailureNote } from "./FailureNote";

/** Zones a merchant of paydesk's gateways is likely in, offered as the zone is typed (any IANA
 * name is taken; the back end says which it does not know). */
export const COMMON_TIME_ZONES = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Taipei",
  "Asia/Singapore",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Asia/Dubai",
  "Europe/London",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "Australia/Sydney",
  "UTC",
] as const;

/** Settings' "Merchant": the name and address every receipt is headed with, and the time zone
 * the days of the day's report follow. */
export function MerchantSettings() {
  const { t } = useTranslation();
  const merchant = useMerchant();
  if (merchant.error) {
    return (
      <section className="merchant-settings" aria-labelledby="merchant-title">
        <h2 id="merchant-title">{t("paper.merchant.title")}</h2>
        <FailureNote error={merchant.error} />
      </section>
    );
  }
  // Until the back end has said (or when it could not start) there is nothing to edit.
  if (!merchant.data) return null;
  return <MerchantForm current={merchant.data} />;
}

function MerchantForm({ current }: { current: MerchantView }) {
  const { t } = useTranslation();
  // A desk that may only read sees the settings but changes none (the back end refuses too).
  const readOnly = useReadOnly();
  const [name, setName] = useState(current.settings.name);
  const [address, setAddress] = useState(current.settings.address);
  const [zone, setZone] = useState(current.settings.time_zone ?? "");
  const save = useSaveMerchant();
  const system = current.system_time_zone;

  /** A new edit replaces the last save's outcome. */
  function edited(set: (value: string) => void, value: string) {
    set(value);
    if (!save.isIdle && !save.isPending) save.reset();
  }

  const saved = save.data;
  return (
    <section className="merchant-settings" aria-labelledby="merchant-title">
      <h2 id="merchant-title">{t("paper.merchant.title")}</h2>
      <p className="hint" id="merchant-help">
        {t("paper.merchant.help")}
      </p>
      {readOnly && (
        <p className="notice" data-testid="merchant-read-only">
          {t("paper.merchant.readOnly")}
        </p>
      )}
      <form
        data-testid="merchant-form"
        aria-describedby="merchant-help"
        onSubmit={(e) => {
          e.preventDefault();
          if (readOnly) return;
          // Empty: each desk's own time zone. The rest goes as typed: the back end's rules
          // (and its words for a refusal) are the ones that count.
          save.mutate(
            { name, address, time_zone: zone === "" ? null : zone },
            {
              onSuccess: (kept) => {
                setName(kept.settings.name);
                setAddress(kept.settings.address);
                setZone(kept.settings.time_zone ?? "");
              },
            },
          );
        }}
      >
        <label className="field">
          {t("paper.merchant.name")}
          <input data-testid="merchant-name" autoComplete="organization" readOnly={readOnly} value={name} onChange={(e) => edited(setName, e.target.value)} />
        </label>
        <label className="field">
          {t("paper.merchant.address")}
          <textarea
            data-testid="merchant-address"
            rows={3}
            aria-describedby="merchant-address-help"
            readOnly={readOnly}
            value={address}
            onChange={(e) => edited(setAddress, e.target.value)}
          />
          <span className="hint" id="merchant-address-help">
            {t("paper.merchant.addressHelp")}
          </span>
        </label>
        <label className="field">
          {t("paper.merchant.timeZone")}
          <input
            data-testid="merchant-time-zone"
            list="merchant-time-zones"
            autoComplete="off"
            spellCheck={false}
            placeholder={t("paper.merchant.systemZone", { zone: system })}
            aria-describedby="merchant-zone-help"
            readOnly={readOnly}
            value={zone}
            onChange={(e) => edited(setZone, e.target.value)}
          />
          <span className="hint" id="merchant-zone-help">
            {t("paper.merchant.timeZoneHelp", { zone: system })}
          </span>
        </label>
        <datalist id="merchant-time-zones">
          {COMMON_TIME_ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <p className="hint" data-testid="merchant-zone-in-force">
          {t("paper.merchant.inForce", { zone: (saved ?? current).time_zone })}
        </p>
        {save.error && <FailureNote error={save.error} testId="merchant-error" />}
        {saved && (
          <p className="ok" role="status" data-testid="merchant-saved">
            {saved.settings.name
              ? t("paper.merchant.saved", { name: saved.settings.name, zone: saved.time_zone })
              : t("paper.merchant.savedNoName", { zone: saved.time_zone })}
          </p>
        )}
        {!readOnly && (
          <button type="submit" className="primary" data-testid="save-merchant" disabled={save.isPending}>
            {t("common.save")}
          </button>
        )}
      </form>
    </section>
  );
}
