import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import i18n from "./i18n";

// Component tests read English unless a test switches.
void i18n.changeLanguage("en");

// jsdom lays nothing out: give the orders' scroll box the size of a window so the virtualizer
// renders the rows a person would see.
for (const [prop, size] of [["clientHeight", 600], ["clientWidth", 1000], ["offsetHeight", 600], ["offsetWidth", 1000]] as const) {
  Object.defineProperty(HTMLElement.prototype, prop, {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("table-scroll") ? size : 0;
    },
  });
}

afterEach(() => cleanup());

// jsdom does not scroll; the table scrolls to the top on a new query.
Element.prototype.scrollTo ??= function scrollTo() {};
