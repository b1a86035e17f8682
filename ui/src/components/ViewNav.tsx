import { useTranslation } from "react-i18next";
import { ariaKeys, chordLabel, GLOBAL_KEYS, NAV_ORDER, type View } from "../shortcuts";

/** Ctrl+1 … Ctrl+7, one a view, in the navigation's order (a view's key is not its place). */
const VIEW_KEYS = NAV_ORDER.map((view) => GLOBAL_KEYS.filter((s) => s.id === "view").find((s) => s.view === view)!);

export function ViewNav({ view, onShow }: { view: View; onShow: (view: View) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      <div className="brand">paydesk</div>
      {VIEW_KEYS.map((keys) => (
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
          {t(`nav.${keys.view}`)}
          <kbd aria-hidden="true">{chordLabel(keys.chords[0]!).replace("+", " ")}</kbd>
        </a>
      ))}
    </nav>
  );
}
