import { useTranslation } from "react-i18next";
import { ariaKeys, chordLabel, GLOBAL_KEYS, NAV_ORDER, type View } from "../shortcuts";

/** Ctrl+1 … Ctrl+7, one a view, in the navigation's order (a view's key is not its place). */
const VIEW_KEYS = NAV_ORDER.map((view) => GLOBAL_KEYS.filter((s) => s.id === "view").find((s) => s.view === view)!);

/** Past this the badge says "99+": the status bar and the list have the exact number. */
const MOST_COUNTED = 99;

/**
 * The views, Orders with a badge counting the payments that need a person (review, or a settled
 * one a gateway's report contests): nothing paydesk does moves them, so they wait until
 * someone opens them, and the count goes down only as they are resolved. Payments settled
 * while nobody looked need nothing more done, and a count of them would go stale with no
 * telling when it was seen: their news is the desktop notification.
 */
export function ViewNav({ view, onShow, needsPerson = 0 }: { view: View; onShow: (view: View) => void; needsPerson?: number }) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      <div className="brand">paydesk</div>
      {VIEW_KEYS.map((keys) => {
        const counted = keys.view === "orders" && needsPerson > 0;
        return (
          <a
            key={keys.view}
            href={`#${keys.view}`}
            data-view={keys.view}
            aria-current={view === keys.view ? "page" : undefined}
            aria-keyshortcuts={ariaKeys(keys)}
            onClick={(e) => {
              e.preventDefault();
              onShow(keys.view);
            }}
          >
            <span className="nav-name">
              {t(`nav.${keys.view}`)}
              {/* Read as "Orders 2 need a person"; a flex container shows no gap of it. */}
              {counted && " "}
              {counted && (
                <span className="nav-count state-needs_review" data-testid="needs-person-count" title={t("status.review", { count: needsPerson })}>
                  <span aria-hidden="true">{needsPerson > MOST_COUNTED ? `${MOST_COUNTED}+` : needsPerson}</span>
                  <span className="visually-hidden">{t("status.review", { count: needsPerson })}</span>
                </span>
              )}
            </span>
            <kbd aria-hidden="true">{chordLabel(keys.chords[0]!).replace("+", " ")}</kbd>
          </a>
        );
      })}
    </nav>
  );
}
