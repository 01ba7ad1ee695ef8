import { sendSoon } from './outgoing-batch';

describe('sending with the others of this event-loop turn', () => {
  it('sends nothing during the current turn, then everything asked for, in order', async () => {
    const sent: number[] = [];
    const done = [1, 2, 3].map((n) => sendSoon(() => (sent.push(n), n * 10)));
    await Promise.resolve(); // microtasks of this turn have run: still nothing sent
    expect(sent).toEqual([]);
    expect(await Promise.all(done)).toEqual([10, 20, 30]);
    expect(sent).toEqual([1, 2, 3]);
  });

  it('hands each caller its own failure, thrown or rejected, and still sends the rest', async () => {
    const thrown = sendSoon(() => {
      throw new Error('no responders');
    });
    const rejected = sendSoon(() => Promise.reject(new Error('timeout')));
    const fine = sendSoon(() => 'ok');
    await expect(thrown).rejects.toThrow('no responders');
    await expect(rejected).rejects.toThrow('timeout');
    await expect(fine).resolves.toBe('ok');
  });

  it('starts a new batch once a batch has gone out', async () => {
    const order: string[] = [];
    const first = sendSoon(() => order.push('a1'));
    await first;
    const second = sendSoon(() => order.push('a2'));
    expect(order).toEqual(['a1']);
    await second;
    expect(order).toEqual(['a1', 'a2']);
  });
});
