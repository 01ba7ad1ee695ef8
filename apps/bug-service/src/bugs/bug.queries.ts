import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BugPage, BugView, ListBugsQuery } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { BugReadModel } from '../read-model/bug-read-model';

export class GetBug extends Query<BugView> {
  constructor(readonly hash: string) {
    super();
  }
}

export class ListBugs extends Query<BugPage> {
  constructor(readonly filter: ListBugsQuery) {
    super();
  }
}

@QueryHandler(GetBug)
export class GetBugHandler implements IQueryHandler<GetBug> {
  constructor(private readonly bugs: BugReadModel) {}

  async execute({ hash }: GetBug): Promise<BugView> {
    const bug = await this.bugs.get(hash);
    if (!bug) throw new NotFoundError('BUG.NOT_FOUND', `Bug ${hash} does not exist`);
    return bug;
  }
}

@QueryHandler(ListBugs)
export class ListBugsHandler implements IQueryHandler<ListBugs> {
  constructor(private readonly bugs: BugReadModel) {}

  execute({ filter }: ListBugs): Promise<BugPage> {
    return this.bugs.list(filter);
  }
}
