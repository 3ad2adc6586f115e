import { createRequire } from 'node:module';

interface DenoInstallApi {
  runInstall(): string;
}

/**
 * The Deno executable of the `deno` npm package. Its own `install_api.cjs` finds the binary of the
 * platform package (`@deno/<target>`) as the package's `bin.cjs` does, so no shell or PATH lookup.
 */
export function resolveDenoBinary(): string {
  const require = createRequire(import.meta.url);
  const api = require('deno/install_api.cjs') as DenoInstallApi;
  return api.runInstall();
}
