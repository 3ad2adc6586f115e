import { loadEmbedConfig } from '../_shared/config.ts';
import { createEmbedRun } from '../_shared/embedDocuments.ts';
import { createJobHandler } from '../_shared/http.ts';

// Drains `embedding_jobs` into `public.document_embeddings` (see ../README.md).
Deno.serve(
  createJobHandler({
    name: 'embed-documents',
    loadConfig: () => loadEmbedConfig(Deno.env.toObject()),
    run: createEmbedRun(),
  }),
);
