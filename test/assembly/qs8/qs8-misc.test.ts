// qs8 ARG_MAX, QUANTIZE, DEQUANTIZE, requantization, every registry variant in every module, against test/helpers/reference-q.ts.
import { QS8 } from '../qu8/q8-kit.js';
import { describeQMisc } from '../qu8/q8-misc-cases.js';

describeQMisc(QS8);
