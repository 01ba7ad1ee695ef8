import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in gateway received. */
export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  // Bodies are checked field by field in the specs; `any` keeps those checks readable.
  body: any;
}

export interface Answer {
  status: number;
  body: unknown;
  /** Headers of this answer only (e.g. Retry-After on a 429). */
  headers?: Record<string, string>;
}

/**
 * A real local HTTP server standing in for the gateway in the CLI's specs: it records every
 * request and answers from the script — at once, or when the promise it returns settles (to hold
 * a long poll open); `headers` go on every answer (e.g. an `x-orch-seq`).
 */
export async function fakeGateway(answer: (req: Recorded) => Answer | Promise<Answer>, headers: Record<string, string> = {}) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const rec = { method: req.method!, url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(rec);
      void Promise.resolve(answer(rec)).then(({ status, body, headers: own }) => {
        res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers, ...own });
        res.end(JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
