import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { listenTo } from "../api";
import { invalidateFor } from "./changes";

/**
 * Whatever the back end changes (a payment the reconciler settled, a gateway's callback, the
 * command line) shows up in every open view without anyone pressing a button.
 */
export function useBackendChanges() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stop = listenTo("change", (change) => void invalidateFor(queryClient, change));
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  }, [queryClient]);
}
