import type { FaultInjector, FaultSpec } from '../faults';
import { FaultSpecError } from '../faults';
import type { EmulatorRequest, EmulatorResponse } from './types';

/**
 * The admin path every emulator serves: `GET /__admin/faults` lists the rules, `POST` adds one
 * (a FaultSpec as JSON), `DELETE` clears them all, `DELETE /__admin/faults/<id>` removes one.
 */
export function handleAdmin(faults: FaultInjector, request: EmulatorRequest): EmulatorResponse {
  const path = request.url.pathname;
  if (path === '/__admin/faults' && request.method === 'GET') return { status: 200, body: { faults: faults.list() } };
  if (path === '/__admin/faults' && request.method === 'POST') {
    try {
      const spec = JSON.parse(request.body.toString('utf8')) as FaultSpec;
      return { status: 201, body: faults.add(spec) };
    } catch (error) {
      const message = error instanceof FaultSpecError || error instanceof SyntaxError ? error.message : String(error);
      return { status: 400, body: { error: message } };
    }
  }
  if (path === '/__admin/faults' && request.method === 'DELETE') {
    faults.clear();
    return { status: 204 };
  }
  const one = /^\/__admin\/faults\/([\w-]+)$/u.exec(path);
  if (one && request.method === 'DELETE') {
    return faults.remove(one[1] ?? '') ? { status: 204 } : { status: 404, body: { error: 'no such fault' } };
  }
  return { status: 404, body: { error: `unknown admin path ${request.method} ${path}` } };
}
