/** Defaults of the sample corpus: the document count `npm start` loads and the insert batch size. */
export const CorpusDefaults = {
  count: 3000,
  seed: 1,
  batchSize: 500,
  maxBatchSize: 5000,
} as const;

/** The word lists the generator draws from; every document names one topic and one source. */
export const CorpusWords = {
  topics: ['billing', 'search', 'storage', 'security', 'onboarding', 'analytics', 'networking', 'mobile', 'payments', 'compliance', 'logistics', 'support'],
  sources: ['wiki', 'support-ticket', 'blog', 'forum', 'release-notes', 'runbook'],
  products: ['the vector index', 'the mobile app', 'the billing portal', 'the data warehouse', 'the search API', 'the admin console', 'the sync worker', 'the message queue', 'the CDN', 'the identity service', 'the reporting tool', 'the edge gateway'],
  teams: ['the platform team', 'the support desk', 'our partners', 'the finance group', 'the data team', 'a new customer', 'the on-call engineer', 'the design team', 'the security office', 'the sales team'],
  verbs: ['improved', 'slowed down', 'simplified', 'broke', 'sped up', 'replaced', 'audited', 'migrated', 'documented', 'tested', 'redesigned', 'monitored'],
  adjectives: ['noticeable', 'unexpected', 'steady', 'sharp', 'minor', 'lasting', 'costly', 'welcome', 'gradual', 'surprising'],
  effects: ['latency', 'error rates', 'signups', 'storage costs', 'query accuracy', 'ticket volume', 'throughput', 'churn', 'page load times', 'conversion'],
  places: ['Hangzhou', 'Singapore', 'Frankfurt', 'Virginia', 'Tokyo', 'London', 'Sydney', 'Sao Paulo'],
  times: ['on Monday', 'on Tuesday', 'on Wednesday', 'on Thursday', 'on Friday', 'over the weekend', 'during the last sprint', 'during the holiday season', 'this morning', 'last night'],
} as const;
