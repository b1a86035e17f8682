// What every screen is drawn inside, in the window (main.tsx) and in the component tests
// (test-render.tsx) alike: the query cache, and the boundary that keeps a screen that cannot
// be drawn from leaving the window blank.
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { WindowErrorBoundary } from "./components/WindowErrorBoundary";

export function WindowRoot({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <WindowErrorBoundary>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </WindowErrorBoundary>
  );
}
