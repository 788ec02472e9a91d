// qs8 RESIZE_BILINEAR (uint8: float path with +0.5; int8: 10-bit fixed point), every registry variant in every module, against test/helpers/reference-q.ts.
import { QS8 } from '../qu8/q8-kit.js';
import { describeQResize } from '../qu8/q8-misc-cases.js';

describeQResize(QS8);
