import { Fragment, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useReadOnly } from "../queries/reads";
import { chordLabels, SHEET, type Shortcut } from "../shortcuts";
import { Modal } from "./Modal";

/** What a desk that may only read does not do: its keys do nothing there. */
const WRITES = new Set<string>(["new-order", "import", "check"]);

/** The shortcut sheet (?): every key the window answers, from the tables its handlers use; on
 * a desk that may only read, not the keys that write (adding, importing, asking, paying). */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const readOnly = useReadOnly();
  const sections = SHEET.filter((section) => !(readOnly && section.title === "inPay")).map((section) => ({
    title: section.title,
    keys: (section.keys as readonly Shortcut[]).filter((s) => !(readOnly && WRITES.has(s.id))),
  }));
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  const words = (s: Shortcut) => (s.view ? t("shortcuts.view", { view: t(`nav.${s.view}`) }) : t(`shortcuts.${s.words}`));

  return (
    <Modal labelledBy="shortcuts-title" testId="shortcut-sheet" className="wide" onClose={onClose}>
      <header>
        <h2 id="shortcuts-title">{t("shortcuts.title")}</h2>
      </header>
      <div className="sheet">
        {sections.map((section) => (
          <table key={section.title} className="keys" data-section={section.title}>
            <caption>{t(`shortcuts.${section.title}`)}</caption>
            <thead className="visually-hidden">
              <tr>
                <th scope="col">{t("shortcuts.keys")}</th>
                <th scope="col">{t("shortcuts.action")}</th>
              </tr>
            </thead>
            <tbody>
              {section.keys.map((s, i) => (
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
