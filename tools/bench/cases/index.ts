import type { BenchCase } from '../lib/bench-case';
import { aggregationCase } from './aggregation';
import { encodeCase } from './encode';
import { roundsNodeCase } from './rounds-node';
import { roundsTabsCase } from './rounds-tabs';
import { updateDtypeCase } from './update-dtype';
import { clip2flStepCase } from './clip2fl-step';
import { trainStepCase } from './train-step';
import { studentCase } from './student';

/** In the order they run and appear in the report. */
export const ALL_CASES: BenchCase[] = [encodeCase, trainStepCase, studentCase, aggregationCase, clip2flStepCase, roundsTabsCase, roundsNodeCase, updateDtypeCase];
