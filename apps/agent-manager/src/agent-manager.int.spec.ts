import { describeServiceStartup } from '@orch/testing';
import { agentManagerService } from './app.module';

describeServiceStartup(agentManagerService);
