import { useQueryClient } from "@tanstack/react-query";
import { listen } from "@tauri-apps/api/event";
import { useEffect } from "react";
import type { Change } from "../types";
import { invalidateFor } from "./changes";
import { keys } from "./keys";

/**
 * Whatever the back end changes (a payment the reconciler settled, a gateway's callback, the
 * command line) shows up in every open view without anyone pressing a button.
 */
export function useBackendChanges() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stops = [
      listen<Change>("change", (event) => void invalidateFor(queryClient, event.payload)),
      // Goes once every sender emits `change`: this older event names attempts but not their
      // orders, so every order's detail is asked for again.
      listen<number[]>("attempts-changed", (event) => {
        void invalidateFor(queryClient, { kind: "attempts", order_nos: [], attempt_ids: event.payload });
        void queryClient.invalidateQueries({ queryKey: keys.orderDetails() });
      }),
    ];
    return () => {
      for (const stop of stops) void stop.then((unlisten) => unlisten());
    };
  }, [queryClient]);
}
