import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { notifierService } from './app.module';

void runService(notifierService);
