// qs8 ADD with rescaling (reference_ops::Add / reference_integer_ops::Add), every registry variant in every module, against test/helpers/reference-q.ts.
import { QS8 } from '../qu8/q8-kit.js';
import { describeQVadd } from '../qu8/q8-misc-cases.js';

describeQVadd(QS8);
