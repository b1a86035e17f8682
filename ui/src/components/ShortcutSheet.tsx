import { Fragment, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { chordLabels, SHEET, type Shortcut } from "../shortcuts";
import { Modal } from "./Modal";

/** The shortcut sheet (?): every key the window answers, from the tables its handlers use. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  const words = (s: Shortcut) => (s.view ? t("shortcuts.view", { view: t(`nav.${s.view}`) }) : t(`shortcuts.${s.words}`));

  return (
    <Modal labelledBy="shortcuts-title" testId="shortcut-sheet" className="wide" onClose={onClose}>
      <header>
        <h2 id="shortcuts-title">{t("shortcuts.title")}</h2>
      </header>
      <div className="sheet">
        {SHEET.map((section) => (
          <table key={section.title} className="keys" data-section={section.title}>
            <caption>{t(`shortcuts.${section.title}`)}</caption>
            <thead className="visually-hidden">
              <tr>
                <th scope="col">{t("shortcuts.keys")}</th>
                <th scope="col">{t("shortcuts.action")}</th>
              </tr>
            </thead>
            <tbody>
              {section.keys.map((s: Shortcut, i) => (
                <tr key={i} data-shortcut={s.id}>
                  <th scope="row">
                    {chordLabels(s).map((label, j) => (
                      <Fragment key={label}>
                        {j > 0 && ` ${t("shortcuts.or")} `}
                        <kbd>{label}</kbd>
                      </Fragment>
                    ))}
                  </th>
                  <td>{words(s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
      <footer>
        <button type="button" className="primary" ref={closeRef} data-testid="close-shortcuts" onClick={onClose}>
          {t("common.close")}
        </button>
      </footer>
    </Modal>
  );
}
