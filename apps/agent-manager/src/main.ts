import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { AgentManagerModule } from './app.module';

void runService({ service: 'agent-manager', module: (infra) => AgentManagerModule.forRoot(infra) });
