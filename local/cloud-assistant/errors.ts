import { PermanentError } from '../../shared/errors';

/** An API call the emulator refuses; the service turns it into ECS's JSON error body. */
export class CloudAssistantApiError extends PermanentError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message, { code });
    this.status = status;
  }
}
