// One generator for the whole project: the data pipeline's partitions and splits and the algorithms' initialisation
// and shuffles draw from the same implementation.
export { SeededRandom } from '@clipfed/fl';
