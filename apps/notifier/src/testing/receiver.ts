import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
  at: number;
  /** Set when the request's connection closed, answered or not: a hanging one the sender gave up on. */
  closed: boolean;
}

/** What the receiver answers to request n (0-based): a status and headers, or 'hang' to never answer. */
export type Behaviour = (n: number, req: Received) => { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A real HTTP endpoint on loopback that records what it gets, standing in for Slack, Discord or a
 * customer's server (which we cannot run here). `behave` scripts failures, slowness and 410s.
 */
export class Receiver {
  readonly requests: Received[] = [];
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    public behave: Behaviour,
  ) {}

  static async start(behave: Behaviour = () => ({ status: 200 })): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server, behave);
    server.on('request', (req, res) => void receiver.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Requests whose answer was 2xx. */
  readonly accepted: Received[] = [];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // kept as text; the test asserts on it
    }
    const received: Received = { headers: req.headers as Record<string, string>, body, json, at: performance.now(), closed: false };
    res.on('close', () => (received.closed = true));
    const n = this.requests.push(received) - 1;
    const answer = this.behave(n, received);
    if (answer === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (answer.status < 300) this.accepted.push(received);
    res.writeHead(answer.status, answer.headers).end('ok');
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
