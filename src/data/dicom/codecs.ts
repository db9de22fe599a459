/**
 * Glue to the compressed-pixel codecs: libjpeg-turbo (8-bit JPEG), CharLS (JPEG-LS) and OpenJPEG
 * (JPEG 2000) as Emscripten WASM modules, and jpeg-lossless-decoder-js (JPEG process 14). Each WASM
 * module is instantiated once per thread on first use; after a codec failure the module is dropped and
 * re-created on next use, since an aborted Emscripten module cannot be trusted again. WASM heaps only
 * grow, so long runs decode in a worker pool that is recycled (see decode-pool.ts).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of jpeg-lossless-decoder-js used here (the package ships no type declarations). */
interface LosslessDecoderApi {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array | null;
}
const { Decoder: LosslessDecoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoderApi };

/** Pixels out of a codec: interleaved samples. */
export interface CodecImage {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly bitsPerSample: number;
  readonly signed: boolean;
  readonly data: Uint8Array | Uint16Array | Int16Array;
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getInterleaveMode?(): number;
  delete(): void;
}

type WasmModule = Record<string, new () => WasmDecoder>;

/** Emscripten module settings: the codecs' own logging (OpenJPEG prints [INFO] lines) is dropped. */
interface ModuleArgs {
  print(text: string): void;
  printErr(text: string): void;
}

const factories = {
  jpeg: { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  jpegls: { module: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  j2k: { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
} as const;

type WasmCodec = keyof typeof factories;

const modules = new Map<WasmCodec, Promise<WasmModule>>();

function loadModule(codec: WasmCodec): Promise<WasmModule> {
  let m = modules.get(codec);
  if (!m) {
    const factory = require(factories[codec].module) as (args: ModuleArgs) => Promise<WasmModule>;
    m = factory({ print: () => {}, printErr: () => {} });
    modules.set(codec, m);
    m.catch(() => modules.delete(codec));
  }
  return m;
}

/** Loads the WASM codecs now (e.g. at worker start) instead of on first use. */
export async function warmUpCodecs(): Promise<void> {
  await Promise.all((Object.keys(factories) as WasmCodec[]).map(loadModule));
}

/** Renders whatever a codec threw (Emscripten may throw numbers or strings) as a message. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'number') return `native exception ${error}`;
  return String(error);
}

async function runWasm(codec: WasmCodec, encoded: Uint8Array): Promise<CodecImage> {
  const mod = await loadModule(codec);
  const Ctor = mod[factories[codec].decoder]!;
  let decoder: WasmDecoder | undefined;
  try {
    decoder = new Ctor();
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const decoded = decoder.getDecodedBuffer();
    const components = info.componentCount;
    const bits = info.bitsPerSample;
    const count = info.width * info.height * components;
    const bytesPer = bits > 8 ? 2 : 1;
    if (decoded.length < count * bytesPer) throw new Error(`decoder returned ${decoded.length} bytes, expected ${count * bytesPer}`);
    let data: Uint8Array | Uint16Array | Int16Array;
    if (bytesPer === 1) data = decoded.slice(0, count);
    else {
      const copy = decoded.slice(0, count * 2);
      data = info.isSigned ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
    }
    // CharLS returns planar colour data unless the stream was sample- or line-interleaved (mode 0 = none).
    if (codec === 'jpegls' && components > 1 && decoder.getInterleaveMode?.() === 0) data = interleave(data, info.width * info.height, components);
    return { width: info.width, height: info.height, components, bitsPerSample: bits, signed: info.isSigned ?? false, data };
  } catch (error) {
    // A trap or abort leaves the module in an unknown state: drop it. C++ exceptions leave it usable.
    if ((error instanceof Error && error.name === 'RuntimeError') || /abort/i.test(describeThrown(error))) modules.delete(codec);
    throw error;
  } finally {
    try {
      decoder?.delete();
    } catch {
      modules.delete(codec);
    }
  }
}

function interleave<T extends Uint8Array | Uint16Array | Int16Array>(planar: T, pixels: number, components: number): T {
  const out = planar.slice() as T;
  for (let c = 0; c < components; c++) {
    for (let i = 0; i < pixels; i++) out[i * components + c] = planar[c * pixels + i]!;
  }
  return out;
}

/** Decodes an 8-bit JPEG (baseline or extended) with libjpeg-turbo. */
export function decodeJpeg8(encoded: Uint8Array): Promise<CodecImage> {
  return runWasm('jpeg', encoded);
}

/** Decodes a JPEG-LS codestream with CharLS. */
export function decodeJpegLs(encoded: Uint8Array): Promise<CodecImage> {
  return runWasm('jpegls', encoded);
}

/** Decodes a JPEG 2000 codestream with OpenJPEG. */
export function decodeJ2k(encoded: Uint8Array): Promise<CodecImage> {
  return runWasm('j2k', encoded);
}

/** Decodes a lossless JPEG (process 14) with jpeg-lossless-decoder-js. */
export function decodeJpegLossless(encoded: Uint8Array, width: number, height: number, components: number, precision: number): CodecImage {
  // The decoder reads from an ArrayBuffer; give it its own copy so offsets are simple.
  const copy = encoded.slice();
  const decoder = new LosslessDecoder();
  const bytesPer = precision > 8 ? 2 : 1;
  const out = decoder.decode(copy.buffer, 0, copy.byteLength, bytesPer);
  if (!out || out.length < width * height * components) throw new Error('decoder returned too few samples');
  const data = out.length === width * height * components ? out : out.slice(0, width * height * components);
  return { width, height, components, bitsPerSample: precision, signed: false, data };
}
