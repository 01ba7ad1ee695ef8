import { describeServiceStartup } from '@orch/testing';
import { bugServiceService } from './app.module';

describeServiceStartup(bugServiceService);
