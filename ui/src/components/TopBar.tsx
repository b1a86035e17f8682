import type { Ref } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  searchRef: Ref<HTMLInputElement>;
  search: string;
  onSearchChange: (text: string) => void;
  /** Enter in the search box: a scanner's order number, or a person's search. */
  onSearchSubmit: () => void;
  ready: boolean;
  onNewOrder: () => void;
}

/** The search box over every view, and New order. */
export function TopBar({ searchRef, search, onSearchChange, onSearchSubmit, ready, onNewOrder }: Props) {
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
        />
      </form>
      <button type="button" className="primary" data-testid="new-order" aria-keyshortcuts="Control+N" disabled={!ready} onClick={onNewOrder}>
        + {t("orders.newOrder")}
      </button>
    </header>
  );
}
