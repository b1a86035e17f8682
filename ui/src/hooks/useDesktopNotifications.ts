import { useEffect, useEffectEvent } from "react";
import { api, listenTo } from "../api";
import i18n, { languageFor } from "../i18n";
import type { ShowOrders } from "../ipc/ShowOrders";

/**
 * The desktop notifications the back end raises while this window is not in front (a payment
 * left waiting settled, an attempt needs a person): they are worded in this window's language,
 * told to the back end now and whenever the person changes it, and a click on one asks the
 * window to show what it was about (`onShow`).
 */
export function useDesktopNotifications(onShow: (what: ShowOrders) => void) {
  useEffect(() => {
    // A language the back end did not hear only words a notification in the system's: not
    // worth a banner.
    const tell = (language: string) => void api.setLanguage(languageFor(language)).catch(() => {});
    tell(i18n.language);
    i18n.on("languageChanged", tell);
    return () => i18n.off("languageChanged", tell);
  }, []);
  const show = useEffectEvent(onShow);
  useEffect(() => {
    const stop = listenTo("show-orders", (what) => show(what));
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  }, []);
}
