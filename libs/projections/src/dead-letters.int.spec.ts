import { ensureDeadLetterStream, ensureEventStream } from '@orch/event-store';
import { natsTestContext, type NatsTestContext } from '@orch/testing';
import { deadLetter, DeadLetterHeaders } from './dead-letters';

/** A dead letter must always fit, or the consumer that writes it would retry it forever. */
describe('dead letters of messages as large as the server allows', () => {
  let ctx: NatsTestContext;

  beforeAll(async () => {
    ctx = await natsTestContext();
    const opts = { stream: ctx.stream, subjects: ctx.subjects, replicas: 1, duplicateWindowMs: 60_000 };
    await ensureEventStream(ctx.jsm, opts);
    await ensureDeadLetterStream(ctx.jsm, opts);
  });
  afterAll(() => ctx.close());

  it('cuts the body to fit beside its headers and records the original size', async () => {
    const max = ctx.nc.info!.max_payload;
    const data = new Uint8Array(max).fill(120);
    const ack = await ctx.js.publish(ctx.subjects.aggregate('task', 'HUGE'), data);
    await deadLetter(ctx.js, ctx.subjects, 'proj_test', { seq: ack.seq, subject: ctx.subjects.aggregate('task', 'HUGE'), data }, 'body is not JSON');
    const dl = await ctx.jsm.streams.getMessage(`${ctx.stream}_DLQ`, { last_by_subj: ctx.subjects.deadLetters('proj_test') });
    expect(dl!.header.get(DeadLetterHeaders.truncated)).toBe(String(max));
    expect(dl!.header.get(DeadLetterHeaders.sourceSeq)).toBe(String(ack.seq));
    expect(dl!.data.length).toBeLessThan(max);
    expect(dl!.data.length).toBeGreaterThan(max - 8 * 1024);
  });

  it('copies a small body whole, without the truncation header', async () => {
    const data = new TextEncoder().encode('not json');
    await deadLetter(ctx.js, ctx.subjects, 'proj_small', { seq: 1, subject: ctx.subjects.aggregate('task', 'X'), data }, 'body is not JSON');
    const dl = await ctx.jsm.streams.getMessage(`${ctx.stream}_DLQ`, { last_by_subj: ctx.subjects.deadLetters('proj_small') });
    expect(new TextDecoder().decode(dl!.data)).toBe('not json');
    expect(dl!.header.has(DeadLetterHeaders.truncated)).toBe(false);
  });
});
