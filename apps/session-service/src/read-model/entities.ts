import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `orchestration_sessions` (see the migration for its indexes). */
@Entity('orchestration_sessions')
export class OrchestrationSession {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'session_key', type: 'text', unique: true })
  sessionKey!: string;

  @Column({ name: 'task_code', type: 'text' })
  taskCode!: string;

  @Column({ name: 'sprint_code', type: 'text', nullable: true })
  sprintCode!: string | null;

  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'current_phase', type: 'text' })
  currentPhase!: string;

  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId!: string | null;

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'last_activity_at', type: 'timestamptz' })
  lastActivityAt!: Date;

  @Column({ name: 'active_ms', type: 'bigint' })
  activeMs!: string;

  @Column({ name: 'phase_history', type: 'jsonb' })
  phaseHistory!: unknown[];

  @Column({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'created_g', type: 'bigint' })
  createdG!: string;

  @Column({ name: 'last_activity_g', type: 'bigint' })
  lastActivityG!: string;
}
