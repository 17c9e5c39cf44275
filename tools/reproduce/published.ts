/**
 * Published numbers for context (algorithms.md §1.9, §2.12). They come from other models (CLIP
 * ViT-B/32, ResNet-8) on other datasets (PACS, CIFAR-10-LT); they are not targets for our runs.
 */
export const FEDCLIP_PACS = {
  source: 'FedCLIP README / paper (arXiv 2302.13485), PACS, CLIP ViT-B/32, 200 rounds; row = held-out domain',
  columns: ['AlexNet FedAvg', 'AlexNet FedProx', 'CLIP FedAvg', 'CLIP FedProx', 'FedCLIP'],
  rows: [
    { task: 'A (art painting)', values: [60.93, 59.89, 64.65, 77.81, 95.15] },
    { task: 'C (cartoon)', values: [57.99, 58.88, 84.5, 87.95, 95.36] },
    { task: 'P (photo)', values: [59.68, 59.41, 87.87, 89.42, 95.46] },
    { task: 'S (sketch)', values: [56.14, 55.89, 89.16, 90.08, 94.99] },
    { task: 'AVG', values: [58.69, 58.52, 81.55, 86.32, 95.24] },
  ],
};

export const CLIP2FL_CONTEXT = [
  {
    what: 'FedAvg, CIFAR-10-LT, IF 50, α 0.5 (ResNet-8)',
    value: '59.36',
    source: 'CReFF paper, as quoted in CReFF-FL issue #6 (the user re-running it got 29 %)',
  },
  {
    what: 'CLIP2FL official code re-run ("Base"), CIFAR-10-LT, IF 10 / 50 / 100',
    value: '73.89 / 76.38 / 83.61',
    source: 'third-party reproduction (fork 6-month-01/CLIP2FL_BKD); rising with imbalance, so possibly best-round or mislabelled',
  },
];
