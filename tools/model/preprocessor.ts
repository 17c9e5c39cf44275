/**
 * The image preprocessing of the built-in model, in Hugging Face CLIPImageProcessor format.
 * MobileNetV2 (TF-Hub) expects pixels in [-1, 1]: rescaling by 1/255 and normalising with mean
 * 0.5 and std 0.5 gives exactly 2x/255 - 1, the scaling the original graph did itself.
 */
export function preprocessorConfigJson(imageSize: number): Record<string, unknown> {
  return {
    image_processor_type: 'CLIPImageProcessor',
    feature_extractor_type: 'CLIPFeatureExtractor',
    do_convert_rgb: true,
    do_resize: true,
    size: { shortest_edge: imageSize },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: imageSize, width: imageSize },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
  };
}
