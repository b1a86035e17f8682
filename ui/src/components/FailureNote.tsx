import { useTranslation } from "react-i18next";
import { errorDetails, errorMessage } from "../api";
import { CopyButton } from "./CopyButton";

/** A back end failure where it happened: readable words, and the details to copy for support. */
export function FailureNote({ error, testId }: { error: unknown; testId?: string }) {
  const { t } = useTranslation();
  return (
    <div className="error failure" role="alert" data-testid={testId}>
      <span>{errorMessage(error)}</span> <CopyButton text={errorDetails(error)} label={t("common.copyDetails")} showLabel />
    </div>
  );
}
