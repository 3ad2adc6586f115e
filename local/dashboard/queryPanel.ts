import type * as z from 'zod';
import { describeError } from '../../shared/errors';
import type { PanelResult } from './types';

/**
 * Runs one read for a panel and parses every row; a failed query or an unexpected row becomes the
 * panel's error text, so one broken view never takes the page down.
 */
export async function queryPanel<S extends z.ZodType>(schema: S, read: () => Promise<readonly unknown[]>): Promise<PanelResult<z.output<S>>> {
  try {
    const rows = await read();
    const parsed: z.output<S>[] = [];
    for (const row of rows) {
      const result = schema.safeParse(row);
      if (!result.success) {
        const issue = result.error.issues[0];
        return { ok: false, error: `unexpected row: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() };
      }
      parsed.push(result.data);
    }
    return { ok: true, rows: parsed };
  } catch (error) {
    const { name, message } = describeError(error);
    return { ok: false, error: `${name}: ${message}` };
  }
}
