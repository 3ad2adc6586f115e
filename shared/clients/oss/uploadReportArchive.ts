import { ContentTypes } from './constants';
import type { OssObjectStore } from './OssObjectStore';
import type { PutObjectResult } from './types';

/** Archives a run report as an HTML object, e.g. under `reports/<runId>.html`. */
export function uploadReportArchive(store: OssObjectStore, key: string, html: string, meta: Readonly<Record<string, string>> = {}): Promise<PutObjectResult> {
  return store.put(key, html, { contentType: ContentTypes.reportArchive, meta });
}
