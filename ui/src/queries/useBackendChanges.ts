import { useQueryClient } from "@tanstack/react-query";
import { listen } from "@tauri-apps/api/event";
import { useEffect } from "react";
import type { Change } from "../types";
import { invalidateFor } from "./changes";

/**
 * Whatever the back end changes (a payment the reconciler settled, a gateway's callback, the
 * command line) shows up in every open view without anyone pressing a button.
 */
export function useBackendChanges() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stop = listen<Change>("change", (event) => void invalidateFor(queryClient, event.payload));
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  }, [queryClient]);
}
