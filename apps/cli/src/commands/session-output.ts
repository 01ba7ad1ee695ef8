import type { Schema } from '../client';
import { details, PLAIN, type Io, type Style } from '../output';

type SessionReply = Schema<'SessionReply'>;
type Instructions = SessionReply['instructions'];
type Briefing = Schema<'Briefing'>;

/** The instructions block, as a person reads it: what next, what is missing, commands to try. */
export function instructionsText(i: Instructions): string {
  const out: string[] = [];
  if (i.nextActions.length) out.push('next:', ...i.nextActions.map((a) => `  - ${a}`));
  if (i.missing.length) out.push('missing:', ...i.missing.map((m) => `  - ${m.kind} ${m.name}: ${m.hint}`));
  if (i.suggestedCommands.length) out.push('try:', ...i.suggestedCommands.map((c) => `  ${c}`));
  return out.length ? out.join('\n') + '\n' : '';
}

export function sessionText(r: SessionReply, style: Style = PLAIN): string {
  const s = r.session;
  const position = `${s.currentPhase} (${s.phases.indexOf(s.currentPhase) + 1}/${s.phases.length})`;
  return (
    details([
      ['session', `${s.sessionKey}${r.outcome ? ` (${r.outcome})` : ''}`],
      ['task', s.taskCode],
      ['phase', position],
      ['status', s.status],
      ['time', r.instructions.contextReminder.timeElapsed],
    ], style) + instructionsText(r.instructions)
  );
}

/** The first line of a text, cut at `max` characters: a briefing shows what was said, not all of it. */
function oneLine(text: string, max: number): string {
  const first = text.split('\n', 1)[0] ?? '';
  return first.length > max || first.length < text.length ? `${first.slice(0, max)}…` : first;
}

export function briefingText(b: Briefing): string {
  const lines = [
    `briefing of ${b.session.sessionKey} (${b.session.status}), task ${b.task.code}: ${b.task.title}`,
    `phase ${b.currentPhase}: ${b.phaseGoal}`,
    `done: ${b.phaseHistory.filter((p) => p.endedAt).map((p) => p.phase).join(' → ') || '-'}`,
    `time spent ${b.time.timeSpent}${b.time.estimateMinutes !== null ? ` of ${b.time.estimateMinutes}m estimated` : ''}`,
  ];
  if (b.openGate.length) lines.push('open gate:', ...b.openGate.map((m) => `  - ${m.kind} ${m.name}: ${m.hint}`));
  if (b.lastActions.length) lines.push('last actions:', ...b.lastActions.map((a) => `  - ${a.at} ${a.by}: ${a.summary}`));
  if (b.artifacts.length) lines.push(`artifacts: ${b.artifacts.map((a) => a.name).join(', ')}`);
  if (b.notes.length) lines.push('notes:', ...b.notes.slice(-5).map((n) => `  - [${n.kind}] ${n.text}`));
  if (b.recentTurns.length) lines.push('recent conversation:', ...b.recentTurns.map((t) => `  - ${t.role}: ${oneLine(t.content, 160)}`));
  if (b.openBugs.length) lines.push('open bugs:', ...b.openBugs.map((bug) => `  - ${bug.hash.slice(0, 12)} (${bug.occurrenceCount}x) ${bug.message}`));
  if (b.commits.length) lines.push('commits:', ...b.commits.map((c) => `  - ${c.shortHash} ${c.message.split('\n')[0]} (${c.phase})`));
  return lines.join('\n') + '\n';
}

export function printReply(io: Io, reply: SessionReply, notes: string[] = [], style: Style = PLAIN): void {
  if (reply.briefing) io.stdout.write(briefingText(reply.briefing));
  io.stdout.write(sessionText(reply, style));
  for (const w of [...reply.warnings, ...notes]) io.stderr.write(`note: ${w}\n`);
}
