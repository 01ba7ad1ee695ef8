import createClient from 'openapi-fetch';
import type { components, paths } from './generated/api';

/** The gateway's API, typed from its OpenAPI document (`apps/cli/src/generated/api.ts`). */
export type Api = ReturnType<typeof createClient<paths>>;

/** A body the API answers with, by its name in the OpenAPI document, e.g. `Schema<'WorkflowView'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

/** One item of a problem document's `errors` (validation) or `missing` (a gate) list. */
export interface ProblemItem {
  path?: string;
  message?: string;
  kind?: string;
  name?: string;
  hint?: string;
}

/** An `application/problem+json` body as the gateway sends it (SPEC §6). */
export interface Problem {
  code: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: ProblemItem[];
  missing?: ProblemItem[];
}

/** The gateway answered with an error status; `problem` is its body (or one made from the status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** The answer's Retry-After header (429, 503), for the hint that says when to try again. */
    readonly retryAfter: string | null = null,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The CLI's one HTTP client of the gateway. Every call goes through `api`, typed from the OpenAPI
 * document, so a path, method, parameter or body the API does not have is a compile error; there
 * is deliberately no way to send a raw path (`no-raw-paths.spec.ts` keeps it so). It remembers the
 * sequence of its last write (`X-Orch-Seq`) and sends it as `X-Orch-Min-Seq` on later reads, so a
 * read after a write sees that write.
 */
export class GatewayClient {
  private minSeq: number | undefined;
  private readonly fetch: typeof fetch;

  /**
   * Every route as the OpenAPI document describes it: paths, parameters, bodies and answers are
   * checked by the compiler, so the CLI cannot call a route the API does not have. Requests go
   * through `send`, which adds the key and the read-your-writes header like every other call.
   */
  readonly api: Api;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: (request) => this.send(request) });
  }

  /** The key this client sends, wherever it came from (`--api-key`, `ORCH_API_KEY`, `~/.orch/config.json`). */
  get apiKey(): string | undefined {
    return this.options.apiKey;
  }

  private async send(request: Request): Promise<Response> {
    const headers = new Headers(request.headers);
    // An event stream stays open as long as the caller reads it: no timeout, its own accept header.
    const streaming = headers.get('accept')?.includes('text/event-stream') ?? false;
    if (!streaming) headers.set('accept', 'application/json, application/problem+json');
    if (this.options.apiKey) headers.set('authorization', `Bearer ${this.options.apiKey}`);
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    if (isRead && this.minSeq !== undefined) headers.set('x-orch-min-seq', String(this.minSeq));
    let response: Response;
    try {
      const body = isRead ? undefined : await request.text();
      // A long poll (`?wait=S`) may rightly take S seconds before it answers: allow for them.
      const waitMs = (Number(new URL(request.url).searchParams.get('wait')) || 0) * 1000;
      const signal = streaming ? undefined : AbortSignal.timeout((this.options.timeoutMs ?? 30_000) + waitMs);
      response = await this.fetch(request.url, { method: request.method, headers, body: body || undefined, signal });
    } catch (error) {
      throw unreachable(this.options.baseUrl, error);
    }
    if (!isRead) this.remember(response.headers.get('x-orch-seq'));
    return response;
  }

  get lastWriteSeq(): number | undefined {
    return this.minSeq;
  }

  private remember(header: string | null): void {
    const seq = Number(header);
    if (header && Number.isSafeInteger(seq) && seq > 0) this.minSeq = Math.max(this.minSeq ?? 0, seq);
  }
}

/**
 * The answer of a typed call, or an ApiError carrying the problem document: commands read the
 * happy path, and `runCli` turns the error into a message and an exit code.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>, acceptStatus: number[] = []): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok || acceptStatus.includes(response.status)) return (data ?? error) as T;
  throw new ApiError(response.status, toProblem(response, error), response.headers.get('retry-after'));
}

function toProblem(response: Response, body: unknown): Problem {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') return body as Problem;
  const detail = typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : response.statusText || `HTTP ${response.status}`;
  return { code: `HTTP.${response.status}`, status: response.status, detail };
}

function unreachable(baseUrl: string, error: unknown): ApiError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = (error as Error).name === 'TimeoutError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new ApiError(0, {
    code: 'GATEWAY.UNREACHABLE',
    detail: `cannot reach the gateway at ${baseUrl} (${reason}); start it with \`npm start\` or point ORCH_URL at it`,
  });
}
