import { describeServiceStartup } from '@orch/testing';
import { sessionServiceService } from './app.module';

describeServiceStartup(sessionServiceService);
