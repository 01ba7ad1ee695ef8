// Turns the services' pino JSON lines into one compact line for people:
//   [planner]         info  planner started {"stream":"ORCH_EVENTS"}
// Lines that are not pino JSON pass through with the prefix. ORCH_LOG_FORMAT=json keeps the raw JSON.

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'v']);
const COLORS = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 35 };
const NAME_COLORS = [36, 35, 34, 33, 32, 96, 95, 94];

/**
 * @param {{ width?: number, color?: boolean, raw?: boolean }} options
 * @returns {(name: string, line: string) => string}
 */
export function createFormatter({ width = 0, color = false, raw = false } = {}) {
  const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const nameColor = new Map();
  return (name, line) => {
    if (!nameColor.has(name)) nameColor.set(name, NAME_COLORS[nameColor.size % NAME_COLORS.length]);
    const prefix = paint(nameColor.get(name), `[${name}]`.padEnd(width + 2));
    const entry = raw ? undefined : parsePino(line);
    if (!entry) return `${prefix} ${line}`;
    const level = LEVELS[entry.level] ?? String(entry.level);
    const extras = Object.entries(entry).filter(([k]) => !HIDDEN.has(k));
    const err = entry.err;
    const rest = Object.fromEntries(extras.map(([k, v]) => [k, k === 'err' && v && typeof v === 'object' ? v.message ?? v.type : v]));
    const tail = extras.length ? ` ${paint(90, JSON.stringify(rest))}` : '';
    let out = `${prefix} ${paint(COLORS[level] ?? 0, level.padEnd(5))} ${entry.msg ?? ''}${tail}`;
    if (entry.level >= 50 && err && typeof err === 'object' && typeof err.stack === 'string') {
      out += '\n' + err.stack.split('\n').slice(1).map((l) => `${' '.repeat(width + 3)}${l.trim()}`).join('\n');
    }
    return out;
  };
}

function parsePino(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' && typeof value.level === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
