import { PermanentError } from '../errors';
import type { VectorSyncErrorOptions } from '../errors';

/** The routing declaration is inconsistent (e.g. two routes claim the same rule). */
export class RoutingDeclarationError extends PermanentError {
  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'RoutingDeclarationInvalid', ...options });
  }
}
