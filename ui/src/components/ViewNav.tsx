import { useTranslation } from "react-i18next";
import { ariaKeys, GLOBAL_KEYS, type View } from "../shortcuts";

/** Ctrl+1 … Ctrl+6, in the order of the views. */
const VIEW_KEYS = GLOBAL_KEYS.filter((s) => s.id === "view");

export function ViewNav({ view, onShow }: { view: View; onShow: (view: View) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      <div className="brand">paydesk</div>
      {VIEW_KEYS.map((keys, i) => (
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
          <kbd aria-hidden="true">Ctrl {i + 1}</kbd>
        </a>
      ))}
    </nav>
  );
}
