/**
 * Downloads the public ONNX export of openai/clip-vit-base-patch32 into a model folder.
 *
 *   npx tsx tools/download-clip.ts [--quantized | --fp16] [--out models/clip-vit-base-patch32] [--base-url URL]
 *
 * Writes config.json, preprocessor_config.json, tokenizer.json, onnx/vision_model*.onnx,
 * onnx/text_model*.onnx and manifest.json (byte sizes and sha256). fp32 is about 350 MB,
 * --quantized about 90 MB. Needs internet access; exits with code 2 and says so without it.
 */
import { MultiBar, Presets } from 'cli-progress';
import { ModelLoadError, type ModelVariant } from '@clipfed/clip';
import { CLIP_B32_BASE_URL, downloadClipModel } from '@clipfed/clip/node';

const USAGE = 'usage: npx tsx tools/download-clip.ts [--quantized | --fp16] [--out DIR] [--base-url URL]';

function parseArgs(argv: string[]): { variant: ModelVariant; outDir: string; baseUrl: string } {
  let variant: ModelVariant = 'fp32';
  let outDir = 'models/clip-vit-base-patch32';
  let baseUrl = CLIP_B32_BASE_URL;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quantized') variant = 'quantized';
    else if (a === '--fp16') variant = 'fp16';
    else if (a === '--out' && argv[i + 1]) outDir = argv[++i];
    else if (a === '--base-url' && argv[i + 1]) baseUrl = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}\n${USAGE}`);
      process.exit(64);
    }
  }
  return { variant, outDir, baseUrl };
}

const { variant, outDir, baseUrl } = parseArgs(process.argv.slice(2));
console.log(`Downloading CLIP ViT-B/32 (${variant}) from ${baseUrl} into ${outDir}`);
const bars = new MultiBar({ format: ' {bar} {percentage}% | {file} | {value}/{total} bytes', hideCursor: true }, Presets.shades_classic);
const perFile = new Map<string, ReturnType<MultiBar['create']>>();
try {
  const files = await downloadClipModel({
    outDir,
    variant,
    baseUrl,
    onProgress: ({ file, loaded, total }) => {
      let bar = perFile.get(file);
      if (!bar) perFile.set(file, (bar = bars.create(total, 0, { file })));
      bar.setTotal(total);
      bar.update(loaded, { file });
    },
  });
  bars.stop();
  const total = Object.values(files).reduce((s, f) => s + f.bytes, 0);
  console.log(`Done: ${Object.keys(files).length} files, ${(total / 1024 ** 2).toFixed(1)} MiB, manifest.json written.`);
  console.log(`Use it with: npm run serve -- --model ${outDir}`);
} catch (e) {
  bars.stop();
  if (e instanceof ModelLoadError) {
    console.error(`download failed: ${e.message}`);
    process.exit(e.code === 'no-network' ? 2 : 1);
  }
  throw e;
}
