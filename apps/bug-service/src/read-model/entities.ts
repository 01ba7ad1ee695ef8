import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `orchestration_bugs`: one row per fingerprint; counts, times and who hit it are in `context`. */
@Entity('orchestration_bugs')
export class OrchestrationBug {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index({ unique: true })
  @Column({ name: 'bug_hash', type: 'text' })
  bugHash!: string;

  @Column({ name: 'task_code', type: 'text', nullable: true })
  taskCode!: string | null;

  @Column({ name: 'error_message', type: 'text' })
  errorMessage!: string;

  @Column({ name: 'file_path', type: 'text', nullable: true })
  filePath!: string | null;

  @Column({ name: 'line_number', type: 'int', nullable: true })
  lineNumber!: number | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text' })
  category!: string;

  @Column({ type: 'jsonb', default: {} })
  context!: Record<string, unknown>;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
