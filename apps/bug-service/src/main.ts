import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { bugServiceService } from './app.module';

void runService(bugServiceService);
