import { useTranslation } from "react-i18next";
import { VIEWS, type View } from "../hooks/useShortcuts";

export function ViewNav({ view, onShow }: { view: View; onShow: (view: View) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t("nav.label")}>
      <div className="brand">paydesk</div>
      {VIEWS.map((v, i) => (
        <a
          key={v}
          href={`#${v}`}
          data-view={v}
          aria-current={view === v ? "page" : undefined}
          aria-keyshortcuts={`Control+${i + 1}`}
          onClick={(e) => {
            e.preventDefault();
            onShow(v);
          }}
        >
          {t(`nav.${v}`)}
          <kbd aria-hidden="true">Ctrl {i + 1}</kbd>
        </a>
      ))}
    </nav>
  );
}
