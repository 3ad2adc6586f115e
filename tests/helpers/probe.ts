import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../scripts/bundle';
import type { BundleResult } from '../../scripts/bundle';
import { projectRoot } from './fixtures';

/** Builds the probe handler with the production bundler into a fresh folder. */
export async function buildProbe(options: { minify?: boolean } = {}): Promise<BundleResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'ovs-probe-'));
  return bundle(
    { name: 'probe', entry: join(projectRoot, 'tests/fixtures/probe-handler/index.ts'), outfile: join(outDir, 'index.js') },
    options,
  );
}
