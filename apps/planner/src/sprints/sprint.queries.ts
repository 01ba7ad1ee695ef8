import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ListSprintsQuery, SprintPage, SprintView } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { SprintReadModel } from '../read-model/sprint-read-model';

export class GetSprint extends Query<SprintView> {
  constructor(readonly code: string) {
    super();
  }
}

export class ListSprints extends Query<SprintPage> {
  constructor(readonly filter: ListSprintsQuery) {
    super();
  }
}

@QueryHandler(GetSprint)
export class GetSprintHandler implements IQueryHandler<GetSprint> {
  constructor(private readonly sprints: SprintReadModel) {}

  async execute({ code }: GetSprint): Promise<SprintView> {
    const sprint = await this.sprints.get(code);
    if (!sprint) throw new NotFoundError('SPRINT.NOT_FOUND', `Sprint ${code} does not exist`);
    return sprint;
  }
}

@QueryHandler(ListSprints)
export class ListSprintsHandler implements IQueryHandler<ListSprints> {
  constructor(private readonly sprints: SprintReadModel) {}

  execute({ filter }: ListSprints): Promise<SprintPage> {
    return this.sprints.list(filter);
  }
}
