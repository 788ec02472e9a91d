// qu8 ARG_MAX, QUANTIZE, DEQUANTIZE, requantization, every registry variant in every module, against test/helpers/reference-q.ts.
import { QU8 } from './q8-kit.js';
import { describeQMisc } from './q8-misc-cases.js';

describeQMisc(QU8);
import { describeQConcat, describeQPad } from './q8-misc-cases.js';

// CONCATENATION (byte-generic; int8 concatenations are copies, TFLite requires equal quantization).
describeQConcat();

// PAD (byte-generic: int8 and float32 tensors too).
describeQPad();
