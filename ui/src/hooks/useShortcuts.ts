import { useEffect, useEffectEvent } from "react";

export const VIEWS = ["orders", "lookup", "dashboard", "gateways", "settings"] as const;
export type View = (typeof VIEWS)[number];

export type Dialog = "new-order" | "import" | "export";

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

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
}

/** The window's keyboard: / or Ctrl+K search, Ctrl+1…5 views, Ctrl+N/I/E dialogs, Esc, R. */
export function useShortcuts(s: Shortcuts) {
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const ctrl = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if ((e.key === "/" && !typingIn(e.target) && !s.dialogOpen) || (ctrl && key === "k")) {
      e.preventDefault();
      s.focusSearch();
    } else if (ctrl && /^[1-5]$/.test(e.key) && !s.dialogOpen) {
      e.preventDefault();
      s.showView(VIEWS[Number(e.key) - 1]!);
    } else if (ctrl && key === "n" && !s.dialogOpen && s.ready) {
      e.preventDefault();
      s.openDialog("new-order");
    } else if (ctrl && key === "i" && !s.dialogOpen && s.ready) {
      e.preventDefault();
      s.openDialog("import");
    } else if (ctrl && key === "e" && !s.dialogOpen && s.ready) {
      // Exports what the orders list is filtered to, so the list is where it happens.
      e.preventDefault();
      s.showView("orders");
      s.openDialog("export");
    } else if (e.key === "Escape" && !s.dialogOpen && s.panelOpen) {
      s.closePanel();
    } else if (key === "r" && !ctrl && !typingIn(e.target) && !s.dialogOpen) {
      s.checkSelected();
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
