import { useTranslation } from "react-i18next";
import { gatewayName } from "../names";
import type { FailureReason } from "../types";

/** Codes paydesk itself records when no gateway answered (engine.rs, reconcile.rs), said in the
 * person's language as the timeline says them; every other code is the gateway's own. */
const OWN_CODES = {
  NOT_SENT: "timeline.notSent",
  ANSWER_LOST: "timeline.answerLost",
  RESEND_NOT_SENT: "timeline.resendNotSent",
  INTERRUPTED: "timeline.interrupted",
} as const;

function isOwnCode(code: string | null): code is keyof typeof OWN_CODES {
  return code !== null && code in OWN_CODES;
}

/** A reason's words: the gateway's message as it sent it, or for paydesk's own codes its
 * sentence, the recorded message under it. */
function Words({ reason }: { reason: FailureReason }) {
  const { t } = useTranslation();
  if (isOwnCode(reason.code)) {
    return (
      <>
        {t(OWN_CODES[reason.code], { gateway: gatewayName(reason.gateway, t) })}
        <div className="hint">
          {t("manager.failures.ours")}
          {reason.message ? ` · ${reason.message}` : ""}
        </div>
      </>
    );
  }
  return <>{reason.message?.trim() || t("manager.failures.noWords")}</>;
}

/** The failures that came back most: each gateway's code and words, counted each day. */
export function FailureReasons({ failures }: { failures: FailureReason[] }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="manager-failures-title" data-testid="failure-reasons">
      <h2 id="manager-failures-title">{t("manager.failures.title")}</h2>
      {failures.length === 0 ? (
        <p className="empty">{t("manager.failures.empty")}</p>
      ) : (
        <table className="compare failures">
          <caption className="visually-hidden">{t("manager.failures.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("term.gateway")}</th>
              <th scope="col">{t("manager.failures.code")}</th>
              <th scope="col">{t("manager.failures.words")}</th>
              <th scope="col" className="num">
                {t("manager.today")}
              </th>
              <th scope="col" className="num">
                {t("manager.yesterday")}
              </th>
              <th scope="col" className="num">
                {t("manager.lastWeek")}
              </th>
            </tr>
          </thead>
          <tbody>
            {failures.map((f) => (
              <tr key={`${f.gateway}-${f.code ?? ""}`} data-gateway={f.gateway} data-code={f.code ?? ""}>
                <td>{gatewayName(f.gateway, t)}</td>
                <td>{f.code === null ? <span className="hint">{t("manager.failures.noCode")}</span> : <code>{f.code}</code>}</td>
                <td className="failure-words">
                  <Words reason={f} />
                </td>
                <td className="num">{f.today}</td>
                <td className="num">{f.yesterday}</td>
                <td className="num">{f.last_week}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">{t("manager.failures.help")}</p>
    </section>
  );
}
