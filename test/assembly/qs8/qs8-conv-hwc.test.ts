// qs8 stem 3×3 convolution kernels (im2col row + int8 GEMM) against TFLite's reference convolution.
import { QU8, QS8 } from '../qu8/q8-kit.js';
import { describeQConv } from '../qu8/q8-conv-cases.js';

describeQConv(QS8);
void QU8; void QS8;
