import { describe, expect, it } from 'vitest';
import { classFolderOf, labelFiles, OwnImagesError } from './own-images';

const f = (path: string) => ({ name: path.split('/').pop()!, webkitRelativePath: path });

describe('own images', () => {
  it('labels each image by its folder, matching class names loosely', () => {
    const out = labelFiles([f('pics/Animal/a.png'), f('pics/food/b.JPG'), f('pics/food/notes.txt')], ['animal', 'food']);
    expect(out.map((o) => [o.file.name, o.label])).toEqual([
      ['a.png', 0],
      ['b.JPG', 1],
    ]);
    expect(classFolderOf({ name: 'x.png' })).toBeNull();
  });

  it('refuses folders that are not classes of the run, naming them and the allowed classes', () => {
    expect(() => labelFiles([f('p/cats/a.png'), f('p/food/b.png')], ['animal', 'food'])).toThrow(OwnImagesError);
    expect(() => labelFiles([f('p/cats/a.png'), f('p/food/b.png')], ['animal', 'food'])).toThrow(/cats.*animal, food/);
  });

  it('needs at least two images', () => {
    expect(() => labelFiles([f('p/food/b.png')], ['food'])).toThrow(/at least two/);
  });
});
