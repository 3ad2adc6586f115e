import type { EmulatorResponse } from '../http';
import { OssApiError } from './errors';
import { objectHeaders } from './objectHeaders';
import type { ObjectAddress, ObjectStore } from './types';

/**
 * GetObject and HeadObject: the object with its headers, or NoSuchKey. HEAD gets the body too so
 * that Content-Length is right; Node's server never writes a body in answer to HEAD.
 */
export async function getObject(store: ObjectStore, address: ObjectAddress): Promise<EmulatorResponse> {
  const object = await store.get(address.bucket, address.key);
  if (!object) throw new OssApiError('NoSuchKey', undefined, { Key: address.key });
  return { status: 200, headers: objectHeaders(object), body: object.body };
}
