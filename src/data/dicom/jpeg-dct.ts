/**
 * A sequential (baseline and extended) Huffman DCT JPEG decoder for 8- and 12-bit samples. Written here
 * because no maintained npm decoder handles 12-bit JPEG (DICOM's JPEG Extended, process 4): libjpeg-turbo's
 * WASM build and jpeg-js stop at 8 bits. Components are returned as stored (no colour conversion),
 * upsampled to full size (replication). The inverse DCT is the "islow" integer algorithm of the IJG
 * libjpeg (Loeffler-Ligtenberg-Moschytz, 13-bit constants) that libjpeg-turbo and GDCM use by default, so
 * samples agree with them exactly. Throws plain Errors; the DICOM reader wraps them in DataErrors.
 */

/** A decoded JPEG: interleaved samples, `components` per pixel. */
export interface DctImage {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly precision: number;
  readonly data: Uint16Array;
}

const zigzag = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43,
  36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

// The islow IDCT's fixed-point constants: round(x * 2^13).
const constBits = 13;
const F0_298631336 = 2446;
const F0_390180644 = 3196;
const F0_541196100 = 4433;
const F0_765366865 = 6270;
const F0_899976223 = 7373;
const F1_175875602 = 9633;
const F1_501321110 = 12299;
const F1_847759065 = 15137;
const F1_961570560 = 16069;
const F2_053119869 = 16819;
const F2_562915447 = 20995;
const F3_072711026 = 25172;
const workspace = new Float64Array(64);

/** Arithmetic right shift with rounding, exact for any safe integer (12-bit products exceed 32 bits). */
const descale = (x: number, n: number): number => Math.floor((x + 2 ** (n - 1)) / 2 ** n);

const stage = new Float64Array(8);

/**
 * One 8x8 inverse DCT in libjpeg's islow arithmetic: columns into `workspace` scaled by 2^pass1Bits,
 * then rows; writes samples before the level shift (centre added by the caller) into `out`.
 */
function idctIslow(coef: Float64Array, out: Int32Array, base: number, stride: number, pass1Bits: number): void {
  const ws = workspace;
  const n1 = constBits - pass1Bits;
  for (let c = 0; c < 8; c++) {
    if (coef[8 + c] === 0 && coef[16 + c] === 0 && coef[24 + c] === 0 && coef[32 + c] === 0 && coef[40 + c] === 0 && coef[48 + c] === 0 && coef[56 + c] === 0) {
      // All AC terms zero: the column is flat (the same value the full butterfly gives).
      const dc = coef[c]! * 2 ** pass1Bits;
      for (let r = 0; r < 64; r += 8) ws[r + c] = dc;
      continue;
    }
    butterfly(coef[c]!, coef[8 + c]!, coef[16 + c]!, coef[24 + c]!, coef[32 + c]!, coef[40 + c]!, coef[48 + c]!, coef[56 + c]!);
    for (let r = 0; r < 8; r++) ws[r * 8 + c] = descale(stage[r]!, n1);
  }
  const n2 = constBits + pass1Bits + 3;
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = base + r * stride;
    butterfly(ws[w]!, ws[w + 1]!, ws[w + 2]!, ws[w + 3]!, ws[w + 4]!, ws[w + 5]!, ws[w + 6]!, ws[w + 7]!);
    for (let x = 0; x < 8; x++) out[o + x] = descale(stage[x]!, n2);
  }
}

/** The 1-D islow butterfly on inputs 0..7; writes outputs 0..7, scaled by 2^13, into `stage`. */
function butterfly(i0: number, i1: number, i2: number, i3: number, i4: number, i5: number, i6: number, i7: number): void {
  // Even part.
  let z1 = (i2 + i6) * F0_541196100;
  const t2 = z1 - i6 * F1_847759065;
  const t3 = z1 + i2 * F0_765366865;
  let t0 = (i0 + i4) * 8192;
  let t1 = (i0 - i4) * 8192;
  const t10 = t0 + t3;
  const t13 = t0 - t3;
  const t11 = t1 + t2;
  const t12 = t1 - t2;
  // Odd part.
  t0 = i7;
  t1 = i5;
  let u2 = i3;
  let u3 = i1;
  z1 = t0 + u3;
  let z2 = t1 + u2;
  let z3 = t0 + u2;
  let z4 = t1 + u3;
  const z5 = (z3 + z4) * F1_175875602;
  t0 *= F0_298631336;
  t1 *= F2_053119869;
  u2 *= F3_072711026;
  u3 *= F1_501321110;
  z1 *= -F0_899976223;
  z2 *= -F2_562915447;
  z3 = z3 * -F1_961570560 + z5;
  z4 = z4 * -F0_390180644 + z5;
  t0 += z1 + z3;
  t1 += z2 + z4;
  u2 += z2 + z3;
  u3 += z1 + z4;
  stage[0] = t10 + u3;
  stage[1] = t11 + u2;
  stage[2] = t12 + t1;
  stage[3] = t13 + t0;
  stage[4] = t13 - t0;
  stage[5] = t12 - t1;
  stage[6] = t11 - u2;
  stage[7] = t10 - u3;
}

const lookBits = 9;

interface Huffman {
  /** For the next 9 bits: (code length << 8) | value, or 0 when the code is longer than 9 bits. */
  readonly lookup: Uint16Array;
  readonly maxcode: Int32Array;
  readonly valptr: Int32Array;
  readonly mincode: Int32Array;
  readonly values: Uint8Array;
}

interface Component {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
  readonly blocksPerLine: number;
  readonly blocksPerColumn: number;
  /** Decoded samples of the padded component plane. */
  readonly plane: Int32Array;
  readonly stride: number;
  pred: number;
  dcTable: number;
  acTable: number;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  const lookup = new Uint16Array(1 << lookBits);
  code = 0;
  k = 0;
  for (let l = 1; l <= lookBits; l++) {
    for (let i = 0; i < counts[l - 1]!; i++, k++, code++) {
      const shift = lookBits - l;
      const entry = (l << 8) | values[k]!;
      for (let j = 0; j < 1 << shift; j++) lookup[(code << shift) | j] = entry;
    }
    code <<= 1;
  }
  return { lookup, maxcode, valptr, mincode, values };
}

/** Decodes a baseline or extended sequential Huffman JPEG (SOF0/SOF1) of 8 or 12 bits. */
export function decodeJpegDct(data: Uint8Array): DctImage {
  const quant: (Int32Array | undefined)[] = [];
  const huff: (Huffman | undefined)[] = []; // index: class * 4 + id
  let components: Component[] = [];
  let width = 0;
  let height = 0;
  let precision = 8;
  let hmax = 1;
  let vmax = 1;
  let mcusX = 0;
  let mcusY = 0;
  let restartInterval = 0;
  let frameSeen = false;
  let scanDecoded = false;
  let pos = 0;
  const u16 = (p: number): number => {
    if (p + 2 > data.length) throw new Error('unexpected end of data');
    return (data[p]! << 8) | data[p + 1]!;
  };
  if (u16(0) !== 0xffd8) throw new Error('no SOI marker');
  pos = 2;
  for (;;) {
    if (pos + 2 > data.length) {
      if (scanDecoded) break; // a missing EOI after complete scans is tolerated, as libjpeg does
      throw new Error('unexpected end of data before EOI');
    }
    if (data[pos] !== 0xff) {
      pos++; // tolerate garbage between segments
      continue;
    }
    const marker = u16(pos);
    pos += 2;
    if (marker === 0xffd9) break;
    if (marker === 0xffff || marker === 0xff00 || (marker >= 0xffd0 && marker <= 0xffd7)) {
      if (marker === 0xffff) pos--;
      continue;
    }
    const length = u16(pos);
    const end = pos + length;
    if (length < 2 || end > data.length) throw new Error(`segment ${marker.toString(16)} runs past the end`);
    let p = pos + 2;
    switch (marker) {
      case 0xffdb:
        while (p < end) {
          const pq = data[p]! >> 4;
          const tq = data[p]! & 15;
          p++;
          if (tq > 3) throw new Error('bad quantisation table id');
          const table = new Int32Array(64);
          for (let i = 0; i < 64; i++) {
            table[zigzag[i]!] = pq ? u16(p + 2 * i) : data[p + i]!;
          }
          p += pq ? 128 : 64;
          quant[tq] = table;
        }
        break;
      case 0xffc4:
        while (p < end) {
          const tc = data[p]! >> 4;
          const th = data[p]! & 15;
          if (tc > 1 || th > 3) throw new Error('bad Huffman table id');
          const counts = data.subarray(p + 1, p + 17);
          let total = 0;
          for (let i = 0; i < 16; i++) total += counts[i] ?? 0;
          if (p + 17 + total > end) throw new Error('Huffman table runs past its segment');
          huff[tc * 4 + th] = buildHuffman(Uint8Array.from(counts), data.slice(p + 17, p + 17 + total));
          p += 17 + total;
        }
        break;
      case 0xffdd:
        restartInterval = u16(p);
        break;
      case 0xffc0:
      case 0xffc1: {
        if (frameSeen) throw new Error('more than one frame');
        frameSeen = true;
        precision = data[p]!;
        height = u16(p + 1);
        width = u16(p + 3);
        const n = data[p + 5]!;
        if (precision !== 8 && precision !== 12) throw new Error(`sample precision ${precision}`);
        if (!width || !height || !n) throw new Error('zero frame size');
        if (p + 6 + 3 * n > end) throw new Error('frame header runs past its segment');
        const specs: { id: number; h: number; v: number; tq: number }[] = [];
        for (let i = 0; i < n; i++) {
          const q = p + 6 + 3 * i;
          const h = data[q + 1]! >> 4;
          const v = data[q + 1]! & 15;
          if (h < 1 || h > 4 || v < 1 || v > 4) throw new Error('bad sampling factors');
          specs.push({ id: data[q]!, h, v, tq: data[q + 2]! & 3 });
          hmax = Math.max(hmax, h);
          vmax = Math.max(vmax, v);
        }
        mcusX = Math.ceil(width / (8 * hmax));
        mcusY = Math.ceil(height / (8 * vmax));
        components = specs.map((s) => {
          const blocksPerLine = mcusX * s.h;
          const blocksPerColumn = mcusY * s.v;
          const stride = blocksPerLine * 8;
          return { ...s, blocksPerLine, blocksPerColumn, stride, plane: new Int32Array(stride * blocksPerColumn * 8), pred: 0, dcTable: 0, acTable: 0 };
        });
        break;
      }
      case 0xffc2:
      case 0xffc3:
      case 0xffc5:
      case 0xffc6:
      case 0xffc7:
      case 0xffc9:
      case 0xffca:
      case 0xffcb:
      case 0xffcd:
      case 0xffce:
      case 0xffcf:
        throw new Error(`unsupported JPEG process (SOF marker ${marker.toString(16).toUpperCase()})`);
      case 0xffda: {
        if (!frameSeen) throw new Error('scan before frame header');
        const n = data[p]!;
        if (n < 1 || n > 4 || p + 1 + 2 * n + 3 > end) throw new Error('bad scan header');
        const scanComponents: Component[] = [];
        for (let i = 0; i < n; i++) {
          const id = data[p + 1 + 2 * i]!;
          const c = components.find((x) => x.id === id);
          if (!c) throw new Error(`scan refers to unknown component ${id}`);
          c.dcTable = data[p + 2 + 2 * i]! >> 4;
          c.acTable = data[p + 2 + 2 * i]! & 15;
          scanComponents.push(c);
        }
        pos = decodeScan(data, end, scanComponents, { quant, huff, mcusX, mcusY, hmax, vmax, width, height, restartInterval, precision });
        scanDecoded = true;
        continue;
      }
      default:
        break; // APPn, COM, DNL and others: skipped
    }
    pos = end;
  }
  if (!frameSeen) throw new Error('no frame header');
  // Level shift, clamp and upsample each component into the interleaved output.
  const nc = components.length;
  const out = new Uint16Array(width * height * nc);
  const maxValue = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  for (let ci = 0; ci < nc; ci++) {
    const c = components[ci]!;
    const full = c.h === hmax && c.v === vmax;
    const xs = new Int32Array(width);
    for (let x = 0; x < width; x++) xs[x] = full ? x : Math.floor((x * c.h) / hmax);
    for (let y = 0; y < height; y++) {
      const row = (full ? y : Math.floor((y * c.v) / vmax)) * c.stride;
      for (let x = 0, o = y * width * nc + ci; x < width; x++, o += nc) {
        const v = c.plane[row + xs[x]!]! + center;
        out[o] = v < 0 ? 0 : v > maxValue ? maxValue : v;
      }
    }
  }
  return { width, height, components: nc, precision, data: out };
}

interface ScanContext {
  readonly quant: readonly (Int32Array | undefined)[];
  readonly huff: readonly (Huffman | undefined)[];
  readonly mcusX: number;
  readonly mcusY: number;
  readonly hmax: number;
  readonly vmax: number;
  readonly width: number;
  readonly height: number;
  readonly restartInterval: number;
  readonly precision: number;
}

/** Decodes one scan starting at `start`; returns the position of the marker that ends it. */
function decodeScan(data: Uint8Array, start: number, comps: Component[], ctx: ScanContext): number {
  let pos = start;
  let bitBuf = 0;
  let bitCount = 0;
  let markerHit = false;
  const fill = (): void => {
    while (bitCount <= 16) {
      let byte = 0;
      if (!markerHit && pos < data.length) {
        const b = data[pos]!;
        if (b === 0xff) {
          const next = data[pos + 1];
          if (next === 0) {
            byte = 0xff;
            pos += 2;
          } else markerHit = true;
        } else {
          byte = b;
          pos++;
        }
      } else markerHit = true;
      bitBuf = ((bitBuf << 8) | byte) & 0xffffff;
      bitCount += 8;
    }
  };
  const bits = (n: number): number => {
    if (n === 0) return 0;
    if (bitCount < n) fill();
    bitCount -= n;
    return (bitBuf >>> bitCount) & ((1 << n) - 1);
  };
  const decodeHuffman = (h: Huffman): number => {
    if (bitCount < lookBits) fill();
    const entry = h.lookup[(bitBuf >>> (bitCount - lookBits)) & ((1 << lookBits) - 1)]!;
    if (entry) {
      bitCount -= entry >> 8;
      return entry & 0xff;
    }
    let code = bits(1);
    let l = 1;
    while (code > h.maxcode[l]!) {
      code = (code << 1) | bits(1);
      l++;
      if (l > 16) throw new Error('bad Huffman code');
    }
    const index = h.valptr[l]! + code - h.mincode[l]!;
    const v = h.values[index];
    if (v === undefined) throw new Error('bad Huffman code');
    return v;
  };
  const extend = (v: number, t: number): number => (v < 1 << (t - 1) ? v - (1 << t) + 1 : v);

  const coef = new Float64Array(64);
  const pass1Bits = ctx.precision === 8 ? 2 : 1;
  const decodeBlock = (c: Component, blockRow: number, blockCol: number): void => {
    const q = ctx.quant[c.tq];
    const dc = ctx.huff[c.dcTable];
    const ac = ctx.huff[4 + c.acTable];
    if (!q || !dc || !ac) throw new Error('scan uses an undefined table');
    coef.fill(0);
    const t = decodeHuffman(dc);
    if (t > 16) throw new Error('bad DC difference size');
    c.pred += t === 0 ? 0 : extend(bits(t), t);
    coef[0] = c.pred * q[0]!;
    for (let k = 1; k < 64; ) {
      const rs = decodeHuffman(ac);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) break;
      const z = zigzag[k]!;
      coef[z] = extend(bits(s), s) * q[z]!;
      k++;
    }
    if (blockRow >= c.blocksPerColumn || blockCol >= c.blocksPerLine) return;
    idctIslow(coef, c.plane, blockRow * 8 * c.stride + blockCol * 8, c.stride, pass1Bits);
  };

  for (const c of comps) c.pred = 0;
  const single = comps.length === 1;
  const c0 = comps[0]!;
  const unitsX = single ? Math.ceil(Math.ceil((ctx.width * c0.h) / ctx.hmax) / 8) : ctx.mcusX;
  const unitsY = single ? Math.ceil(Math.ceil((ctx.height * c0.v) / ctx.vmax) / 8) : ctx.mcusY;
  const total = unitsX * unitsY;
  for (let n = 0; n < total; n++) {
    if (ctx.restartInterval && n > 0 && n % ctx.restartInterval === 0) {
      // Byte-align, then expect an RSTn marker; resynchronise on the next one if it is missing.
      bitCount = 0;
      bitBuf = 0;
      markerHit = false;
      while (pos + 1 < data.length && !(data[pos] === 0xff && data[pos + 1]! >= 0xd0 && data[pos + 1]! <= 0xd7)) {
        if (data[pos] === 0xff && data[pos + 1] !== 0 && data[pos + 1] !== 0xff) break;
        pos++;
      }
      if (pos + 1 < data.length && data[pos] === 0xff && data[pos + 1]! >= 0xd0 && data[pos + 1]! <= 0xd7) pos += 2;
      for (const c of comps) c.pred = 0;
    }
    const mx = n % unitsX;
    const my = (n / unitsX) | 0;
    if (single) decodeBlock(c0, my, mx);
    else {
      for (const c of comps) {
        for (let by = 0; by < c.v; by++) {
          for (let bx = 0; bx < c.h; bx++) decodeBlock(c, my * c.v + by, mx * c.h + bx);
        }
      }
    }
  }
  // Find the marker that ends the scan (skipping stuffed bytes and restart markers).
  while (pos + 1 < data.length) {
    if (data[pos] === 0xff) {
      const next = data[pos + 1]!;
      if (next !== 0 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return pos;
      pos += next === 0xff ? 1 : 2;
    } else pos++;
  }
  return data.length;
}
