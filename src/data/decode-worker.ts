/**
 * The worker side of the decode pool: one task reads or decodes one image and returns it as plain data
 * (errors as serialised DataErrors, since class identity does not cross threads).
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { DataError } from '../core/errors.js';
import type { XrayImage } from '../core/types.js';
import { decodeImage, readImage, type ReadImageOptions } from './read-image.js';

/** One decode task: a path to read, or bytes with the name to report. */
export interface DecodeTask {
  readonly path?: string;
  readonly bytes?: Uint8Array;
  readonly source?: string;
  readonly options: ReadImageOptions;
}

/** A DataError as plain data. */
export interface SerializedDataError {
  readonly code: string;
  readonly message: string;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;
}

/** What a task sends back. */
export type DecodeTaskResult = { readonly ok: true; readonly image: XrayImage } | { readonly ok: false; readonly error: SerializedDataError };

/** Runs one decode task (Piscina calls the default export). */
export default async function runDecodeTask(task: DecodeTask): Promise<DecodeTaskResult> {
  const source = task.source ?? task.path ?? '<bytes>';
  try {
    const image = task.bytes ? await decodeImage(task.bytes, source, task.options) : await readImage(task.path ?? '', task.options);
    const result: DecodeTaskResult = { ok: true, image };
    // Hand the pixel buffer over instead of copying it (readers allocate it for this image alone).
    return move({ [transferableSymbol]: [image.pixels.buffer], [valueSymbol]: result }) as unknown as DecodeTaskResult;
  } catch (error) {
    if (error instanceof DataError) {
      // The message already carries the file/field prefix and the hint; send the bare parts to rebuild it.
      const hintSuffix = error.hint ? `\n  hint: ${error.hint}` : '';
      let message = error.message.endsWith(hintSuffix) ? error.message.slice(0, error.message.length - hintSuffix.length) : error.message;
      const prefix = [error.file, error.field].filter((p) => p).join(' › ');
      if (prefix && message.startsWith(`${prefix}: `)) message = message.slice(prefix.length + 2);
      return { ok: false, error: { code: error.code, message, file: error.file, field: error.field, hint: error.hint } };
    }
    throw error;
  }
}
