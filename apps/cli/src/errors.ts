import type { Problem } from './client';

/**
 * Exit codes scripts can trust: 0 done, 1 the request failed, 2 the command line was wrong,
 * 3 a gate (a phase's or `done`'s requirements) is not met, 4 a conflict (the state moved on, 409/412).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, gate: 3, conflict: 4 } as const;

/** The exit codes as `orch --help` prints them. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  done',
  '  1  the request failed: "error CODE: detail", then a hint line saying what to do',
  '  2  the command line was wrong (or ~/.orch/config.json is broken)',
  '  3  a gate is not met (HTTP 422): each missing artifact or field is listed',
  '  4  a conflict: the state moved on (HTTP 409, 412); read it again and retry',
].join('\n');

/** The exit code of a request that failed with this HTTP status (0: the gateway was not reached). */
export function exitCodeFor(status: number): number {
  if (status === 422) return EXIT.gate;
  if (status === 409 || status === 412) return EXIT.conflict;
  return EXIT.failed;
}

const KEY_SOURCES = '--api-key, ORCH_API_KEY or "apiKey" in ~/.orch/config.json (`orch config` shows which one is in use)';

/** Hints for particular problem codes; they win over the hints by status below. */
const BY_CODE: Record<string, string> = {
  'GATEWAY.UNREACHABLE': 'is the gateway running? `npm start` starts the system; `orch config` shows the URL in use (--url, ORCH_URL, ~/.orch/config.json)',
  'AUTH.MISSING_KEY': `send an API key: ${KEY_SOURCES}`,
  'AUTH.INVALID_KEY': `the gateway does not know this key: check ${KEY_SOURCES}`,
  'AUTH.NOT_YOUR_AGENT': "an agent's key acts only for that agent: use its own key (ORCH_API_KEY with ORCH_AGENT_ID) or an admin key",
};

/**
 * What to do next about a failed request, one line: by the problem's code when it is a known one,
 * else by the HTTP status. `retryAfter` is the answer's Retry-After header (seconds), if any.
 */
export function hintFor(problem: Problem, status: number, retryAfter?: string | null): string | undefined {
  const known = BY_CODE[problem.code];
  if (known) return known;
  const wait = retryAfter && /^\d+$/.test(retryAfter) ? `${retryAfter} s` : retryAfter ? `until ${retryAfter}` : undefined;
  switch (status) {
    case 0:
      return BY_CODE['GATEWAY.UNREACHABLE'];
    case 400:
      return 'fix what the lines above name and run the command again (`--help` on the command shows its options)';
    case 401:
      return `check the API key: ${KEY_SOURCES}`;
    case 403:
      return "this key's role may not do that (viewer < agent < admin): use a key whose role may; `orch config` shows the key in use";
    case 404:
      return 'check the id or code: the list commands (`orch task list`, `orch sprint list`, `orch agents list`, `orch bugs`, …) show what exists';
    case 409:
      return 'the state moved on since it was read: read it again (e.g. `orch status`, `orch task get CODE`) and retry';
    case 412:
      return 'the version named is no longer the current one: read the current version and retry';
    case 413:
      return 'the request is too large: send less (an artifact can be registered by --uri with --sha256 instead of its content)';
    case 415:
      return 'the gateway takes JSON bodies only';
    case 422:
      return problem.missing?.length
        ? 'provide each missing item above, then run the command again (--override/--force with --reason only where your role allows)'
        : 'the request breaks a rule of the current state: see the detail above';
    case 429:
      return `this key used up its rate: wait ${wait ?? 'a moment'} (Retry-After) and retry`;
    case 502:
    case 503:
    case 504:
      return `a service or dependency is not ready: \`orch health\` shows which; retry ${wait ? `in ${wait}` : 'shortly'}`;
    default:
      return status >= 500 ? "the server failed: retry; if it keeps failing, the gateway's log has the details (search it for the request's correlation id)" : undefined;
  }
}
