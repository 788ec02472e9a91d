// web/src/text.ts: digit grouping without Intl (the page's start-up avoids Intl's first-call cost).
import { describe, expect, it } from 'vitest';
import { grouped } from '../../web/src/text.js';

describe('grouped', () => {
  it.each([[0, '0'], [7, '7'], [999, '999'], [1000, '1,000'], [120558, '120,558'], [300775552, '300,775,552'], [1234567.6, '1,234,568']])(
    '%d → %s', (n, want) => {
      expect(grouped(n)).toBe(want);
      if (Number.isInteger(n)) expect(grouped(n)).toBe(n.toLocaleString('en'));
    },
  );
});
