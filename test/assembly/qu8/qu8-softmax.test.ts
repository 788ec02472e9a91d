// qu8 softmax with TFLite's float lookup table (exact) and vs float64 (±1), every registry variant in every module, against test/helpers/reference-q.ts.
import { QU8 } from './q8-kit.js';
import { describeQSoftmax } from './q8-misc-cases.js';

describeQSoftmax(QU8);
