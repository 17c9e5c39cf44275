export { forEachBackend, TEST_BACKENDS } from './for-each-backend';
export { expectClose, float64 } from './numeric';
export { shiftedDomainTask } from './toy-tasks';
