import type { WorkerCommand } from './types';

/** The worker version baked in at build time (esbuild `define`), or `dev` from source. */
declare const __WORKER_VERSION__: string | undefined;

export function workerVersion(): string {
  return typeof __WORKER_VERSION__ === 'string' ? __WORKER_VERSION__ : 'dev';
}

/** `worker version`: which build runs here, so that run-chunk.sh and operators can check it. */
export const versionCommand: WorkerCommand = {
  name: 'version',
  description: 'print the worker version and the Node.js version',
  async run() {
    return { ok: true, command: 'version', version: workerVersion(), node: process.versions.node };
  },
};
