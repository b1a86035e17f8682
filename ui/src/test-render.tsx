// Component tests render as main.tsx does: inside a query cache, a new one for each test
// unless the test brings its own.
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { render as renderInto } from "@testing-library/react";
import type { ReactElement } from "react";
import { createQueryClient } from "./queries/client";

export function render(ui: ReactElement, queryClient: QueryClient = createQueryClient()) {
  return renderInto(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
}
