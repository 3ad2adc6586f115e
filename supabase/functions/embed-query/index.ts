import { loadEmbedQueryConfig } from '../_shared/config.ts';
import { createEmbedQueryHandler } from '../_shared/embedQuery.ts';

// Embeds search texts for the worker with the documents' provider and model (see ../README.md).
Deno.serve(createEmbedQueryHandler({ loadConfig: () => loadEmbedQueryConfig(Deno.env.toObject()) }));
