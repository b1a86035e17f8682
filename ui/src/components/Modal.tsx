import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEventHandler, type ReactNode } from "react";
import { createPortal } from "react-dom";

const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type=hidden])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "summary",
  "[tabindex]:not([tabindex='-1'])",
].join(",");

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest("[inert],[hidden]") && (typeof el.checkVisibility !== "function" || el.checkVisibility()),
  );
}

/** Fields whose words a person types or scans. */
const TYPED_FIELDS = new Set(["text", "search"]);

function canFocus(el: Element | null): el is HTMLElement {
  return el instanceof HTMLElement && el.isConnected && !(el as HTMLButtonElement).disabled && !el.closest("[inert]");
}

interface Props {
  /** The id of the element that names the dialog (its heading). */
  labelledBy: string;
  /** The id of the element that says what the dialog is for, if any. */
  describedBy?: string;
  testId?: string;
  className?: string;
  /** Esc closes unless this is false (a payment or an import under way cannot be left). */
  canClose?: boolean;
  onClose: () => void;
  /** Where the focus goes back to when the opener can no longer take it (say, Pay… once paid). */
  fallbackFocus?: () => HTMLElement | null;
  /** The dialog's own keys, pressed anywhere inside it (the dialog itself included). */
  onKeyDown?: KeyboardEventHandler<HTMLDivElement>;
  children: ReactNode;
}

/**
 * A modal dialog: the rest of the window is inert while it is open (no focus, no clicks, hidden
 * from assistive technology), Tab and Shift+Tab stay inside it, Esc closes it, and the focus
 * returns to whatever had it when the dialog opened.
 */
export function Modal({ labelledBy, describedBy, testId, className, canClose = true, onClose, fallbackFocus, onKeyDown, children }: Props) {
  const [host] = useState(() => document.createElement("div"));
  const dialog = useRef<HTMLDivElement>(null);
  const closeRef = useRef({ canClose, onClose, fallbackFocus });
  useLayoutEffect(() => {
    closeRef.current = { canClose, onClose, fallbackFocus };
  });

  // Mounted before the children's effects run, so a child may take the focus itself.
  useLayoutEffect(() => {
    const opener = document.activeElement;
    document.body.appendChild(host);
    const made: Element[] = [];
    for (const el of document.body.children) {
      if (el !== host && !el.hasAttribute("inert")) {
        el.setAttribute("inert", "");
        made.push(el);
      }
    }
    return () => {
      for (const el of made) el.removeAttribute("inert");
      host.remove();
      const back = canFocus(opener) ? opener : closeRef.current.fallbackFocus?.();
      back?.focus();
      // A field the dialog was opened from (a scan and Enter in the search box) has its words
      // selected: the next scan or typing replaces them instead of adding to them.
      if (back instanceof HTMLInputElement && TYPED_FIELDS.has(back.type)) back.select();
    };
  }, [host]);

  // The dialog itself holds the focus until something in it is chosen.
  useEffect(() => {
    const box = dialog.current;
    if (box && !box.contains(document.activeElement)) box.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const box = dialog.current;
      if (!box) return;
      if (e.key === "Escape") {
        if (closeRef.current.canClose) {
          e.preventDefault();
          e.stopPropagation();
          closeRef.current.onClose();
        }
        return;
      }
      if (e.key !== "Tab") return;
      const items = focusables(box);
      if (items.length === 0) {
        e.preventDefault();
        box.focus();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = document.activeElement;
      if (e.shiftKey && (active === first || active === box || !box.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !box.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    };
    // Capture: the dialog answers Esc before anything behind it does.
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, []);

  return createPortal(
    <div className="backdrop">
      <div
        ref={dialog}
        className={className ? `dialog ${className}` : "dialog"}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        tabIndex={-1}
        data-testid={testId}
        onKeyDown={onKeyDown}
      >
        {children}
      </div>
    </div>,
    host,
  );
}
