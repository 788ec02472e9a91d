// qu8 depthwise 3×3 kernels against TFLite's reference depthwise convolution (test/helpers/reference-q.ts),
// one output row per call with zero-point rows for the vertical padding.
import { QU8, QS8 } from './q8-kit.js';
import { describeQDwconv } from './q8-conv-cases.js';

describeQDwconv(QU8);
void QU8; void QS8;
