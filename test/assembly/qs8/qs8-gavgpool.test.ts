// qs8 global average pool: AVERAGE_POOL_2D and the three MEAN paths, every registry variant in every module, against test/helpers/reference-q.ts.
import { QS8 } from '../qu8/q8-kit.js';
import { describeQGavgpool } from '../qu8/q8-misc-cases.js';

describeQGavgpool(QS8);
