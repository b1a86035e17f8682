import { useLayoutEffect, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

/** While printing: `children` alone, on a sheet of their own that the print CSS shows in place
 * of the window (the window, a dialog over it, everything else is left off the paper). Put on
 * the page before the print dialog is asked for (flushSync), and gone once it is answered. */
export function PrintSheet({ onDone, children }: { onDone: () => void; children: ReactNode }) {
  const [host] = useState(() => {
    const el = document.createElement("div");
    el.className = "print-sheet";
    return el;
  });
  useLayoutEffect(() => {
    document.body.appendChild(host);
    document.body.classList.add("printing-report");
    // The print dialog may answer at once (it blocks) or later (the webview's own dialog).
    window.addEventListener("afterprint", onDone);
    return () => {
      window.removeEventListener("afterprint", onDone);
      document.body.classList.remove("printing-report");
      host.remove();
    };
  }, [host, onDone]);
  return createPortal(children, host);
}
