// English words of Settings → About (components/AboutSection.tsx): the build, where its data
// is kept, and copying the diagnostics; en.ts holds them under `about`, zh-CN-about.ts mirrors
// every key. The copied block itself stays in English (see diagnostics.ts).
export const aboutEn = {
  title: "About paydesk",
  version: "Version",
  commit: "Commit",
  dataDir: "Data directory",
  dataSet: "Data shown",
  store: "History kept in",
  storeSqlite: "This desk's own file (SQLite), in the data directory",
  storePostgres: "The shared PostgreSQL server {{url}}",
  storeUnknown: "Not checked yet",
  copy: "Copy diagnostics",
  copyHelp: "For a support request: the version, commit, system, language, data set, where the history is kept and the status bar's checks. Never a password, a secret or a customer's data.",
} as const;
