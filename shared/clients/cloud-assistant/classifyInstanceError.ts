import { INSTANCE_UNAVAILABLE_CODES, InstanceErrorAction } from './constants';

/** Says whether a per-instance (or instance-level API) error code calls for another instance. */
export function classifyInstanceError(code: string): InstanceErrorAction {
  return INSTANCE_UNAVAILABLE_CODES.has(code) ? InstanceErrorAction.TryAnotherInstance : InstanceErrorAction.Fail;
}
