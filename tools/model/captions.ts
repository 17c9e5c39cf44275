/**
 * Caption templates for pretraining the built-in model. The zero-shot prompt of FedCLIP
 * ("a picture of a {class}") and of CLIP2FL ("a photo of a {class}") are among them, so both
 * prompts land where the images of their class are.
 *
 * Every caption carries a `target`: the label key it describes. An image matches a caption when
 * the image has that key, so a class caption matches every image of the class and a concept
 * caption every drawing of the concept, whatever the style.
 */

export interface Caption {
  text: string;
  target: string;
}

export const classKey = (dataset: string, className: string): string => `${dataset}:class:${className}`;
export const conceptKey = (dataset: string, concept: string): string => `${dataset}:concept:${concept}`;

/** The prompt the product uses for zero-shot classification and the FedCLIP adapter. */
export const ZERO_SHOT_PROMPT = (className: string): string => `a picture of a ${className}`;

const GENERIC_CLASS_TEMPLATES: ((c: string) => string)[] = [
  ZERO_SHOT_PROMPT,
  (c) => `a photo of a ${c}`,
  (c) => `a ${c}`,
  (c) => `an image of a ${c}`,
  (c) => `a picture of the ${c}`,
];

const FASHION_TEMPLATES: ((c: string) => string)[] = [
  ...GENERIC_CLASS_TEMPLATES,
  (c) => `a black and white photo of a ${c}`,
  (c) => `a low resolution photo of a ${c}`,
  (c) => `a grey picture of a ${c}`,
  (c) => `a product photo of a ${c}`,
];

const EMOJI_CLASS_TEMPLATES: ((c: string, phrase: string) => string)[] = [
  (c) => ZERO_SHOT_PROMPT(c),
  (c) => `a photo of a ${c}`,
  (c) => `a ${c}`,
  (_c, p) => `an emoji of ${p}`,
  (_c, p) => `an icon of ${p}`,
  (_c, p) => `a drawing of ${p}`,
];

const EMOJI_CONCEPT_TEMPLATES: ((concept: string, c: string) => string)[] = [
  (k) => `a picture of a ${k}`,
  (k) => `an emoji of a ${k}`,
  (k) => k,
  (k, c) => `a ${k}, a kind of ${c}`,
  (k, c) => `a picture of a ${c}: ${k}`,
];

export function fashionCaptions(className: string): Caption[] {
  const target = classKey('fashion', className);
  return FASHION_TEMPLATES.map((t) => ({ text: t(className), target }));
}

export function emojiClassCaptions(className: string, phrase: string): Caption[] {
  const target = classKey('emoji', className);
  return EMOJI_CLASS_TEMPLATES.map((t) => ({ text: t(className, phrase), target }));
}

export function emojiConceptCaptions(concept: string, className: string): Caption[] {
  const target = conceptKey('emoji', concept);
  return EMOJI_CONCEPT_TEMPLATES.map((t) => ({ text: t(concept, className), target }));
}
