import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { agentManagerService } from './app.module';

void runService(agentManagerService);
