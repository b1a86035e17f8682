import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./i18n";
import { createQueryClient, prefetchFirstScreen } from "./queries/client";
import { applyTheme, storedTheme } from "./theme";
import { WindowRoot } from "./WindowRoot";
import "./styles.css";

// When the modules had been read and run, for the start-up bench (src-tauri/bench/src/startup.rs).
performance.mark("paydesk:script");

const queryClient = createQueryClient();
prefetchFirstScreen(queryClient);

applyTheme(storedTheme());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <WindowRoot queryClient={queryClient}>
      <App />
    </WindowRoot>
  </StrictMode>,
);
