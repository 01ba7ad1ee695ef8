import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

const MAX_ROWS = 1_000;

/**
 * Collects rows for multi-row INSERTs inside a projection's transaction. Rows for one table are
 * sent together; adding a row for another table, or calling `flush`, sends what is pending first,
 * so statements still run in log order.
 */
export class InsertBuffer {
  private target: EntityTarget<ObjectLiteral> | null = null;
  private rows: ObjectLiteral[] = [];

  constructor(private readonly tx: EntityManager) {}

  async add<T extends ObjectLiteral>(target: EntityTarget<T>, row: Partial<T>): Promise<void> {
    if (this.target !== null && this.target !== target) await this.flush();
    this.target = target as EntityTarget<ObjectLiteral>;
    this.rows.push(row);
    if (this.rows.length >= MAX_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.target || this.rows.length === 0) return;
    const [target, rows] = [this.target, this.rows];
    this.target = null;
    this.rows = [];
    await this.tx.createQueryBuilder().insert().into(target).values(rows).updateEntity(false).execute();
  }
}
