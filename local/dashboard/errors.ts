import { PermanentError } from '../../shared/errors';

/** Base of the dashboard errors. */
export class DashboardError extends PermanentError {}

/** `startDashboard` was given options it cannot use; `details.option` names the bad one. */
export class DashboardOptionsError extends DashboardError {}

/** A request the dashboard refuses (e.g. `?run=` that is not a UUID); answered with `status`. */
export class DashboardRequestError extends DashboardError {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message, { details: { status } });
    this.status = status;
  }
}
