import type { TaskFacts } from '../read-model/task-facts';
import type { Session } from './session';

const unique = <T>(items: T[], key: (t: T) => string): T[] => [...new Map(items.map((i) => [key(i), i] as const)).values()];

/**
 * `CHANGES.md` in the seeds' layout (task, date, overview, modified files, diff summary, related
 * commits) over every session of the task, oldest first: a task worked in three sessions lists the
 * commits and files of all three, not only the newest.
 */
export function changesMarkdown(sessions: Session[], task: TaskFacts | null, now: string): string {
  const latest = sessions.at(-1)!;
  const files = [...new Set(sessions.flatMap((s) => s.changes?.files ?? []))].sort();
  const diffs = sessions.filter((s) => s.changes?.diffSummary).map((s) => ({ key: s.key, summary: s.changes!.diffSummary! }));
  const commits = unique(sessions.flatMap((s) => s.commits), (c) => c.hash);
  const pullRequest = sessions.map((s) => s.pullRequest).filter((p) => p !== null).sort((a, b) => a.linkedAt.localeCompare(b.linkedAt)).at(-1);
  const lines = [
    '# Changes Summary',
    '',
    `**Task**: ${task?.title ?? latest.taskTitle} (${latest.taskCode})`,
    `**Date**: ${(latest.endedAt ?? now).slice(0, 10)}`,
    '',
    '## Overview',
    (task?.description || latest.fields.summary || task?.title || latest.taskTitle).trim(),
    '',
    '## Modified Files',
    ...(files.length ? files.map((f) => `- ${f}`) : ['- (none recorded)']),
    '',
    '## Diff Summary',
    // One session: its summary as the seeds print it; several: one line per session that has one.
    ...(diffs.length === 0 ? ['(none recorded)'] : diffs.length === 1 ? [diffs[0]!.summary] : diffs.map((d) => `- ${d.key}: ${d.summary}`)),
    '',
    '## Related Commits',
    ...(commits.length ? commits.map((c) => `- ${c.shortHash} - ${c.message.split('\n')[0]} (Phase: ${c.phase.toLowerCase()})`) : ['- (none recorded)']),
  ];
  if (pullRequest) lines.push('', '## Pull Request', `- ${pullRequest.url} (#${pullRequest.number})`);
  return lines.join('\n') + '\n';
}
