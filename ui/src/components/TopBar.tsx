import type { Ref } from "react";
import { useTranslation } from "react-i18next";
import type { Actor } from "../types";
import { formatActor } from "../words";

interface Props {
  searchRef: Ref<HTMLInputElement>;
  search: string;
  onSearchChange: (text: string) => void;
  /** Enter in the search box: a scanner's order number, or a person's search. */
  onSearchSubmit: () => void;
  ready: boolean;
  /** None on a desk that may only read: it adds no orders. */
  onNewOrder?: () => void;
  /** Who every write is recorded as, once the back end has said. */
  deskNames: Actor | undefined;
  onEditDesk: () => void;
}

/** The search box over every view, New order, and who is at the desk. */
export function TopBar({ searchRef, search, onSearchChange, onSearchSubmit, ready, onNewOrder, deskNames, onEditDesk }: Props) {
  const { t } = useTranslation();
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
          aria-keyshortcuts="/ Control+K"
          placeholder={t("search.placeholder")}
          value={search}
          onChange={(e) => onSearchChange(e.target.value)}
          onKeyDown={(e) => {
            // Esc clears the search and gives the keys back to the list (R checks the selected
            // order again instead of typing "r"); the panel stays open for a second Esc.
            if (e.key !== "Escape") return;
            e.preventDefault();
            e.stopPropagation();
            onSearchChange("");
            e.currentTarget.blur();
          }}
        />
      </form>
      {onNewOrder && (
        <button type="button" className="primary" data-testid="new-order" aria-keyshortcuts="Control+N" disabled={!ready} onClick={onNewOrder}>
          + {t("orders.newOrder")}
        </button>
      )}
      {deskNames && <DeskNames names={deskNames} onEdit={onEditDesk} />}
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
