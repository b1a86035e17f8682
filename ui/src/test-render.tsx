// Component tests render as main.tsx does (WindowRoot): inside a query cache, a new one for
// each test unless the test brings its own.
import type { QueryClient } from "@tanstack/react-query";
import { render as renderInto } from "@testing-library/react";
import type { ReactElement } from "react";
import { createQueryClient } from "./queries/client";
import { WindowRoot } from "./WindowRoot";

export function render(ui: ReactElement, queryClient: QueryClient = createQueryClient()) {
  return renderInto(<WindowRoot queryClient={queryClient}>{ui}</WindowRoot>);
}

/** The words of a failure note (components/FailureNote), without its "Copy details" button. */
export function failureWords(note: HTMLElement): string | null {
  return note.querySelector(".failure-words")?.textContent ?? null;
}
