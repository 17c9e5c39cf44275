/**
 * The EmojiDomains class table: each class gathers Unicode emoji subgroups (as named by emojibase),
 * minus concepts that would be ambiguous between classes, plus a few concepts filed elsewhere by
 * Unicode. Subgroups not listed here (flags, fantasy people, cat faces, body parts, zodiac signs, ...)
 * are left out because they overlap visually or semantically with a listed class. docs/DATA.md shows
 * the table with concept counts.
 */
export interface EmojiClassSpec {
  /** A word for a caption: "a picture of a {name}". */
  name: string;
  /** The class with its article, for captions that want correct English ("an animal"). */
  phrase: string;
  /** What the class holds, in a few words. */
  description: string;
  subgroups: string[];
  /** emojibase labels dropped from those subgroups. */
  exclude?: string[];
  /** emojibase labels taken from other subgroups. */
  include?: string[];
}

export const EMOJI_CLASSES: readonly EmojiClassSpec[] = [
  {
    name: 'face',
    phrase: 'a face',
    description: 'smiley faces showing an emotion',
    subgroups: [
      'face-smiling', 'face-affection', 'face-tongue', 'face-hand', 'face-neutral-skeptical', 'face-sleepy',
      'face-unwell', 'face-hat', 'face-glasses', 'face-concerned', 'face-negative',
    ],
    exclude: ['skull', 'skull and crossbones'],
  },
  {
    name: 'hand',
    phrase: 'a hand',
    description: 'hands and hand gestures',
    subgroups: ['hand-fingers-open', 'hand-fingers-partial', 'hand-single-finger', 'hand-fingers-closed', 'hands', 'hand-prop'],
  },
  {
    name: 'person',
    phrase: 'a person',
    description: 'people: gestures, jobs, activities and sports',
    subgroups: ['person', 'person-gesture', 'person-role', 'person-activity', 'person-resting', 'person-sport'],
  },
  {
    name: 'animal',
    phrase: 'an animal',
    description: 'mammals, birds, reptiles, sea creatures and bugs',
    subgroups: ['animal-mammal', 'animal-bird', 'animal-amphibian', 'animal-reptile', 'animal-marine', 'animal-bug'],
    exclude: ['paw prints', 'pig nose', 'feather', 'wing', 'spider web', 'coral', 'spiral shell', 'microbe'],
  },
  {
    name: 'plant',
    phrase: 'a plant',
    description: 'flowers, trees, leaves and herbs',
    subgroups: ['plant-flower', 'plant-other'],
    exclude: ['rosette', 'empty nest', 'nest with eggs', 'mushroom'],
  },
  {
    name: 'food',
    phrase: 'a food',
    description: 'fruit, vegetables, dishes and sweets',
    subgroups: ['food-fruit', 'food-vegetable', 'food-prepared', 'food-asian', 'food-sweet'],
  },
  {
    name: 'drink',
    phrase: 'a drink',
    description: 'cups, glasses and bottles of drink',
    subgroups: ['drink'],
    exclude: ['ice'],
  },
  {
    name: 'building',
    phrase: 'a building',
    description: 'houses, public buildings and places of worship',
    subgroups: ['place-building', 'place-religious'],
    exclude: ['brick', 'rock', 'wood', 'building construction', 'Tokyo tower', 'Statue of Liberty'],
  },
  {
    name: 'vehicle',
    phrase: 'a vehicle',
    description: 'cars, trains, boats and aircraft',
    subgroups: ['transport-ground', 'transport-water', 'transport-air'],
    exclude: [
      'station', 'bus stop', 'motorway', 'railway track', 'oil drum', 'fuel pump', 'wheel', 'police car light',
      'horizontal traffic light', 'vertical traffic light', 'stop sign', 'construction', 'manual wheelchair',
      'motorized wheelchair', 'kick scooter', 'skateboard', 'roller skate', 'anchor', 'ring buoy', 'parachute', 'seat',
      'satellite', 'flying saucer',
    ],
  },
  {
    name: 'clock',
    phrase: 'a clock',
    description: 'clocks and watches',
    subgroups: ['time'],
    exclude: ['hourglass done', 'hourglass not done'],
  },
  {
    name: 'heart',
    phrase: 'a heart',
    description: 'heart symbols',
    subgroups: ['heart'],
    exclude: ['love letter'],
    include: ['heart suit'],
  },
  {
    name: 'garment',
    phrase: 'a garment',
    description: 'clothes, shoes and hats',
    subgroups: ['clothing'],
    exclude: [
      'glasses', 'sunglasses', 'goggles', 'folding hand fan', 'purse', 'handbag', 'clutch bag', 'shopping bags', 'backpack',
      'hair pick', 'crown', 'prayer beads', 'lipstick', 'ring', 'gem stone',
    ],
    include: ['running shirt', 'martial arts uniform'],
  },
  {
    name: 'device',
    phrase: 'a device',
    description: 'electronic devices: computers, phones, cameras and audio',
    subgroups: ['computer', 'phone'],
    exclude: ['abacus'],
    include: [
      'movie camera', 'film projector', 'television', 'camera', 'camera with flash', 'video camera', 'videocassette',
      'flashlight', 'light bulb', 'studio microphone', 'level slider', 'control knobs', 'microphone', 'headphone', 'radio',
      'loudspeaker', 'megaphone', 'video game', 'joystick',
    ],
  },
  {
    name: 'tool',
    phrase: 'a tool',
    description: 'hand tools, writing tools and instruments',
    subgroups: ['tool', 'writing'],
    exclude: [
      'dagger', 'crossed swords', 'bomb', 'boomerang', 'bow and arrow', 'shield', 'balance scale', 'white cane', 'link',
      'broken chain', 'chains', 'memo',
    ],
    include: [
      'scissors', 'straight ruler', 'triangular ruler', 'paperclip', 'linked paperclips', 'pushpin', 'round pushpin',
      'plunger', 'broom', 'razor', 'toothbrush', 'syringe', 'stethoscope', 'microscope', 'telescope', 'test tube',
      'magnifying glass tilted left', 'magnifying glass tilted right', 'fishing pole', 'sewing needle', 'kitchen knife',
    ],
  },
  {
    name: 'document',
    phrase: 'a document',
    description: 'books, papers, letters, calendars and charts',
    subgroups: ['book-paper'],
    exclude: ['label'],
    include: [
      'memo', 'file folder', 'open file folder', 'card index dividers', 'calendar', 'tear-off calendar', 'spiral notepad',
      'spiral calendar', 'card index', 'chart increasing', 'chart decreasing', 'bar chart', 'clipboard', 'envelope', 'e-mail',
      'incoming envelope', 'envelope with arrow', 'love letter', 'receipt', 'identification card',
    ],
  },
  {
    name: 'button',
    phrase: 'a button',
    description: 'square buttons with an arrow, a media symbol or a digit',
    subgroups: ['av-symbol', 'arrow', 'keycap'],
  },
  {
    name: 'sign',
    phrase: 'a sign',
    description: 'warning, prohibition and public information signs',
    subgroups: ['warning', 'transport-sign'],
  },
  {
    name: 'shape',
    phrase: 'a shape',
    description: 'coloured circles, squares, diamonds and triangles',
    subgroups: ['geometric'],
    exclude: ['radio button', 'white square button', 'black square button'],
    include: ['hollow red circle'],
  },
];
