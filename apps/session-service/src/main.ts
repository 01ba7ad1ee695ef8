import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { sessionServiceService } from './app.module';

void runService(sessionServiceService);
