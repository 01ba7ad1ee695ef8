import type { TaskFacts } from '../read-model/task-facts';
import type { Session } from './session';

/** `CHANGES.md` in the seeds' layout: task, date, overview, modified files, diff summary, related commits. */
export function changesMarkdown(s: Session, task: TaskFacts | null, now: string): string {
  const files = s.changes?.files ?? [];
  const lines = [
    '# Changes Summary',
    '',
    `**Task**: ${task?.title ?? s.taskTitle} (${s.taskCode})`,
    `**Date**: ${(s.endedAt ?? now).slice(0, 10)}`,
    '',
    '## Overview',
    (task?.description || s.fields.summary || task?.title || s.taskTitle).trim(),
    '',
    '## Modified Files',
    ...(files.length ? files.map((f) => `- ${f}`) : ['- (none recorded)']),
    '',
    '## Diff Summary',
    s.changes?.diffSummary ?? '(none recorded)',
    '',
    '## Related Commits',
    ...(s.commits.length ? s.commits.map((c) => `- ${c.shortHash} - ${c.message.split('\n')[0]} (Phase: ${c.phase.toLowerCase()})`) : ['- (none recorded)']),
  ];
  if (s.pullRequest) lines.push('', '## Pull Request', `- ${s.pullRequest.url} (#${s.pullRequest.number})`);
  return lines.join('\n') + '\n';
}
