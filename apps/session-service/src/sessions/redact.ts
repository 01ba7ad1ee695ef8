import { redactSecrets } from '@orch/redaction';

/**
 * Secrets never reach the log (SPEC §9): notes, progress, artifacts, commit messages, reasons and
 * fields are cut by the shared scanner (`@orch/redaction`, where the cases are tested) before
 * they are appended; the count goes back to the caller as a warning.
 */
export function redact(text: string): { text: string; redactions: number } {
  const r = redactSecrets(text);
  return { text: r.text, redactions: r.count };
}
