/** The emoji art sets used as domains, each an iconify JSON package on npm. */
export interface EmojiStyle {
  /** Domain id used in runs and on the wire. */
  name: string;
  /** Human name of the art set. */
  label: string;
  /** npm package with `icons.json` and `chars.json`. */
  packageName: string;
  /** SPDX licence of the artwork. */
  license: string;
  attribution: string;
}

export const EMOJI_STYLES: readonly EmojiStyle[] = [
  {
    name: 'noto',
    label: 'Noto Emoji',
    packageName: '@iconify-json/noto',
    license: 'Apache-2.0',
    attribution: 'Noto Emoji by Google Inc., Apache License 2.0, https://github.com/googlefonts/noto-emoji',
  },
  {
    name: 'twemoji',
    label: 'Twemoji',
    packageName: '@iconify-json/twemoji',
    license: 'CC-BY-4.0',
    attribution: 'Twemoji by Twitter, Inc. and other contributors, CC BY 4.0, https://github.com/jdecked/twemoji',
  },
  {
    name: 'openmoji',
    label: 'OpenMoji',
    packageName: '@iconify-json/openmoji',
    license: 'CC-BY-SA-4.0',
    attribution: 'OpenMoji, the open-source emoji and icon project, CC BY-SA 4.0, https://openmoji.org',
  },
  {
    name: 'fluent-flat',
    label: 'Fluent Emoji (flat)',
    packageName: '@iconify-json/fluent-emoji-flat',
    license: 'MIT',
    attribution: 'Fluent Emoji by Microsoft Corporation, MIT License, https://github.com/microsoft/fluentui-emoji',
  },
  {
    name: 'fluent-high-contrast',
    label: 'Fluent Emoji (high contrast)',
    packageName: '@iconify-json/fluent-emoji-high-contrast',
    license: 'MIT',
    attribution: 'Fluent Emoji by Microsoft Corporation, MIT License, https://github.com/microsoft/fluentui-emoji',
  },
];

export class UnknownStyleError extends Error {
  override name = 'UnknownStyleError';
}

export function styleByName(name: string): EmojiStyle {
  const s = EMOJI_STYLES.find((x) => x.name === name);
  if (!s) throw new UnknownStyleError(`unknown emoji style "${name}"; choose from: ${EMOJI_STYLES.map((x) => x.name).join(', ')}`);
  return s;
}
