import { useTranslation } from "react-i18next";
import { errorDetails, errorMessage } from "../api";
import { CopyButton } from "./CopyButton";

/** A back end failure where it happened: readable words (after `lead`, what failed, when the
 * place does not say), and the details to copy for support. */
export function FailureNote({ error, lead, testId }: { error: unknown; lead?: string; testId?: string }) {
  const { t } = useTranslation();
  const words = lead ? `${lead}: ${errorMessage(error)}` : errorMessage(error);
  const details = lead ? `${lead}: ${errorDetails(error)}` : errorDetails(error);
  return (
    <div className="error failure" role="alert" data-testid={testId}>
      <span className="failure-words">{words}</span> <CopyButton text={details} label={t("common.copyDetails")} showLabel />
    </div>
  );
}
