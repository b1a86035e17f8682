import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { auditFile } from "../components/auditCsv";
import { actionName, AUDIT_ACTIONS, auditSummary, currenciesOf, entryActionName, type AuditContext } from "../components/auditWords";
import { download } from "../components/download";
import { useDebounced } from "../hooks/useDebounced";
import { auditQuery, useAppInfo, useMerchantZone } from "../queries/reads";
import type { AuditAction, AuditQuery } from "../types";
import { dateInputToMs, formatActor, formatCount, formatTime } from "../words";
import { FailureNote } from "../components/FailureNote";

/** Entries asked for at first, and added by each "Show older entries". */
export const AUDIT_PAGE = 500;
/** The most the back end answers at once. */
export const AUDIT_MAX = 10_000;

/** The audit trail, newest first: who did what, when, to which order, profile or file.
 * `subject` starts it narrowed to one (an order's "History of this order"). */
export function AuditView({ subject: initialSubject = "" }: { subject?: string }) {
  const { t, i18n } = useTranslation();
  const [action, setAction] = useState<AuditAction | "">("");
  const [subject, setSubject] = useState(initialSubject);
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const zone = useMerchantZone();
  const [limit, setLimit] = useState(AUDIT_PAGE);
  const [saved, setSaved] = useState<{ file: string; count: number } | null>(null);
  // An order number is typed (or scanned) whole: the trail is asked once it stops changing.
  const typed = useDebounced(subject.trim(), 300);
  const query: AuditQuery = {
    action: action || null,
    subject: typed || null,
    since_ms: dateInputToMs(since, 0, zone),
    until_ms: dateInputToMs(until, 1, zone),
    limit,
  };
  const trail = useQuery({ ...auditQuery(query), placeholderData: keepPreviousData });
  const entries = useMemo(() => trail.data ?? [], [trail.data]);
  const currencies = useAppInfo().data?.currencies;
  const ctx: AuditContext = useMemo(() => {
    const orders = currenciesOf(entries);
    return {
      t,
      exponent: (code) => currencies?.find((c) => c.code === code)?.exponent ?? 2,
      currencyOf: (orderNo) => orders.get(orderNo),
      timeZone: zone,
    };
  }, [entries, currencies, t, zone]);
  const filtered = Boolean(action || subject || since || until);
  // A new filter starts again from the newest entries.
  const narrow = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setLimit(AUDIT_PAGE);
    setSaved(null);
  };

  return (
    <section className="view audit" aria-labelledby="audit-title" data-testid="audit-view">
      <div className="view-head">
        <h1 id="audit-title">{t("audit.title")}</h1>
        <span className="spacer" />
        {trail.data && (
          <span className="hint" data-testid="audit-count">
            {t("audit.count", { count: entries.length, n: formatCount(entries.length, i18n.language) })}
          </span>
        )}
        <button
          type="button"
          className="small"
          data-testid="audit-export"
          disabled={entries.length === 0}
          onClick={() => {
            const file = auditFile(entries, ctx);
            download(file);
            setSaved({ file: file.file_name, count: file.rows });
          }}
        >
          {t("audit.export")}
        </button>
      </div>
      <p className="hint audit-help">{t("audit.help")}</p>
      <div className="filters" role="group" aria-label={t("audit.filters")}>
        <select aria-label={t("audit.action")} value={action} data-testid="audit-action-filter" onChange={(e) => narrow(setAction)(e.target.value as AuditAction | "")}>
          <option value="">{t("audit.anyAction")}</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {actionName(a, t)}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label={t("audit.subject")}
          placeholder={t("audit.subjectPlaceholder")}
          value={subject}
          data-testid="audit-subject-filter"
          onChange={(e) => narrow(setSubject)(e.target.value)}
        />
        <label>
          {t("audit.since")} <input type="date" value={since} data-empty={since ? undefined : ""} data-testid="audit-since" onChange={(e) => narrow(setSince)(e.target.value)} />
        </label>
        <label>
          {t("audit.until")} <input type="date" value={until} data-empty={until ? undefined : ""} data-testid="audit-until" onChange={(e) => narrow(setUntil)(e.target.value)} />
        </label>
        {filtered && (
          <button
            type="button"
            className="small"
            onClick={() => {
              setAction("");
              setSubject("");
              setSince("");
              narrow(setUntil)("");
            }}
          >
            {t("audit.clearFilters")}
          </button>
        )}
      </div>
      {saved && (
        <p className="ok" role="status" data-testid="audit-saved">
          {t("audit.exported", { file: saved.file, count: saved.count })}
        </p>
      )}
      {trail.error && <FailureNote error={trail.error} />}
      {trail.isPending && !trail.error && <p className="hint">{t("common.loading")}</p>}
      {trail.data && entries.length === 0 && <p className="empty">{t(filtered ? "audit.emptyFiltered" : "audit.empty")}</p>}
      {entries.length > 0 && (
        <div className="audit-scroll">
          <table className="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t("audit.time")}</th>
                <th scope="col">{t("audit.who")}</th>
                <th scope="col">{t("audit.what")}</th>
                <th scope="col">{t("audit.subject")}</th>
                <th scope="col">{t("audit.details")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-audit-id={e.id} data-action={e.action}>
                  <td className="when">
                    <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at)}</time>
                  </td>
                  <td>{formatActor(e) || t("common.none")}</td>
                  <td>{entryActionName(e, t)}</td>
                  <td className="mono">{e.subject || t("common.none")}</td>
                  <td className="said">{auditSummary(e, ctx) || t("common.none")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.length === limit && limit < AUDIT_MAX && (
        <button type="button" className="small more" data-testid="audit-more" disabled={trail.isFetching} onClick={() => setLimit(Math.min(limit + AUDIT_PAGE, AUDIT_MAX))}>
          {t("audit.more")}
        </button>
      )}
      {entries.length >= AUDIT_MAX && <p className="hint">{t("audit.capped", { n: formatCount(AUDIT_MAX, i18n.language) })}</p>}
    </section>
  );
}
