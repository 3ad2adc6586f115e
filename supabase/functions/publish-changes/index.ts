import { createJobHandler } from '../_shared/http/createJobHandler.ts';
import { loadPublishConfig } from '../_shared/publishConfig.ts';
import { createPublishRun } from '../_shared/publishing/createPublishRun.ts';

// Publishes the `vector_sync` outbox to EventBridge as vectorsync.changes.published (see ../README.md).
Deno.serve(
  createJobHandler({
    name: 'publish-changes',
    loadConfig: () => loadPublishConfig(Deno.env.toObject()),
    run: createPublishRun(),
  }),
);
