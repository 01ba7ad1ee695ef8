import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import pino from 'pino';
import { commandRoute, Headers, type RpcMeta } from '@orch/contracts';
import { ConflictError, InternalError, UnavailableError, ValidationError } from '@orch/errors';
import { natsTestContext, type NatsTestContext } from '@orch/testing';
import { RpcClient, RpcServer } from './index';

const logger = pino({ level: 'silent' });
const Echo = commandRoute('planner', 'echo', z.strictObject({ text: z.string().max(10) }), z.object({ text: z.string(), by: z.string() }));
const Slow = commandRoute('planner', 'slow', z.object({}), z.object({}));
const Nobody = commandRoute('notifier', 'nobody', z.object({}), z.object({}));
const meta = (): RpcMeta => ({ actor: { kind: 'human', id: 'ann' }, commandId: randomUUID(), issuedAt: new Date().toISOString() });

describe('request/reply between the gateway and services', () => {
  let ctx: NatsTestContext;
  let client: RpcClient;
  const servers: RpcServer[] = [];
  const handledBy: string[] = [];
  const correlations: string[] = [];

  beforeAll(async () => {
    ctx = await natsTestContext();
    for (const name of ['one', 'two']) {
      const server = new RpcServer(ctx.nc, ctx.subjects, logger);
      server.serve(Echo, async ({ text }, { correlationId }) => {
        handledBy.push(name);
        correlations.push(correlationId);
        if (text === 'conflict') throw new ConflictError('ECHO.CONFLICT', 'someone was first', { holder: 'x' });
        if (text === 'boom') throw new Error('secret internals');
        if (text === 'badreply') return { value: { nope: true } as never };
        return { value: { text, by: name }, seq: 42 };
      });
      server.serve(Slow, () => new Promise(() => undefined));
      servers.push(server);
    }
    await ctx.nc.flush();
    client = new RpcClient(ctx.nc, ctx.subjects, 300);
  });

  afterAll(async () => {
    for (const s of servers) await s.drain();
    await ctx.close();
  });

  it('answers with the value and the commit sequence, carrying the correlation id in headers', async () => {
    const result = await client.call(Echo, { text: 'hi' }, { meta: meta(), correlationId: 'corr-1' });
    expect(result).toEqual({ value: { text: 'hi', by: expect.any(String) }, seq: 42, readSeq: undefined });
    expect(correlations.at(-1)).toBe('corr-1');
    expect(Headers.correlationId).toBe('Orch-Correlation-Id');
  });

  it('shares requests between instances of a service (queue group): each is handled once', async () => {
    handledBy.length = 0;
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.call(Echo, { text: `m${i}` }, { meta: meta(), correlationId: `c${i}` })));
    expect(handledBy).toHaveLength(60);
    expect(new Set(handledBy)).toEqual(new Set(['one', 'two']));
  });

  it('rebuilds a typed error on the caller side, with its code and details', async () => {
    const attempt = client.call(Echo, { text: 'conflict' }, { meta: meta(), correlationId: 'c' });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'ECHO.CONFLICT', status: 409, extra: { holder: 'x' } });
  });

  it('hides internals of an unexpected error behind a 500', async () => {
    const attempt = client.call(Echo, { text: 'boom' }, { meta: meta(), correlationId: 'c' });
    await expect(attempt).rejects.toBeInstanceOf(InternalError);
    await expect(attempt).rejects.not.toThrow(/secret/);
  });

  it('validates on the way out, before anything is sent', async () => {
    const before = handledBy.length;
    await expect(client.call(Echo, { text: 'far too long for this' }, { meta: meta(), correlationId: 'c' })).rejects.toMatchObject({ code: 'REQUEST.INVALID', errors: [{ path: 'text', message: expect.any(String) }] });
    expect(handledBy.length).toBe(before);
  });

  it('validates on the way in: garbage sent straight to the subject gets a 400 reply', async () => {
    const reply = await ctx.nc.request(ctx.subjects.rpc('planner', 'echo'), new TextEncoder().encode('{not json'), { timeout: 1_000 });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ ok: false, error: { status: 400, code: 'REQUEST.MALFORMED' } });
    const wrong = await ctx.nc.request(ctx.subjects.rpc('planner', 'echo'), new TextEncoder().encode(JSON.stringify({ meta: meta(), payload: { text: 5 } })), { timeout: 1_000 });
    expect(JSON.parse(new TextDecoder().decode(wrong.data))).toMatchObject({ ok: false, error: { status: 400, extra: { errors: [{ path: 'text' }] } } });
  });

  it('checks the reply too: a service answering off-contract is an error, not bad data', async () => {
    await expect(client.call(Echo, { text: 'badreply' }, { meta: meta(), correlationId: 'c' })).rejects.toMatchObject({ code: 'RPC.BAD_REPLY' });
  });

  it('answers 503 naming the service when it does not answer in time, or is not running', async () => {
    await expect(client.call(Slow, {}, { meta: meta(), correlationId: 'c' })).rejects.toMatchObject({ status: 503, message: expect.stringContaining('did not answer in time') });
    const none = client.call(Nobody, {}, { meta: meta(), correlationId: 'c' });
    await expect(none).rejects.toBeInstanceOf(UnavailableError);
    await expect(none).rejects.toThrow('The notifier service is not running (nobody)');
  });

  it('keeps ValidationError field lists intact across the wire', async () => {
    const e = await client.call(Echo, { text: 1 } as never, { meta: meta(), correlationId: 'c' }).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
  });
});
