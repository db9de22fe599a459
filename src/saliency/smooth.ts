/**
 * SmoothGrad (Smilkov et al. 2017) as a wrapper: `smooth(method)` is a method that averages `method`'s raw
 * maps over noisy copies of each image (PAIR `GetSmoothedMask`: Gaussian noise with standard deviation
 * `noiseFraction * (max - min)` of the image, `samples` copies, and with `magnitude` the mean of squares).
 * SmoothGrad is `smooth(gradient)`, Smooth IG is `smooth(integratedGradients)` (Captum's NoiseTunnel).
 *
 * Noise is seeded: the copy s of image i draws from `createRng(seed).fork(key_i).fork(s)`, so results do
 * not depend on batching. The key is the image's content hash with `commonRandomNumbers` (the same image
 * gets the same noise under every model, removing noise from model comparisons), else the model name and
 * the image's position in the batch.
 */
import { itemSize, makeBatch } from '../core/batch.js';
import { stableHash } from '../core/hash.js';
import { createRng } from '../core/rng.js';
import { defineMethod, imageRange, rows } from './method.js';
import { saliencyErrors } from './messages.js';
import { pipelined, yieldToEngine } from './pipeline.js';
import type { SaliencyAttribution, SaliencyAttributionRequest, SaliencyMethodInfo, SaliencyMethod } from './types.js';

// The per-value loops live in small functions of their own: inside the long async attribute step V8 ran
// them 2-3x slower (CPU profile of SmoothGrad at 320 px: 0.38 s of JS per image in them, 0.15 s now).

/** out[at + v] = x[v] + noise[v] (rounded to float32). */
function addInto(out: Float32Array, at: number, x: Float32Array, noise: Float64Array): void {
  for (let v = 0; v < x.length; v++) out[at + v] = x[v]! + noise[v]!;
}

/** sums[at + v] += a or a², a = data[from + v], for v < count. */
function accumulate(sums: Float64Array, at: number, data: Float32Array, from: number, count: number, square: boolean): void {
  if (square) {
    for (let v = 0; v < count; v++) {
      const a = data[from + v]!;
      sums[at + v]! += a * a;
    }
  } else {
    for (let v = 0; v < count; v++) sums[at + v]! += data[from + v]!;
  }
}

/** Options `smooth` adds to a method; defaults are PAIR's (the paper's). */
export interface SmoothOptions {
  /** Noisy copies per image (default 25). */
  readonly samples: number;
  /** Noise standard deviation as a fraction of the image's value range (default 0.15). */
  readonly noiseFraction: number;
  /** Average squared maps (default true, PAIR's and the paper's) instead of the maps. */
  readonly magnitude: boolean;
  /** Seed of the noise (default 0). */
  readonly seed: number;
  /** Key the noise by image content so every model sees the same noise for the same image (default false). */
  readonly commonRandomNumbers: boolean;
}

/** PAIR's smoothing defaults. */
export const defaultSmoothOptions: SmoothOptions = Object.freeze({
  samples: 25,
  noiseFraction: 0.15,
  magnitude: true,
  seed: 0,
  commonRandomNumbers: false,
});

/** How the smoothed method presents itself: id, name, paper, and default overrides. */
export interface SmoothIdentity<O extends object> {
  readonly id: string;
  readonly name: string;
  readonly paper?: string;
  readonly defaults?: Partial<O & SmoothOptions>;
}

/** Wraps a method into its SmoothGrad version (a method with the same signature plus `SmoothOptions`). */
export function smooth<O extends object>(method: SaliencyMethod<O>, identity: SmoothIdentity<O>): SaliencyMethod<O & SmoothOptions> {
  const inner = method.info;
  const info: SaliencyMethodInfo<O & SmoothOptions> = Object.freeze({
    id: identity.id,
    name: identity.name,
    paper: identity.paper ?? 'https://arxiv.org/abs/1706.03825',
    needs: inner.needs,
    defaults: Object.freeze({ ...inner.defaults, ...defaultSmoothOptions, ...identity.defaults } as O & SmoothOptions),
    finalize: inner.finalize,
    stochastic: true,
  });

  const validate = (options: O & SmoothOptions): void => {
    const { samples, noiseFraction, magnitude, seed, commonRandomNumbers } = options;
    if (!Number.isInteger(samples) || samples < 1) throw saliencyErrors.badOption(info.id, 'samples', samples, 'a positive integer');
    if (!(noiseFraction >= 0) || !Number.isFinite(noiseFraction)) throw saliencyErrors.badOption(info.id, 'noiseFraction', noiseFraction, 'a finite number >= 0');
    if (typeof magnitude !== 'boolean') throw saliencyErrors.badOption(info.id, 'magnitude', magnitude, 'true or false');
    if (!Number.isSafeInteger(seed)) throw saliencyErrors.badOption(info.id, 'seed', seed, 'a safe integer');
    if (typeof commonRandomNumbers !== 'boolean') throw saliencyErrors.badOption(info.id, 'commonRandomNumbers', commonRandomNumbers, 'true or false');
    // The wrapped method checks its own options.
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(inner.defaults)) own[key] = (options as Record<string, unknown>)[key];
    method.resolve(own as Partial<O>);
  };

  const attribute = async (request: SaliencyAttributionRequest<O & SmoothOptions>): Promise<SaliencyAttribution> => {
    const { batch, options, batchSize } = request;
    const { samples, noiseFraction, magnitude } = options;
    const n = batch.shape[0];
    const per = itemSize(batch);
    const base = createRng(options.seed);
    const keys = Array.from({ length: n }, (_, i) =>
      options.commonRandomNumbers ? stableHash(rows(batch, i, i + 1).data) : `${request.model.info.name}#${i}`,
    );
    const sigmas = Array.from({ length: n }, (_, i) => {
      const { min, max } = imageRange(batch, i);
      return noiseFraction * (max - min);
    });
    let sums: Float64Array | undefined;
    let mapShape: readonly [number, number, number] | undefined;
    const items = n * samples;
    // Noisy copies of all images are packed together; the wrapped method batches its own passes.
    interface Chunk {
      readonly start: number;
      readonly count: number;
      readonly noisy: Float32Array;
      readonly clean: Float32Array;
      readonly targets: Int32Array;
    }
    const noise = new Float64Array(per);
    await pipelined<Chunk, SaliencyAttribution>(Math.ceil(items / batchSize), {
      prepare: async (k) => {
        const start = k * batchSize;
        const count = Math.min(items, start + batchSize) - start;
        const chunk: Chunk = { start, count, noisy: new Float32Array(count * per), clean: new Float32Array(count * per), targets: new Int32Array(count) };
        for (let j = 0; j < count; j++) {
          const image = Math.floor((start + j) / samples);
          const sample = (start + j) % samples;
          const x = batch.data.subarray(image * per, (image + 1) * per);
          if (sigmas[image]! > 0) base.fork(keys[image]!).fork(sample).fillNormal(noise, 0, sigmas[image]!);
          else noise.fill(0);
          addInto(chunk.noisy, j * per, x, noise);
          chunk.clean.set(x, j * per);
          chunk.targets[j] = request.targets[image]!;
          await yieldToEngine();
        }
        return chunk;
      },
      run: (chunk) => {
        const shape = [chunk.count, batch.shape[1], batch.shape[2], batch.shape[3]] as const;
        return method.attribute({
          ...request,
          batch: makeBatch(chunk.noisy, shape),
          reference: makeBatch(chunk.clean, shape),
          targets: chunk.targets,
          options,
          progress: (units) => request.progress(units / samples),
        });
      },
      consume: (result, chunk) => {
        const [, c, h, w] = result.maps.shape;
        const mapSize = c * h * w;
        if (!sums) {
          sums = new Float64Array(n * mapSize);
          mapShape = [c, h, w];
        }
        const data = result.maps.data;
        for (let j = 0; j < chunk.count; j++) {
          const image = Math.floor((chunk.start + j) / samples);
          accumulate(sums, image * mapSize, data, j * mapSize, mapSize, magnitude);
        }
      },
    });
    const [c, h, w] = mapShape!;
    const out = new Float32Array(sums!.length);
    for (let k = 0; k < out.length; k++) out[k] = sums![k]! / samples;
    return { maps: makeBatch(out, [n, c, h, w]) };
  };

  return defineMethod(info, attribute, validate);
}

