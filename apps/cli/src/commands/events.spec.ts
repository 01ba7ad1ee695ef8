import { readEvents } from './events';

/** A stream that delivers `chunks` as the network might: split anywhere. */
const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

describe('reading the event stream (orch events --follow)', () => {
  const read = async (...chunks: string[]) => {
    const got: Array<[string, unknown]> = [];
    await readEvents(streamOf(...chunks), (id, event) => got.push([id, event]));
    return got;
  };

  it('reads events split across chunks, with CRLF line ends, data on several lines, and heartbeat comments', async () => {
    const got = await read(': heartbeat\r\n\r\nid: 7\r\nda', 'ta: {"type":"a",\r\ndata: "seq":7}\r\n\r\n', 'id: 8\ndata: {"type":"b"}\n\n');
    expect(got).toEqual([['7', { type: 'a', seq: 7 }], ['8', { type: 'b' }]]);
  });

  it('hands over an event whose data is not JSON as null, and goes on with the next', async () => {
    const got = await read('id: 9\ndata: {not json\n\nid: 10\ndata: {"type":"c"}\n\n');
    expect(got).toEqual([['9', null], ['10', { type: 'c' }]]);
  });
});
