import type { Stream } from './output';

/** A "still waiting" line on stderr; `stop()` clears it, `print()` writes a message above it. */
export interface Waiting {
  stop(): void;
  print(text: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\u001b[K';

/**
 * Shows `⠋ waiting for assignments… (12 s)` while something waits (a long poll, `--wait`, a follow
 * mode), redrawn every `intervalMs` and cleared by `stop()`. Only for a person at a terminal: when
 * the stream is not a TTY (a pipe, a log file, an agent reading stderr) nothing is written at all,
 * so scripts see exactly the output they would without it.
 */
export function waiting(stream: Stream, label: string, opts: { intervalMs?: number; now?: () => number } = {}): Waiting {
  if (stream.isTTY !== true) return { stop() {}, print: (text) => void stream.write(text) };
  const now = opts.now ?? Date.now;
  const started = now();
  let frame = 0;
  let stopped = false;
  const draw = () => {
    if (!stopped) stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${label}… (${Math.floor((now() - started) / 1000)} s)`);
  };
  draw();
  const timer = setInterval(draw, opts.intervalMs ?? 250);
  timer.unref?.();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write(CLEAR_LINE);
    },
    print(text) {
      stream.write(stopped ? text : `${CLEAR_LINE}${text}`);
      draw();
    },
  };
}

/** Runs `work` with a waiting line shown on `stream` (when it is a terminal) until it settles. */
export async function whileWaiting<T>(stream: Stream, label: string, work: () => Promise<T>): Promise<T> {
  const line = waiting(stream, label);
  try {
    return await work();
  } finally {
    line.stop();
  }
}
