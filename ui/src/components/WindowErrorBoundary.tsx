import { Component, type ErrorInfo, type ReactNode } from "react";
import i18n from "../i18n";

interface State {
  error: Error | null;
  where: string;
}

/**
 * A screen that throws while it is drawn would otherwise leave the whole window blank: this
 * says so in the window's words, with the details to copy for support and a way back (a
 * reload). Payments are the back end's: nothing of one lives only in the window.
 */
export class WindowErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null, where: "" };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(_error: unknown, info: ErrorInfo) {
    this.setState({ where: info.componentStack ?? "" });
  }

  render() {
    const { error, where } = this.state;
    if (!error) return this.props.children;
    const t = i18n.t.bind(i18n);
    const details = `${error.name}: ${error.message}${where}`;
    return (
      <main className="window-broken" role="alert" data-testid="window-broken">
        <h1>{t("common.windowBroken")}</h1>
        <p>{t("common.windowBrokenHelp")}</p>
        <pre className="wrap">{error.message}</pre>
        <div className="actions">
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            {t("common.reloadWindow")}
          </button>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(details)}>
            {t("common.copyDetails")}
          </button>
        </div>
      </main>
    );
  }
}
