import type { Sql } from 'postgres';
import type { OssObjectStore } from '../../clients/oss';
import type { Mailer } from '../../clients/resend';
import type { Ledger } from '../../ledger';
import type { Logger } from '../../logging';

/** What sending a run report needs. */
export interface NotifyDeps {
  readonly ledger: Ledger;
  readonly sql: Sql;
  readonly store: OssObjectStore;
  /** Signs the e-mail's archive link when set (a read-only key, so the link outlives STS keys); else `store` does. */
  readonly linkSigner?: Pick<OssObjectStore, 'presignGet'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly log: Logger;
  readonly settings: {
    readonly from: string;
    readonly to: readonly string[];
    /** Key prefix of the archive in the bucket, e.g. `reports/`. */
    readonly prefix: string;
  };
}

/** What notify did for a run. */
export type NotifyResult =
  | { readonly status: 'already-sent'; readonly runId: string }
  | { readonly status: 'sent'; readonly runId: string; readonly messageId: string; readonly archiveKey: string; readonly outcome: 'completed' | 'failed' };
