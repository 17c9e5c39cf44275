export { writeFixtureClipModel, fixtureClipModelFiles, type FixtureClipModel, type FixtureClipModelOptions } from './fixture-model';
export { MemoryModelFileReader } from './memory-reader';
export { FIXTURE_TOKEN_BUCKETS } from './fixture-towers';
