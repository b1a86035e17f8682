import { useEffect, useRef, type RefObject } from "react";
import { useTranslation } from "react-i18next";
import { ariaKeys, findShortcut, GLOBAL_KEYS, SEARCH_KEYS, shortcut } from "../shortcuts";
import type { Actor } from "../types";
import { formatActor } from "../words";

/** Search as you type, this long after the last key. */
const TYPING_PAUSE_MS = 150;

interface Props {
  /** The search box: its text is its own (read it, or clear it, through this). */
  searchRef: RefObject<HTMLInputElement | null>;
  /** A key changed the search box's text. */
  onTyping: () => void;
  /** The search box's text, trimmed, once typing has paused (or at once when Esc clears it). */
  onSearchSettled: (text: string) => void;
  /** Enter in the search box: a scanner's order number, or a person's search. */
  onSearchSubmit: () => void;
  ready: boolean;
  /** None on a desk that may only read: it adds no orders. */
  onNewOrder?: () => void;
  /** Who every write is recorded as, once the back end has said. */
  deskNames: Actor | undefined;
  onEditDesk: () => void;
  /** Opens the shortcut sheet, as ? does. */
  onShowShortcuts: () => void;
}

/** The search box over every view, New order, and who is at the desk. */
export function TopBar({ searchRef, onTyping, onSearchSettled, onSearchSubmit, ready, onNewOrder, deskNames, onEditDesk, onShowShortcuts }: Props) {
  const { t } = useTranslation();
  // The box is not drawn from the window's state: a keystroke would draw the whole window
  // again, a million orders' list with it, where it need only show the letter.
  const pause = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const settled = useRef(onSearchSettled);
  useEffect(() => {
    settled.current = onSearchSettled;
  });
  useEffect(() => () => clearTimeout(pause.current), []);
  const settle = (later: boolean) => {
    clearTimeout(pause.current);
    const now = () => settled.current(searchRef.current?.value.trim() ?? "");
    if (later) pause.current = setTimeout(now, TYPING_PAUSE_MS);
    else now();
  };
  return (
    <header className="topbar">
      <form
        role="search"
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          onSearchSubmit();
        }}
      >
        <label htmlFor="global-search" className="visually-hidden">
          {t("search.label")}
        </label>
        <input
          id="global-search"
          ref={searchRef}
          type="search"
          autoComplete="off"
          spellCheck={false}
          data-testid="global-search"
          aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "search"))}
          placeholder={t("search.placeholder")}
          defaultValue=""
          onChange={() => {
            onTyping();
            settle(true);
          }}
          onKeyDown={(e) => {
            const hit = findShortcut(SEARCH_KEYS, e);
            if (!hit) return;
            e.preventDefault();
            if (hit.id === "open") {
              onSearchSubmit();
              return;
            }
            // Esc clears the search and gives the keys back to the list (R checks the selected
            // order again instead of typing "r"); the panel stays open for a second Esc.
            e.stopPropagation();
            e.currentTarget.value = "";
            onTyping();
            settle(false);
            e.currentTarget.blur();
          }}
        />
      </form>
      {onNewOrder && (
        <button type="button" className="primary" data-testid="new-order" aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "new-order"))} disabled={!ready} onClick={onNewOrder}>
          + {t("orders.newOrder")}
        </button>
      )}
      {deskNames && <DeskNames names={deskNames} onEdit={onEditDesk} />}
      <button
        type="button"
        className="small"
        data-testid="open-shortcuts"
        aria-label={t("shortcuts.title")}
        aria-keyshortcuts={ariaKeys(shortcut(GLOBAL_KEYS, "help"))}
        title={`${t("shortcuts.title")} (?)`}
        onClick={onShowShortcuts}
      >
        ?
      </button>
    </header>
  );
}

function DeskNames({ names, onEdit }: { names: Actor; onEdit: () => void }) {
  const { t } = useTranslation();
  const who = formatActor(names);
  return (
    <button type="button" className="desk-names" data-testid="desk-names" aria-label={t("desk.whoIsHere", { who })} title={`${who}\n${t("desk.change")}`} onClick={onEdit}>
      {who}
    </button>
  );
}
