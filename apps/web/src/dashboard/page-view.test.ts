import { describe, expect, it } from 'vitest';
import { pageViewOf, viewSearch } from './page-view';

describe('page view', () => {
  it('is the projector view only when asked for with a run', () => {
    expect(pageViewOf('?run=r1&view=projector')).toBe('projector');
    expect(pageViewOf('?view=projector')).toBe('full');
    expect(pageViewOf('?run=r1')).toBe('full');
    expect(pageViewOf('?run=r1&view=other')).toBe('full');
  });

  it('keeps the view in the address of a run', () => {
    expect(viewSearch('a b', 'projector')).toBe('?run=a%20b&view=projector');
    expect(viewSearch('r1', 'full')).toBe('?run=r1');
    expect(pageViewOf(viewSearch('r1', 'projector'))).toBe('projector');
  });
});
