/** How much one reconcile tick does at most, so a backlog is worked off over several ticks. */
export const ReconcileLimits = {
  silentChunks: 50,
  staleReadyChunks: 100,
  unpublishedCompletions: 50,
  /** Problems kept in the tick's summary (the rest are only counted). */
  reportedErrors: 20,
} as const;
