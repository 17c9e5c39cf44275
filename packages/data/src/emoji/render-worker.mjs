// Child process that rasterises SVGs with resvg. It runs apart from the caller because some SVGs make
// resvg panic, which aborts the whole process; the parent notes the icon and starts a new child.
// Messages in:  { id, svg, size }   Messages out: { id, rgb } (RGB bytes, white background) | { id, error }
import { Resvg } from '@resvg/resvg-js';

process.on('message', (job) => {
  try {
    const rendered = new Resvg(job.svg, {
      background: 'rgba(255, 255, 255, 1)',
      fitTo: { mode: 'width', value: job.size },
      font: { loadSystemFonts: false },
    }).render();
    if (rendered.width !== job.size || rendered.height !== job.size) {
      throw new Error(`rendered ${rendered.width}x${rendered.height}, expected ${job.size}x${job.size}`);
    }
    const rgba = rendered.pixels;
    const rgb = new Uint8Array(job.size * job.size * 3);
    for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
      // The background is opaque white, so alpha is 255 and no compositing is left to do.
      rgb[o] = rgba[i];
      rgb[o + 1] = rgba[i + 1];
      rgb[o + 2] = rgba[i + 2];
    }
    process.send({ id: job.id, rgb });
  } catch (e) {
    process.send({ id: job.id, error: String(e && e.message ? e.message : e) });
  }
});
process.on('disconnect', () => process.exit(0));
