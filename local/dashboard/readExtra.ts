import * as z from 'zod';
import { DashboardDefaults } from './constants';
import { queryPanel } from './queryPanel';
import type { ExtraEntry, ExtraPanels, PanelResult } from './types';

const ExtraSchema = z.record(z.string(), z.unknown());
const EntrySchema = z.object({ name: z.string(), value: z.unknown() });

/** The caller's extra values as name/value rows; a throw or a non-object becomes the panel's error. */
export function readExtra(extra: ExtraPanels): Promise<PanelResult<ExtraEntry>> {
  return queryPanel(EntrySchema, async () => {
    const values = ExtraSchema.parse(await extra());
    return Object.entries(values)
      .slice(0, DashboardDefaults.limits.extraEntries)
      .map(([name, value]) => ({ name, value }));
  });
}
