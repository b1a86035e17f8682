import { useCallback, useEffect, useState } from "react";
import { errorMessage } from "../api";

/** The page's error banner: the latest failure reported to it, until it is closed. */
export function useErrorBanner() {
  const [error, setError] = useState<string | null>(null);
  const report = useCallback((e: unknown) => setError(errorMessage(e)), []);
  const dismiss = useCallback(() => setError(null), []);
  return { error, report, dismiss };
}

/** Reports a query's failure to the banner once, when it happens. */
export function useReportError(error: unknown, report: (e: unknown) => void) {
  useEffect(() => {
    if (error) report(error);
  }, [error, report]);
}
