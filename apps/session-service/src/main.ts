import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { SessionServiceModule } from './app.module';

void runService({ service: 'session-service', module: (infra) => SessionServiceModule.forRoot(infra) });
