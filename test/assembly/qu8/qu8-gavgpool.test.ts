// qu8 global average pool: AVERAGE_POOL_2D and the three MEAN paths, every registry variant in every module, against test/helpers/reference-q.ts.
import { QU8 } from './q8-kit.js';
import { describeQGavgpool } from './q8-misc-cases.js';

describeQGavgpool(QU8);
