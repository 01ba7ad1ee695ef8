import { createHash } from 'node:crypto';
import type { BugCategory } from '@orch/contracts';
import { classify } from './classify';
import { extractErrorClass } from './error-class';
import { firstProjectFrame, type Frame } from './frame';
import { parameterise } from './parameterise';
import { firstLine, MAX_MESSAGE_CHARS, MAX_STACK_CHARS, sanitise, truncate } from './sanitise';

/** Bump when any rule changes: hashes of different versions are different bugs by design. */
export const FINGERPRINT_VERSION = 1;

export interface ErrorReport {
  message: string;
  errorType?: string | null;
  file?: string | null;
  stack?: string | null;
  projectRoot?: string | null;
}

export interface Fingerprint {
  hash: string;
  version: number;
  errorClass: string;
  template: string;
  frame: Frame | null;
  category: BugCategory;
  /** The sanitised message and stack as stored (the stack cut with a note when too long). */
  message: string;
  stack: string | null;
  notes: string[];
}

/** The hash input: class, template and frame (function + path). Line numbers never enter it. */
export function fingerprintHash(errorClass: string, template: string, frame: Pick<Frame, 'fn' | 'path'> | null): string {
  const input = [`v${FINGERPRINT_VERSION}`, errorClass, template, frame?.fn ?? '', frame?.path ?? ''].join('\n');
  return createHash('sha256').update(input).digest('hex');
}

/** Everything the bug log needs to know about one report, computed without I/O. */
export function fingerprint(report: ErrorReport): Fingerprint {
  const notes: string[] = [];
  const message = truncate(sanitise(report.message), MAX_MESSAGE_CHARS);
  if (message.truncated) notes.push(`message truncated to ${MAX_MESSAGE_CHARS} characters`);
  const stack = report.stack ? truncate(sanitise(report.stack), MAX_STACK_CHARS) : null;
  if (stack?.truncated) notes.push(`stack truncated to ${MAX_STACK_CHARS} characters`);
  const { errorClass, rest } = extractErrorClass(firstLine(message.text), sanitise(report.errorType ?? ''), stack?.text);
  const template = parameterise(rest);
  const frame = firstProjectFrame(stack?.text, report.file ? sanitise(report.file) : null, report.projectRoot);
  return {
    hash: fingerprintHash(errorClass, template, frame),
    version: FINGERPRINT_VERSION,
    errorClass,
    template,
    frame,
    category: classify(errorClass, `${rest}\n${stack?.text ?? ''}`),
    message: message.text,
    stack: stack?.text ?? null,
    notes,
  };
}
