import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { OrderFilterState } from "../hooks/useOrderFilters";
import type { AttemptState, Channel, ProfileView } from "../types";
import { gatewayName } from "../names";
import { STATES } from "../words";

/** The orders list's filters: state, channel, gateway profile, the desk that took the latest
 * payment (once more than one has) and a range of days. */
export function OrderFilterBar({ filters: f, profiles, desks }: { filters: OrderFilterState; profiles: ProfileView[]; desks: string[] }) {
  const { t } = useTranslation();
  const channels = useMemo(() => {
    const all = new Set<Channel>();
    for (const p of profiles) for (const c of p.capabilities?.channels ?? []) all.add(c);
    return [...all];
  }, [profiles]);

  return (
    <div className="filters" role="group" aria-label={t("orders.filters")}>
      <select aria-label={t("term.state")} value={f.state} data-testid="filter-state" onChange={(e) => f.setState(e.target.value as AttemptState | "")}>
        <option value="">{t("orders.anyState")}</option>
        {STATES.map((s) => (
          <option key={s} value={s}>
            {t(`state.${s}`)}
          </option>
        ))}
      </select>
      <select aria-label={t("term.channel")} value={f.channel} data-testid="filter-channel" onChange={(e) => f.setChannel(e.target.value as Channel | "")}>
        <option value="">{t("orders.anyChannel")}</option>
        {channels.map((c) => (
          <option key={c} value={c}>
            {t(`channel.${c}`)}
          </option>
        ))}
      </select>
      <select aria-label={t("term.profile")} value={f.profile} data-testid="filter-profile" onChange={(e) => f.setProfile(e.target.value)}>
        <option value="">{t("orders.anyProfile")}</option>
        {profiles.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name} · {gatewayName(p.gateway, t)}
          </option>
        ))}
      </select>
      {(desks.length > 1 || f.desk) && (
        <select aria-label={t("desk.desk")} value={f.desk} data-testid="filter-desk" onChange={(e) => f.setDesk(e.target.value)}>
          <option value="">{t("orders.anyDesk")}</option>
          {desks.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      )}
      <label>
        {t("orders.from")} <input type="date" value={f.from} data-empty={f.from ? undefined : ""} data-testid="filter-from" onChange={(e) => f.setFrom(e.target.value)} />
      </label>
      <label>
        {t("orders.to")} <input type="date" value={f.to} data-empty={f.to ? undefined : ""} data-testid="filter-to" onChange={(e) => f.setTo(e.target.value)} />
      </label>
      {f.filtered && (
        <button type="button" className="small" onClick={f.clearFilters}>
          {t("orders.clearFilters")}
        </button>
      )}
    </div>
  );
}
