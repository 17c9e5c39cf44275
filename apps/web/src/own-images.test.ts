import { describe, expect, it } from 'vitest';
import { capImages, classFolderOf, labelFiles, OwnImagesError } from './own-images';

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

  it('keeps to the run\'s limit per volunteer with images spread evenly, so each class keeps its share', () => {
    const files = [...Array.from({ length: 60 }, (_, i) => f(`p/animal/${i}.png`)), ...Array.from({ length: 30 }, (_, i) => f(`p/food/${i}.png`))];
    const labelled = labelFiles(files, ['animal', 'food']);
    const kept = capImages(labelled, 9);
    expect(kept).toHaveLength(9);
    expect(kept.filter((k) => k.label === 0)).toHaveLength(6);
    expect(new Set(kept.map((k) => k.file.webkitRelativePath)).size).toBe(9);
    expect(capImages([...labelled].reverse(), 9)).toEqual(kept);
    expect(capImages(labelled, undefined)).toHaveLength(90);
    expect(capImages(labelled, 500)).toHaveLength(90);
  });
});
