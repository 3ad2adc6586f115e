/** Defaults of the local dashboard: where it listens, how often the page polls, how much it reads. */
export const DashboardDefaults = {
  host: '127.0.0.1',
  pollIntervalMs: 2000,
  limits: {
    runs: 50,
    chunks: 200,
    deadLetters: 20,
    indexes: 50,
    emails: 50,
    extraEntries: 50,
  },
} as const;

/** The panels of the page, in display order; each id is also the id of its `<table>`. */
export const PanelIds = {
  runs: 'runs',
  chunks: 'chunks',
  queues: 'queues',
  deadLetterCounts: 'dead-letter-counts',
  deadLetters: 'dead-letters',
  indexes: 'indexes',
  emails: 'emails',
  extra: 'extra',
} as const;
