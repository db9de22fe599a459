/** A minimal valid config file body: a phantom dataset, two replicates, another architecture and a U-Net, all trained here. */
export const minimalFile = {
  dataset: { format: 'phantom' },
  models: {
    replicates: { name: 'small-cnn', architecture: 'small-cnn', models: [{ train: { seed: 1 } }, { train: { seed: 2 } }] },
    others: [{ name: 'densenet121', architecture: 'densenet121', models: [{ onnx: 'densenet.onnx', card: 'densenet.card.json' }] }],
    localization: [{ name: 'unet', task: 'segmentation', architecture: 'unet', models: [{ train: { seed: 3 } }, { train: { seed: 4 } }] }],
  },
} as const;

/** `minimalFile` with `extra` merged on top (shallow per top-level key). */
export function fileWith(extra: Record<string, unknown>): { source: string; data: unknown } {
  return { source: 'config.json', data: { ...minimalFile, ...extra } };
}
