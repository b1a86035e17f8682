import { useEffect, useEffectEvent } from "react";
import { findShortcut, GLOBAL_KEYS, type View } from "../shortcuts";

export { VIEWS, type View } from "../shortcuts";

export type Dialog = "new-order" | "import" | "export" | "shortcuts";

interface Shortcuts {
  /** A dialog has the keyboard: only Ctrl+K still reaches the window. */
  dialogOpen: boolean;
  /** The back end has started: what needs it can be opened. */
  ready: boolean;
  /** The orders view shows an order's detail panel. */
  panelOpen: boolean;
  focusSearch: () => void;
  showView: (view: View) => void;
  openDialog: (dialog: Dialog) => void;
  closePanel: () => void;
  checkSelected: () => void;
  /** The selected order's receipt, if it has one. */
  receiptSelected: () => void;
}

/** The window's keyboard, as GLOBAL_KEYS lists it (shortcuts.ts; the sheet shows the same). */
export function useShortcuts(s: Shortcuts) {
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const hit = findShortcut(GLOBAL_KEYS, e, s.dialogOpen);
    if (!hit) return;
    switch (hit.id) {
      case "search":
        s.focusSearch();
        break;
      case "view":
        s.showView(hit.view);
        break;
      case "new-order":
      case "import":
        if (!s.ready) return;
        s.openDialog(hit.id);
        break;
      case "export":
        // Exports what the orders list is filtered to, so the list is where it happens.
        if (!s.ready) return;
        s.showView("orders");
        s.openDialog("export");
        break;
      case "check":
        s.checkSelected();
        break;
      case "receipt":
        s.receiptSelected();
        break;
      case "close":
        if (!s.panelOpen) return;
        s.closePanel();
        break;
      case "help":
        s.openDialog("shortcuts");
        break;
    }
    e.preventDefault();
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
