// qu8 ADD with rescaling (reference_ops::Add / reference_integer_ops::Add), every registry variant in every module, against test/helpers/reference-q.ts.
import { QU8 } from './q8-kit.js';
import { describeQVadd } from './q8-misc-cases.js';

describeQVadd(QU8);
