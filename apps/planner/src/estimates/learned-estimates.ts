import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { PLANNER_SETTINGS, type PlannerSettings } from '../settings/planner-settings';

export interface LearnedEstimate {
  minutes: number;
  samples: number;
}

/** Exponentially weighted mean, oldest first: each newer value weighs `alpha`, the past `1 - alpha`. */
export function ewma(values: readonly number[], alpha: number): number {
  let mean = values[0] ?? 0;
  for (let i = 1; i < values.length; i++) mean = alpha * values[i]! + (1 - alpha) * mean;
  return mean;
}

/**
 * Estimates that learn: the tracked times (IN_PROGRESS → DONE, from the planner's own task events,
 * kept in `orchestration_plan_tasks`) of tasks created from the same template step.
 */
@Injectable()
export class LearnedEstimates {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
  ) {}

  async forSteps(steps: string[]): Promise<Map<string, LearnedEstimate>> {
    const rows: Array<{ step: string; minutes: string[] }> = await this.ds.query(
      `SELECT step, array_agg(actual_minutes ORDER BY finished_at, task_code) AS minutes
         FROM orchestration_plan_tasks WHERE step = ANY($1) AND actual_minutes IS NOT NULL GROUP BY step`,
      [[...new Set(steps)]],
    );
    const { alpha, minSamples } = this.settings.estimates;
    const learned = new Map<string, LearnedEstimate>();
    for (const row of rows) {
      const values = row.minutes.map(Number);
      if (values.length >= minSamples) learned.set(row.step, { minutes: Math.max(1, Math.round(ewma(values, alpha))), samples: values.length });
    }
    return learned;
  }
}
