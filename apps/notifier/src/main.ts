import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { NotifierModule } from './app.module';

void runService({ service: 'notifier', module: (infra) => NotifierModule.forRoot(infra) });
