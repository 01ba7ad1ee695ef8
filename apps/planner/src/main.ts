import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { plannerService } from './planner';

void runService(plannerService);
