// A nesting bound for the JSON of model files (native headers, TF.js model.json): real files nest about ten
// deep, and a hostile one nested thousands deep would overflow the stack of whatever walks it.

/** Deepest nesting a model file's JSON may have. */
export const MAX_JSON_DEPTH = 64;

/** Character index where `text`'s arrays/objects nest deeper than `max`, or -1 (strings skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
