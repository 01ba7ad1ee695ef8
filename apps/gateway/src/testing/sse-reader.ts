/** One parsed Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads an SSE response message by message, the way an EventSource would (comments skipped,
 * multi-line `data` joined). `next()` waits for the next message or fails after `timeoutMs`.
 */
export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly comments: string[] = [];

  constructor(res: Response) {
    if (!res.body) throw new Error('response has no body');
    this.reader = res.body.getReader();
  }

  async next(timeoutMs = 5_000): Promise<SseMessage> {
    return this.until(() => this.parse(), timeoutMs);
  }

  /** Reads until a comment line with this text has arrived. */
  async comment(text: string, timeoutMs = 5_000): Promise<void> {
    await this.until(() => {
      while (this.parse()); // messages before the comment are not what this wait is for
      return this.comments.includes(text) || undefined;
    }, timeoutMs);
  }

  private async until<T>(found: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = found();
      if (result !== undefined) return result;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE message within ${timeoutMs} ms (buffer: ${JSON.stringify(this.buffer.slice(0, 200))})`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no SSE message within ${timeoutMs} ms`)), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('the stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  async take(count: number, timeoutMs = 5_000): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    while (out.length < count) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Stops reading and drops the connection, as a client that loses its network would. */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private parse(): SseMessage | undefined {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return undefined;
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) return { ...message, data: data.join('\n') };
    }
  }
}
