import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { BugView, UpdateBugBody } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { decide } from './bug';
import { BugRepository } from './bug.repository';
import { bugViewFromState } from './views';

export class ResolveBug extends Command<HandlerResult<BugView>> {
  constructor(
    readonly hash: string,
    readonly changes: UpdateBugBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(ResolveBug)
export class ResolveBugHandler implements ICommandHandler<ResolveBug> {
  constructor(private readonly bugs: BugRepository) {}

  async execute({ hash, changes, meta }: ResolveBug): Promise<HandlerResult<BugView>> {
    const result = await this.bugs.execute(hash, meta, (state) => decide({ type: 'ResolveBug', hash, resolution: changes.resolution ?? null }, state));
    return { value: bugViewFromState(result.state!), seq: result.seq };
  }
}
