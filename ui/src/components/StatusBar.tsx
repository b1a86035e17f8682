import { useQuery } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { useNarrowWindow } from "../hooks/useNarrowWindow";
import { activityQuery, currentShiftQuery, statusChecksQuery } from "../queries/reads";
import type { Activity, AppInfo } from "../types";
import { SandboxBadge } from "./StateBadge";
import { formatMinute, sharedSchemaIsNewer } from "../words";

/** How often the gateways are dialled and the data directory written to. */
export const CHECK_EVERY_MS = 30_000;
const ACTIVITY_EVERY_MS = 5_000;
/** While the background read of the database is still going, how soon to ask again. */
const STORAGE_CHECKING_EVERY_MS = 2_000;
/** The latest the checks wait for the first page of orders once the back end is ready. */
const CHECKS_WAIT_MS = 1_000;

interface Props {
  info: AppInfo | undefined;
  /** The back end has started. */
  ready: boolean;
  /** The first page of orders is in. */
  firstScreenIn: boolean;
  onOpenGateways: () => void;
  /** Shows the Shift view. */
  onOpenShift: () => void;
  /** A data directory problem, once per distinct problem, for the page's error banner. */
  onStorageProblem: (detail: string) => void;
}

function activityText(a: Activity, t: TFunction): string {
  const parts = [];
  if (a.in_flight > 0) parts.push(t("status.checking", { count: a.in_flight }));
  if (a.unasked > 0) parts.push(t("status.unasked", { count: a.unasked }));
  if (a.needs_review > 0) parts.push(t("status.review", { count: a.needs_review }));
  return parts.length ? parts.join(" · ") : t("status.idle");
}

export function StatusBar({ info, ready, firstScreenIn, onOpenGateways, onOpenShift, onStorageProblem }: Props) {
  const { t } = useTranslation();
  // A small window shows the short words, each item's long ones in its title, and leaves out
  // what Settings shows (the version, the data directory's path, the sandbox's own line): cut
  // words there say nothing.
  const narrow = useNarrowWindow();
  // The checks (counts over every attempt, a connection to each gateway) are asked for once the
  // first page of orders is in, or a moment after the back end is ready at the latest: the
  // first screen's data goes first.
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(() => setWaited(true), CHECKS_WAIT_MS);
    return () => clearTimeout(timer);
  }, [ready]);
  const enabled = ready && (firstScreenIn || waited);

  const activityAsked = useQuery({ ...activityQuery(), enabled, refetchInterval: ACTIVITY_EVERY_MS, refetchIntervalInBackground: true });
  const checksAsked = useQuery({
    ...statusChecksQuery(),
    enabled,
    refetchIntervalInBackground: true,
    // A damaged store shows as soon as the background read finds it, not half a minute later.
    refetchInterval: (query) => (query.state.data?.storage.state === "checking" ? STORAGE_CHECKING_EVERY_MS : CHECK_EVERY_MS),
  });
  // This desk's open shift, asked again whenever a shift opens or closes (a `change` event).
  const shiftAsked = useQuery({ ...currentShiftQuery(), enabled: ready });
  const shift = shiftAsked.isError ? undefined : shiftAsked.data;
  const shiftText =
    shift === undefined
      ? null
      : shift
        ? t("shift.status.open", { time: formatMinute(shift.opened_at), who: shift.opened_by || t("common.none") })
        : t("shift.status.none");
  const shiftShown = shift && narrow ? t("shift.status.openShort", { time: formatMinute(shift.opened_at) }) : shiftText;
  // What could not be asked is not shown, rather than an answer gone stale.
  const activity = activityAsked.isError ? undefined : activityAsked.data;
  const checks = checksAsked.isError ? undefined : checksAsked.data;

  const problem = checks?.storage.state === "problem" ? (checks.storage.detail ?? "") : null;
  const reportProblem = useEffectEvent((detail: string) => onStorageProblem(detail));
  // Once per distinct problem.
  useEffect(() => {
    if (problem !== null) reportProblem(problem);
  }, [problem]);

  const down = checks?.gateways.filter((g) => !g.reachable) ?? [];
  // The shared store's server answers, but its schema and this paydesk's differ.
  const unfit = checks && !checks.store.reachable ? checks.store.schema_mismatch : null;
  const storageWords =
    checks?.storage.state === "problem" ? t("status.dataProblem") : checks?.storage.state === "ok" ? t("status.dataOk") : t("status.dataChecking");
  const gatewaysTitle = checks?.gateways.map((g) => `${g.profile}: ${g.reachable ? "✓" : "✕"} ${g.detail}`).join("\n");

  return (
    <footer className="status" role="contentinfo">
      {info && (
        <span
          className={`status-item data-set ${info.data_set}`}
          data-testid="data-set"
          data-set={info.data_set}
          title={t("dataSet.shownNow", { set: t(`dataSet.${info.data_set}`) })}
        >
          {info.data_set === "demo" ? <strong>{t("dataSet.demo")}</strong> : t("dataSet.live")}
        </span>
      )}
      {info?.sandbox_url ? (
        <>
          <SandboxBadge />
          {!narrow && (
            <span className="shrink" data-testid="sandbox-status" title={t("status.sandbox")}>
              {t("status.sandbox")}
            </span>
          )}
        </>
      ) : null}
      {activity && (
        <span className="shrink activity" data-testid="activity" aria-live="polite" title={activityText(activity, t)}>
          {activity.in_flight > 0 && (
            <span>
              <span className="spinner small" aria-hidden="true" /> {t("status.checking", { count: activity.in_flight })}
            </span>
          )}
          {activity.unasked > 0 && (
            <span className="state-pending" data-testid="unasked">
              {t("status.unaskedShort", { count: activity.unasked })}
            </span>
          )}
          {activity.needs_review > 0 && <strong className="state-needs_review">{t("status.review", { count: activity.needs_review })}</strong>}
          {activity.in_flight + activity.unasked + activity.needs_review === 0 && <span>{t(narrow ? "status.idleShort" : "status.idle")}</span>}
        </span>
      )}
      <span className="spacer" />
      {shiftText !== null && (
        <button type="button" className="status-item shrink" data-testid="shift-status" data-open={Boolean(shiftAsked.data)} title={shiftText} onClick={onOpenShift}>
          {shiftShown}
        </button>
      )}
      {checks && checks.gateways.length > 0 && (
        <button
          type="button"
          className={`status-item ${down.length ? "state-failed" : "state-succeeded"}`}
          data-testid="gateway-reach"
          data-down={down.length}
          title={gatewaysTitle}
          onClick={onOpenGateways}
        >
          <span aria-hidden="true">{down.length ? "✕" : "✓"}</span>{" "}
          {down.length
            ? t("status.gatewaysDown", { count: down.length, names: down.map((g) => g.profile).join(", ") })
            : t(narrow ? "status.gatewaysUpShort" : "status.gatewaysUp", { count: checks.gateways.length })}
        </button>
      )}
      {checks?.store.url && (
        <span
          className={`status-item ${checks.store.reachable ? "" : "state-failed"}`}
          data-testid="shared-store"
          data-reachable={checks.store.reachable}
          data-read-only={checks.store.read_only}
          title={
            unfit
              ? t("status.sharedSchemaTitle", { url: checks.store.url, applied: unfit.applied, supported: unfit.supported })
              : checks.store.url
          }
        >
          <span aria-hidden="true">{checks.store.reachable ? "⇄" : "✕"}</span>{" "}
          {checks.store.reachable
            ? t("status.shared")
            : unfit
              ? t(sharedSchemaIsNewer(unfit) ? "status.sharedNewerSchema" : "status.sharedOlderSchema")
              : checks.store.as_of === null
                ? t("status.sharedOfflineNoCopy")
                : t("status.sharedOffline", { time: formatMinute(checks.store.as_of) })}
          {checks.store.read_only && <strong> · {t("status.readOnly")}</strong>}
        </span>
      )}
      {info?.data_dir && (
        <span
          className={`status-item data-dir ${checks?.storage.state === "problem" ? "state-failed" : ""}`}
          data-testid="storage"
          data-state={checks?.storage.state ?? "checking"}
          title={checks?.storage.detail ?? `${storageWords}: ${info.data_dir}`}
        >
          <span aria-hidden="true">{checks?.storage.state === "ok" ? "✓" : checks?.storage.state === "problem" ? "✕" : "…"}</span>{" "}
          {narrow && checks?.storage.state === "ok" ? (
            t("status.dataOkShort")
          ) : (
            <>
              {storageWords}: <span className="mono">{info.data_dir}</span>
            </>
          )}
        </span>
      )}
      {info && !narrow && (
        <span className="version" data-testid="version">
          <span>{t("status.version", { version: info.version })}</span>
        </span>
      )}
    </footer>
  );
}
