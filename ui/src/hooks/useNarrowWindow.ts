import { useSyncExternalStore } from "react";

/** A small window, as styles.css's `@media (max-width: 1100px)` lays it out (900×560 at least). */
const NARROW = "(max-width: 1100px)";

function subscribe(changed: () => void): () => void {
  if (typeof window.matchMedia !== "function") return () => {};
  const query = window.matchMedia(NARROW);
  query.addEventListener("change", changed);
  return () => query.removeEventListener("change", changed);
}

const isNarrow = () => typeof window.matchMedia === "function" && window.matchMedia(NARROW).matches;

/** Whether the window is small: words that would be cut give way to their short forms there. */
export function useNarrowWindow(): boolean {
  return useSyncExternalStore(subscribe, isNarrow);
}
