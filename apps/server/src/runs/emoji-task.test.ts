import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmojiDomains } from '@clipfed/data';
import { runConfigSchema } from '@clipfed/protocol';
import { buildEmojiTask, emojiTaskDomains, TaskConfigError } from './emoji-task';

const FIVE = ['noto', 'twemoji', 'openmoji', 'fluent-flat', 'fluent-high-contrast'];

describe('emojiTaskDomains', () => {
  it('loads the five styles, plus the held-out domain when it is derived from one', () => {
    expect(emojiTaskDomains('openmoji')).toEqual(FIVE);
    expect(emojiTaskDomains('noto-sketch')).toEqual([...FIVE, 'noto-sketch']);
    expect(emojiTaskDomains('fluent-high-contrast-inverted')).toEqual([...FIVE, 'fluent-high-contrast-inverted']);
  });

  it('loads the run\'s client domains and then the held-out one, refusing a client on the held-out domain', () => {
    expect(emojiTaskDomains('openmoji', ['noto-silhouette', 'twemoji-sketch'])).toEqual(['noto-silhouette', 'twemoji-sketch', 'openmoji']);
    expect(() => emojiTaskDomains('openmoji', ['openmoji'])).toThrow(/held-out domain/);
    expect(() => emojiTaskDomains('openmoji', ['noto', 'noto'])).toThrow(/named twice/);
    expect(() => emojiTaskDomains('openmoji', ['noto-blurred'])).toThrow(/^clientDomains: /);
  });

  it('turns an unknown domain into a TaskConfigError that lists the choices', () => {
    expect(() => emojiTaskDomains('sketch')).toThrow(TaskConfigError);
    expect(() => emojiTaskDomains('noto-blurred')).toThrow(/choose from: noto, .*<style>-silhouette/);
  });
});

describe('buildEmojiTask with a derived held-out domain (3 classes, 16 px)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'emoji-task-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('trains one shard per style and holds out every benchmark image of the derived domain', async () => {
    const config = runConfigSchema.parse({ emojiDomains: { heldOutDomain: 'twemoji-silhouette' } });
    const data = await loadEmojiDomains({ styles: emojiTaskDomains(config.emojiDomains.heldOutDomain), classes: ['heart', 'clock', 'drink'], imageSize: 16, cacheDir });
    const task = buildEmojiTask(config, data);
    expect(task.shards.map((s) => s.label)).toEqual(data.domains.slice(0, 5).map((d) => `${d.label} (${d.name})`));
    const heldOut = task.evaluationSets.filter((s) => s.heldOut);
    expect(heldOut.map((s) => s.name)).toEqual(['twemoji-silhouette (held out)']);
    const silhouette = data.domains[5];
    const benchmark = silhouette.concepts.filter((c) => !data.pretrainConcepts.includes(c)).length;
    expect(heldOut[0].data.labels.length).toBe(benchmark);
    expect(heldOut[0].data.images.every((v) => v === 0 || v === 255)).toBe(true);
  });
});
