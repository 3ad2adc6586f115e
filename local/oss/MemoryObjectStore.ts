import type { ObjectStore, StoredObject } from './types';

/** Buckets and objects kept in memory; gone when the emulator stops. */
export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  async hasBucket(bucket: string): Promise<boolean> {
    return this.buckets.has(bucket);
  }

  async createBucket(bucket: string): Promise<void> {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  async put(bucket: string, key: string, object: StoredObject): Promise<void> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`bucket ${bucket} does not exist`);
    objects.set(key, object);
  }

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    return this.buckets.get(bucket)?.get(key);
  }
}
