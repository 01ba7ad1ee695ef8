import { describeServiceStartup } from '@orch/testing';
import { notifierService } from './app.module';

describeServiceStartup(notifierService);
