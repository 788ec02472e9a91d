// qs8 softmax with TFLite's float lookup table (exact) and vs float64 (±1), every registry variant in every module, against test/helpers/reference-q.ts.
import { QS8 } from '../qu8/q8-kit.js';
import { describeQSoftmax } from '../qu8/q8-misc-cases.js';

describeQSoftmax(QS8);
