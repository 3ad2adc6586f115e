import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake does with one request of `inputs` texts. */
export type EmbeddingBehaviour = (inputs: string[]) => Promise<{ status: number; dimension?: number }>;

/** A local OpenAI-compatible `POST /embeddings` with a behaviour per request. */
export interface FakeEmbeddingServer {
  readonly baseUrl: string;
  readonly requests: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** Starts the fake; vectors are constant unit vectors of `dimension` (default 384). */
export async function startFakeEmbeddingServer(behaviour: EmbeddingBehaviour): Promise<FakeEmbeddingServer> {
  const state = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
      void behaviour(body.input).then(({ status, dimension = 384 }) => {
        state.inFlight -= 1;
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'provider down' } }));
          return;
        }
        const vector = Array.from({ length: dimension }, (_, i) => (i === 0 ? 1 : 0));
        const data = body.input.map((_, index) => ({ object: 'embedding', index, embedding: vector }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: 'fake' }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
