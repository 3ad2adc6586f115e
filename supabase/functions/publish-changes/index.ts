import { loadPublishConfig } from '../_shared/config.ts';
import { createJobHandler } from '../_shared/http.ts';
import { createPublishRun } from '../_shared/publishChanges.ts';

// Publishes the `vector_sync` outbox to EventBridge as vectorsync.changes.published (see ../README.md).
Deno.serve(
  createJobHandler({
    name: 'publish-changes',
    loadConfig: () => loadPublishConfig(Deno.env.toObject()),
    run: createPublishRun(),
  }),
);
