/** The most of a stack trace that we keep; the rest is cut with a note (a 1 MB trace never fails a log). */
export const MAX_STACK_CHARS = 64 * 1024;
/** The most of a message that we keep. */
export const MAX_MESSAGE_CHARS = 8 * 1024;

// C0/C1 control characters except tab and newline, lone surrogates, and U+FFFD left by bad decoding.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// ANSI colour and cursor sequences that test runners and shells print.
const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

/** Removes ANSI escapes and control characters (binary garbage), normalises line ends. */
export function sanitise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ANSI, '').replace(CONTROL, '');
}

/** Cuts `text` to `max` characters and says so, rather than refusing it. */
export function truncate(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  return { text: `${text.slice(0, max)}\n… [truncated: ${text.length - max} of ${text.length} characters dropped]`, truncated: true };
}

/** The first non-empty line of a message, trimmed and with runs of whitespace collapsed. */
export function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().replace(/\s+/g, ' ');
}
