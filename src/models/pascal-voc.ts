// The 21 PASCAL VOC 2012 segmentation classes in label order (index = class id), as DeepLab names them
// (tensorflow/models research/deeplab: LABEL_NAMES; the same list as the TFLite oracle's DeepLab classes).
export const PASCAL_VOC_LABELS: readonly string[] = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tv',
];

/** The PASCAL VOC colour map (DeepLab's create_pascal_label_colormap): class c → [r, g, b] from the bits of c. */
export function pascalVocColor(c: number): [number, number, number] {
  let r = 0, g = 0, b = 0;
  for (let shift = 7, v = c; shift >= 0 && v > 0; shift--, v >>= 3) {
    r |= (v & 1) << shift;
    g |= ((v >> 1) & 1) << shift;
    b |= ((v >> 2) & 1) << shift;
  }
  return [r, g, b];
}
