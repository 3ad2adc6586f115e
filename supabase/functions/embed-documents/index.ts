import { loadEmbedConfig } from '../_shared/embedConfig.ts';
import { createEmbedRun } from '../_shared/embedding/createEmbedRun.ts';
import { createJobHandler } from '../_shared/http/createJobHandler.ts';

// Drains `embedding_jobs` into `public.document_embeddings` (see ../README.md).
Deno.serve(
  createJobHandler({
    name: 'embed-documents',
    loadConfig: () => loadEmbedConfig(Deno.env.toObject()),
    run: createEmbedRun(),
  }),
);
