import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `orchestration_sprints`: the seeds' table, one row per sprint. */
@Entity('orchestration_sprints')
export class OrchestrationSprint {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index({ unique: true })
  @Column({ name: 'sprint_code', type: 'text' })
  sprintCode!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  goal!: string | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, unknown>;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** `orchestration_tasks`: the seeds' table; session state, commits and pull request go in `metadata`. */
@Entity('orchestration_tasks')
export class OrchestrationTask {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index({ unique: true })
  @Column({ name: 'task_code', type: 'text' })
  taskCode!: string;

  @Column({ name: 'sprint_id', type: 'bigint', nullable: true })
  sprintId!: string | null;

  @Column({ name: 'sprint_code', type: 'text', nullable: true })
  sprintCode!: string | null;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text' })
  priority!: string;

  @Column({ name: 'estimate_minutes', type: 'int', nullable: true })
  estimateMinutes!: number | null;

  @Column({ name: 'required_capabilities', type: 'text', array: true, default: '{}' })
  requiredCapabilities!: string[];

  @Column({ name: 'depends_on', type: 'text', array: true, default: '{}' })
  dependsOn!: string[];

  @Column({ type: 'text', nullable: true })
  assignee!: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, unknown>;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
