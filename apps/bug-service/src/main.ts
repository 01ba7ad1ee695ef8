import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { BugServiceModule } from './app.module';

void runService({ service: 'bug-service', module: (infra) => BugServiceModule.forRoot(infra) });
