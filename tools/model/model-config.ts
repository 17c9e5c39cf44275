import type { BuildConfig } from './build-config';
import { ZERO_SHOT_PROMPT } from './captions';
import { CONTEXT_LENGTH, EMBED_DIM } from './export-onnx';
import type { ImageHead } from './image-tower';
import type { PretrainData } from './pretrain-data';
import type { TextTower } from './text-tower';
import type { TextVocab } from './text-vocab';

export interface ModelConfigInput {
  cfg: BuildConfig;
  backbone: string;
  backboneChannels: number;
  image: ImageHead;
  text: TextTower;
  vocab: TextVocab;
  logitScale: number;
  data: PretrainData;
}

/**
 * config.json in the shape of Hugging Face's CLIPConfig (the fields a CLIP loader reads), plus a
 * `clipfed` section that says what this model really is and what it was trained on.
 */
export function modelConfigJson(x: ModelConfigInput): Record<string, unknown> {
  const { cfg, data } = x;
  const emojiImages = data.inputs[0].source.count;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: EMBED_DIM,
    logit_scale_init_value: round(Math.log(x.logitScale)),
    text_config: {
      model_type: 'clip_text_model',
      vocab_size: x.vocab.remap.length,
      max_position_embeddings: CONTEXT_LENGTH,
      hidden_size: cfg.textWidth,
      num_hidden_layers: cfg.text === 'transformer' ? cfg.textLayers : 0,
      num_attention_heads: cfg.text === 'transformer' ? cfg.textHeads : 0,
      projection_dim: EMBED_DIM,
      bos_token_id: 49406,
      eos_token_id: 49407,
      pad_token_id: 0,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      image_size: cfg.imageSize,
      num_channels: 3,
      hidden_size: x.backboneChannels,
      projection_dim: EMBED_DIM,
    },
    clipfed: {
      builtin: true,
      format_version: 1,
      summary:
        'Small CLIP-format model built offline by tools/build-model.ts: a frozen MobileNetV2-1.4 image backbone ' +
        '(from nsfwjs, fine-tuned there as an NSFW classifier) with a trained projection head, and a small text ' +
        'encoder over CLIP BPE tokens, trained contrastively on EmojiDomains pretraining concepts in ' +
        `${data.pretrainStyles.length} of the ${data.emoji.domains.length} styles (${data.pretrainStyles.join(', ')}; ${data.unseenStyles.join(' and ')} are unseen) ` +
        'and a Fashion-MNIST training subset. Not OpenAI CLIP; see docs/MODEL.md.',
      // Which domains pretraining used (other concepts or images than the benchmark's), machine-readable:
      // tools/model/evaluate.ts marks its rows seen/unseen from this. Derived EmojiDomains domains
      // (sketch, silhouette, inverted) are never seen.
      seen_domains: [...data.pretrainStyles.map((s) => `emoji:${s}`), 'fashion-mnist'],
      unseen_domains: data.unseenStyles.map((s) => `emoji:${s}`),
      zero_shot_prompt: ZERO_SHOT_PROMPT('{class}'),
      embedding_norm: cfg.embeddingNorm,
      trained_logit_scale: round(x.logitScale),
      vision: {
        backbone: `nsfwjs ${x.backbone} (MobileNetV2, depth multiplier 1.4, uint8 weights dequantised in-graph)`,
        backbone_output: `global average pool of the last 1x1 convolution, ${x.backboneChannels} features`,
        backbone_frozen: true,
        head: x.image.describe(),
      },
      text: x.text.describe(),
      training: {
        objective: 'symmetric CLIP contrastive loss; captions that describe an image are all positives for it',
        steps: cfg.steps,
        batch_size: cfg.batchSize,
        optimizer: `AdamW lr ${cfg.learningRate} (warm-up ${cfg.warmupSteps} steps, cosine decay), weight decay ${cfg.weightDecay}, betas (0.9, 0.98)`,
        seed: cfg.seed,
        data: {
          emoji_domains: `${data.emoji.pretrainConcepts.length} pretraining concepts x ${data.pretrainStyles.length} styles (${data.pretrainStyles.join(', ')}) = ${emojiImages} images`,
          fashion_mnist: `${data.fashionIndices.length} training images (${cfg.fashionPerClass} per class, seeded)`,
          held_out:
            `every EmojiDomains benchmark concept (${data.emoji.benchmarkConcepts.length}: train, val and test splits, all styles), ` +
            `every image of the unseen styles (${data.unseenStyles.join(', ')}) and the whole Fashion-MNIST test set`,
        },
      },
    },
  };
}

const round = (v: number) => Math.round(v * 10000) / 10000;
