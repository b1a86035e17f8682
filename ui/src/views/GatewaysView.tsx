import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { Modal } from "../components/Modal";
import { SandboxBadge } from "../components/StateBadge";
import { useAddProfileInLive, useRemoveProfile, useSaveProfile, useSecret, type ProfileInput } from "../queries/mutations";
import { gatewaysQuery, secretsQuery, useReadOnly } from "../queries/reads";
import { gatewayName, settingLabel } from "../names";
import type { Credentials, GatewayInfo, IpcError, ProfileView, SettingSpec } from "../types";
import { FailureNote } from "../components/FailureNote";

/** A setting's or secret's name as a person reads it, its raw key under it in mono. */
function KeyName({ name }: { name: string }) {
  const { t } = useTranslation();
  const label = settingLabel(name, t);
  if (!label) return <span className="mono">{name}</span>;
  return (
    <span className="key-name">
      {label}
      <span className="mono key-hint">{name}</span>
    </span>
  );
}

/** A profile the demo refused being added in the live data, shown in the new profile's form:
 * that form outlives the change of data set, an edit's card does not (the demo's profile is
 * not in the live data). */
interface Moving {
  pending: boolean;
  error: unknown;
  reset: () => void;
}

export function GatewaysView({ profiles }: { profiles: ProfileView[] }) {
  const { t } = useTranslation();
  const gateways = useQuery(gatewaysQuery()).data ?? [];
  // The new profile's form, open with what it starts from.
  // `carried` counts the edits brought over: each starts the form afresh from its values.
  const [adding, setAdding] = useState<{ draft?: ProfileInput; carried?: number } | null>(null);
  const readOnly = useReadOnly();
  const addInLive = useAddProfileInLive();
  /** The demo refused a real gateway's profile: the live data is opened and the profile added
   * there, the new profile's form showing its values until it is. */
  function moveToLive(input: ProfileInput, fromEdit = false) {
    setAdding({ draft: input, carried: fromEdit ? (adding?.carried ?? 0) + 1 : adding?.carried });
    addInLive.mutate(input, { onSuccess: () => setAdding(null) });
  }
  function closeForm() {
    setAdding(null);
    addInLive.reset();
  }
  const moving: Moving = { pending: addInLive.isPending, error: addInLive.error, reset: addInLive.reset };
  return (
    <section className="view gateways" aria-labelledby="gateways-title">
      <header className="view-head">
        <h1 id="gateways-title">{t("gateways.title")}</h1>
        {!readOnly && (
          <button type="button" className="primary" data-testid="add-profile" onClick={() => setAdding(adding ?? {})}>
            + {t("gateways.add")}
          </button>
        )}
      </header>
      {readOnly && (
        <p className="hint" role="note" data-testid="read-only-note">
          {t("gateways.readOnly")}
        </p>
      )}
      {adding && (
        <ProfileForm key={adding.carried ?? 0} gateways={gateways} draft={adding.draft} moving={moving} onAddInLive={moveToLive} onDone={closeForm} onCancel={closeForm} />
      )}
      <div className="cards">
        {profiles.map((p) => (
          <ProfileCard key={p.name} profile={p} gateways={gateways} readOnly={readOnly} onAddInLive={(input) => moveToLive(input, true)} />
        ))}
      </div>
    </section>
  );
}

function Capabilities({ profile }: { profile: ProfileView }) {
  const { t } = useTranslation();
  const c = profile.capabilities;
  if (!c) return null;
  const extras = [
    c.vouchers && t("gateways.vouchers"),
    c.coupon && t("gateways.coupon"),
    c.credit_split && t("gateways.creditSplit"),
    c.status_query && t("gateways.statusQuery"),
  ].filter(Boolean);
  return (
    <p className="caps">
      {t("gateways.capabilities")}: {c.channels.map((ch) => t(`channel.${ch}`)).join(" · ")}
      {extras.length > 0 && <> · {extras.join(" · ")}</>}
    </p>
  );
}

function ProfileCard({
  profile,
  gateways,
  readOnly,
  onAddInLive,
}: {
  profile: ProfileView;
  gateways: GatewayInfo[];
  readOnly: boolean;
  onAddInLive: (input: ProfileInput) => void;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  // A mutation for its one-off run and state, though it changes nothing: it only dials.
  const test = useMutation({ mutationFn: () => api.testConnection(profile.name) });
  const remove = useRemoveProfile();
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const report = test.data;
  const error = test.error ?? remove.error;

  return (
    <article className="card profile" aria-label={profile.name} data-profile={profile.name}>
      <header>
        <h2 className="mono">{profile.name}</h2>
        {profile.is_sandbox && <SandboxBadge />}
      </header>
      <dl className="facts">
        <dt>{t("gateways.gateway")}</dt>
        <dd>{gatewayName(profile.gateway, t)}</dd>
        <dt>{t("gateways.baseUrl")}</dt>
        <dd className="mono wrap">{profile.base_url}</dd>
        {Object.entries(profile.settings).map(([k, v]) => (
          <div key={k} className="contents">
            <dt>
              <KeyName name={k} />
            </dt>
            <dd className="mono wrap">{v}</dd>
          </div>
        ))}
      </dl>
      {profile.is_sandbox && <p className="hint">{t("gateways.sandboxNote")}</p>}
      <Capabilities profile={profile} />
      <Secrets profile={profile.name} />
      <div className="actions">
        {!readOnly && (
          <button type="button" onClick={() => setEditing(!editing)}>
            {t("gateways.edit")}
          </button>
        )}
        <button
          type="button"
          data-testid="test-connection"
          onClick={() => {
            remove.reset();
            test.mutate();
          }}
        >
          {t("gateways.test")}
        </button>
        {!readOnly && (
          <button
            type="button"
            className="danger"
            data-testid="remove-profile"
            onClick={() => setConfirmingRemove(true)}
          >
            {t("common.remove")}
          </button>
        )}
        {confirmingRemove && (
          <RemoveDialog
            name={profile.name}
            onCancel={() => setConfirmingRemove(false)}
            onRemove={() => {
              setConfirmingRemove(false);
              test.reset();
              remove.mutate(profile.name);
            }}
          />
        )}
      </div>
      {report && (
        <p className={report.reachable ? "ok" : "error"} role="status" data-testid="connection-report">
          {report.reachable ? t("gateways.reachable", { detail: report.detail }) : t("gateways.unreachable", { detail: report.detail })}
          <br />
          <CredentialsLine credentials={report.credentials} />
          {report.missing_secrets.length > 0 && (
            <>
              <br />
              {t("gateways.missingSecrets", { keys: report.missing_secrets.map((k) => settingLabel(k, t) ?? k).join(", ") })}
            </>
          )}
        </p>
      )}
      {error && <FailureNote error={error} />}
      {editing && (
        <ProfileForm
          gateways={gateways}
          existing={profile}
          onAddInLive={(input) => {
            setEditing(false);
            onAddInLive(input);
          }}
          onDone={() => setEditing(false)}
          onCancel={() => setEditing(false)}
        />
      )}
    </article>
  );
}

/** One of a gateway's settings: its name in words, the key it is saved under, whether the
 * profile needs it, and an input that fits what it holds. */
function SettingField({ spec, value, onChange }: { spec: SettingSpec; value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const label = settingLabel(spec.name, t) ?? spec.name;
  const hint = spec.default === null ? null : t("gateways.settingDefault", { value: spec.default });
  return (
    <label className="field" data-setting={spec.name}>
      <span>
        {label}
        {spec.required && <abbr title={t("orderForm.required")}> *</abbr>} <span className="hint mono">{spec.name}</span>
      </span>
      {spec.kind.type === "choice" ? (
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{hint ?? t("common.none")}</option>
          {spec.kind.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          className="mono"
          required={spec.required}
          value={value}
          inputMode={spec.kind.type === "integer" ? "numeric" : undefined}
          placeholder={spec.kind.type === "url" ? "https://" : (spec.default ?? undefined)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {hint && spec.kind.type !== "choice" && <span className="hint">{hint}</span>}
    </label>
  );
}

/** What the connection test proved about the credentials, and what it could not. */
function CredentialsLine({ credentials }: { credentials: Credentials }) {
  const { t } = useTranslation();
  const text =
    credentials.verdict === "accepted"
      ? t("gateways.credentialsAccepted", { status: credentials.status })
      : credentials.verdict === "refused"
        ? t("gateways.credentialsRefused", { status: credentials.status })
        : t(`gateways.notChecked.${credentials.reason}`);
  return (
    <span className={credentials.verdict === "refused" ? "error" : undefined} data-testid="credentials-report" data-verdict={credentials.verdict}>
      {text}
    </span>
  );
}

function RemoveDialog({ name, onCancel, onRemove }: { name: string; onCancel: () => void; onRemove: () => void }) {
  const { t } = useTranslation();
  // The focus starts where nothing is lost: Enter or Esc keeps the profile.
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <Modal labelledBy="remove-title" describedBy="remove-what" testId="remove-dialog" onClose={onCancel}>
      <header>
        <h2 id="remove-title">{t("gateways.removeTitle", { name })}</h2>
      </header>
      <p id="remove-what">{t("gateways.removeConfirm", { name })}</p>
      <footer>
        <button type="button" className="danger" data-testid="confirm-remove" onClick={onRemove}>
          {t("common.remove")}
        </button>
        <button type="button" ref={cancelRef} onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </footer>
    </Modal>
  );
}

/** Secrets go in, never come out: the window only learns whether each one is set. */
function Secrets({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const status = useQuery(secretsQuery(profile));
  const states = status.data ?? [];
  const secret = useSecret(profile);
  const [values, setValues] = useState<Record<string, string>>({});
  const error = secret.error ?? status.error;

  /** Stores `value` as `key`, or deletes `key` when it is null; the typed value goes either way. */
  function change(key: string, value: string | null) {
    secret.mutate({ key, value }, { onSettled: () => setValues((v) => ({ ...v, [key]: "" })) });
  }

  if (states.length === 0 && !error) return null;
  return (
    <fieldset className="secrets">
      <legend>{t("gateways.secrets")}</legend>
      {states.map((s) => (
        <form
          key={s.key}
          className="secret-row"
          data-secret={s.key}
          onSubmit={(e) => {
            e.preventDefault();
            const value = values[s.key] ?? "";
            if (value) change(s.key, value);
          }}
        >
          <KeyName name={s.key} />
          <span className={s.set ? "ok" : s.required ? "error" : "muted"}>
            {s.set ? t("gateways.secretSet") : s.required ? t("gateways.secretMissing") : t("gateways.secretOptional")}
          </span>
          <input
            type="password"
            autoComplete="off"
            aria-label={t("gateways.secretNew", { key: settingLabel(s.key, t) ?? s.key })}
            value={values[s.key] ?? ""}
            onChange={(e) => setValues({ ...values, [s.key]: e.target.value })}
          />
          <button type="submit">{s.set ? t("gateways.secretReplace") : t("gateways.secretStore")}</button>
          {s.set && (
            <button type="button" className="danger small" aria-label={t("gateways.secretDelete", { key: settingLabel(s.key, t) ?? s.key })} onClick={() => change(s.key, null)}>
              ✕
            </button>
          )}
        </form>
      ))}
      {error && <FailureNote error={error} />}
    </fieldset>
  );
}

/** The profile the demo refused because its gateway is a real one, if that is the refusal. */
function realProfileRefused(e: unknown): string | null {
  if (!e || typeof e !== "object" || !("code" in e)) return null;
  const problem = e as IpcError;
  return problem.code === "real_profile_in_demo" ? problem.params.profile : null;
}

/** `draft`: a new profile's values to start from (one the demo refused, on its way to the live
 * data). `moving`: that profile being added in the live data. */
function ProfileForm({
  gateways,
  existing,
  draft,
  moving,
  onAddInLive,
  onDone,
  onCancel,
}: {
  gateways: GatewayInfo[];
  existing?: ProfileView;
  draft?: ProfileInput;
  moving?: Moving;
  onAddInLive: (input: ProfileInput) => void;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const start = existing ? { name: existing.name, gateway: existing.gateway, baseUrl: existing.base_url, settings: existing.settings } : draft;
  const [name, setName] = useState(start?.name ?? "");
  const [gateway, setGateway] = useState(start?.gateway ?? gateways[0]?.id ?? "");
  const [baseUrl, setBaseUrl] = useState(start?.baseUrl ?? "https://");
  const specs: SettingSpec[] = gateways.find((g) => g.id === gateway)?.settings ?? [];
  // The gateway's own settings are fields of their own; anything else a profile holds (from
  // an older paydesk, or typed at the command line) stays as a name and a value.
  const [fields, setFields] = useState<Record<string, string>>(() => ({ ...(start?.settings ?? {}) }));
  const [settings, setSettings] = useState<[string, string][]>(() =>
    Object.entries(start?.settings ?? {}).filter(([k]) => !specs.some((spec) => spec.name === k)),
  );
  const save = useSaveProfile();
  const refusedInDemo = realProfileRefused(save.error);
  const formId = useId();

  function allSettings(): Record<string, string> {
    const all: Record<string, string> = Object.fromEntries(settings.filter(([k]) => k.trim()));
    for (const spec of specs) {
      const value = (fields[spec.name] ?? "").trim();
      if (value) all[spec.name] = value;
    }
    return all;
  }

  return (
    <form
      className="profile-form"
      data-testid="profile-form"
      onSubmit={(e) => {
        e.preventDefault();
        moving?.reset();
        save.mutate({ name, gateway, baseUrl, settings: allSettings(), create: !existing }, { onSuccess: onDone });
      }}
    >
      {!existing && (
        <>
          <label className="field">
            {t("gateways.name")}
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            {t("gateways.gateway")}
            <select value={gateway} onChange={(e) => setGateway(e.target.value)}>
              {gateways.map((g) => (
                <option key={g.id} value={g.id}>
                  {gatewayName(g.id, t)}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <label className="field">
        {t("gateways.baseUrl")}
        <input required className="mono" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </label>
      {specs.length > 0 && (
        <fieldset className="gateway-settings" data-testid="gateway-settings">
          <legend>{t("gateways.gatewaySettings", { gateway: gatewayName(gateway, t) })}</legend>
          {specs.map((spec) => (
            <SettingField key={spec.name} spec={spec} value={fields[spec.name] ?? ""} onChange={(v) => setFields({ ...fields, [spec.name]: v })} />
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>{t("gateways.otherSettings")}</legend>
        {settings.map(([k, v], i) => (
          <div className="setting-row" key={i}>
            {/* What the typed key is called, in words: the key itself is what is saved. */}
            <span className="setting-label" id={`${formId}-label-${i}`} data-testid="setting-label">
              {settingLabel(k.trim(), t) ?? ""}
            </span>
            <input
              aria-label={`${t("gateways.settingKey")} ${i + 1}`}
              className="mono"
              value={k}
              onChange={(e) => setSettings(settings.map((s, j) => (j === i ? [e.target.value, s[1]] : s)))}
            />
            <input
              aria-label={`${t("gateways.settingValue")} ${i + 1}`}
              aria-describedby={`${formId}-label-${i}`}
              className="mono"
              value={v}
              onChange={(e) => setSettings(settings.map((s, j) => (j === i ? [s[0], e.target.value] : s)))}
            />
            <button type="button" className="small" aria-label={`${t("common.remove")} ${k || `${t("gateways.settingKey")} ${i + 1}`}`} onClick={() => setSettings(settings.filter((_, j) => j !== i))}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" className="small" onClick={() => setSettings([...settings, ["", ""]])}>
          + {t("gateways.addSetting")}
        </button>
      </fieldset>
      {refusedInDemo !== null && save.variables ? (
        <div className="real-profile" role="alert" data-testid="real-profile-in-demo">
          <p>{t("dataSet.realProfile", { profile: refusedInDemo })}</p>
          <button
            type="button"
            data-testid="add-in-live"
            onClick={() => {
              const input = save.variables!;
              save.reset();
              onAddInLive(input);
            }}
          >
            {t("dataSet.addInLive")}
          </button>
        </div>
      ) : (
        save.error && (
          <FailureNote error={save.error} />
        )
      )}
      {moving?.pending && (
        <p className="progress" role="status" data-testid="adding-in-live">
          <span className="spinner" aria-hidden="true" /> {t("dataSet.addingInLive")}
        </p>
      )}
      {!!moving?.error && <FailureNote error={moving.error} />}
      <footer>
        <button type="submit" className="primary" disabled={save.isPending || moving?.pending}>
          {t("common.save")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </footer>
    </form>
  );
}
