// Shared by the package entry's decodeImage() wrapper (src/index.ts), which checks before loading the decoder so
// browsers never download it, and by the decoder itself (src/image/decode-node.ts).
export const NODE_ONLY_DECODE = 'decodeImage() runs in Node only (it decodes with sharp); in a browser, pass an HTMLImageElement, ImageBitmap, canvas or ImageData to classify()';
