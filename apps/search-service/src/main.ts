import 'reflect-metadata';
import { runService } from '@orch/service-kit';
import { searchService } from './search-service';

void runService(searchService);
