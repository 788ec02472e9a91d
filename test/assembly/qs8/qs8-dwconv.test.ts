// qs8 depthwise 3×3 kernels against TFLite's reference depthwise convolution (test/helpers/reference-q.ts),
// one output row per call with zero-point rows for the vertical padding.
import { QU8, QS8 } from '../qu8/q8-kit.js';
import { describeQDwconv } from '../qu8/q8-conv-cases.js';

describeQDwconv(QS8);
void QU8; void QS8;
