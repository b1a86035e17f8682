import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { preload } from "./api";
import { App } from "./App";
import { FIRST_PAGE } from "./components/OrdersTable";
import "./i18n";
import { applyTheme, storedTheme } from "./theme";
import "./styles.css";

// The first screen's data, asked for before React draws anything: the app's state and the
// first page of orders, at once rather than one after the other.
preload("app_info");
preload("query_orders", { query: FIRST_PAGE });

applyTheme(storedTheme());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
