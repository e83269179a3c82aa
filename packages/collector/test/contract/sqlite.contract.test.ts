import { createSqliteTestStore } from '../support/store-factory.js';
import { describeDataLifecyclePropertyContract } from './data-lifecycle-property-contract.js';
import { describeMetricsContract } from './metrics-contract.js';
import { describeMetricsPropertyContract } from './metrics-property-contract.js';

// The embedded engine against the engine-neutral contract: the same answers,
// to the byte, that every other engine must give.
describeMetricsContract('SQLite', createSqliteTestStore);
describeMetricsPropertyContract('SQLite', createSqliteTestStore);
describeDataLifecyclePropertyContract('SQLite', createSqliteTestStore);
