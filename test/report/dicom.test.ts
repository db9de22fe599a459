// The DICOM builders: Parametric Map and Segmentation data sets encoded with dcmjs, read back by
// heatcheck's own DICOM reader (pixels must round-trip), and checked by dcmtk's dcmdump and
// dicom3tools' dciodvfy (no errors; the SOP class and the references to the source image are there).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { decodeDicom, decodeImage } from '../../src/data/index.js';
import {
  DicomExportErrorCode,
  encodeDicomFile,
  hashUid,
  packBits,
  parametricMapDataset,
  parametricMapSopClassUid,
  segmentationDataset,
  segmentationSopClassUid,
  type DerivedInstance,
  type DicomSourceImage,
} from '../../src/report/index.js';
import { dciodvfy, dciodvfyTool, dcmdump, dcmdumpTool, tagValues } from '../helpers/dicom-tools.js';
import { named } from '../helpers/external-tools.js';

const software = { name: 'heatcheck', version: '0.0.0-test' };
// A non-square grid whose frames do not fill whole bytes (7 x 5 = 35 bits), so frame packing is exercised.
const rows = 5;
const columns = 7;

/** A DICOM source as a DX radiograph header would give it (with spacing, orientation and a frame of reference). */
const dicomSource: DicomSourceImage = {
  kind: 'dicom',
  rows,
  columns,
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
  seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2',
  sopInstanceUid: '1.2.826.0.1.3680043.8.498.3',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
  frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.4',
  pixelSpacing: [0.143, 0.139],
  patientOrientation: ['R', 'F'],
};
/** A PNG source: UIDs generated, no spacing, no frame of reference. */
const pngSource: DicomSourceImage = {
  kind: 'png',
  rows,
  columns,
  studyInstanceUid: hashUid('source-study', 'abc'),
  seriesInstanceUid: hashUid('source-series', 'abc'),
  sopInstanceUid: hashUid('source-instance', 'abc'),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
};

const instance = (name: string): DerivedInstance => ({
  seriesInstanceUid: hashUid('series', name),
  sopInstanceUid: hashUid('instance', name),
  seriesNumber: 9001,
  instanceNumber: 1,
  seriesDescription: `test ${name}`,
  frameOfReferenceUid: hashUid('frame-of-reference', name),
  contentDate: '20250131',
  contentTime: '235959',
  software,
});

const rng = createRng(11);
// Values across the float32 range the maps use, including exact 0 and 1 and a denormal-free tiny value.
const mapData = Float32Array.from({ length: rows * columns }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : i === 2 ? 1e-7 : rng.uniform()));
const masks = [0.2, 0.5, 0.8].map((p) => Uint8Array.from({ length: rows * columns }, () => (rng.uniform() < p ? 1 : 0)));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'heatcheck-dicom-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parametricMap(source: DicomSourceImage) {
  return encodeDicomFile(
    parametricMapDataset({ source, instance: instance(`pm-${source.kind}`), map: { data: mapData, width: columns, height: rows }, label: 'GCAM', description: 'grad-cam map of test-model, post-processed to [0, 1]' }),
    software,
  );
}

function segmentation(source: DicomSourceImage) {
  const segments = masks.map((mask, k) => ({ method: ['gradient', 'grad-cam', 'integrated-gradients'][k]!, label: `method ${k}`, algorithmName: 'heatcheck test', description: `mask ${k}`, mask }));
  return encodeDicomFile(segmentationDataset({ source, instance: instance(`seg-${source.kind}`), segments, description: 'saliency above threshold' }), software);
}

describe('Parametric Map', () => {
  it('round-trips float32 values exactly through heatcheck\'s DICOM reader, with the source\'s study and frame of reference', async () => {
    const decoded = await decodeDicom(parametricMap(dicomSource), { source: 'pm.dcm' });
    expect(decoded.shape).toEqual([1, rows, columns, 1]);
    expect(decoded.pixels).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded.pixels)).toEqual(Array.from(mapData));
    expect(decoded.attributes.sopClassUid).toBe(parametricMapSopClassUid);
    expect(decoded.attributes.identifiers).toMatchObject({ studyInstanceUid: dicomSource.studyInstanceUid, frameOfReferenceUid: dicomSource.frameOfReferenceUid });
    // No patient identifiers: name, ID, birth date and sex are empty, so the reader finds none.
    for (const k of ['patientName', 'patientId', 'patientBirthDate', 'patientSex', 'accessionNumber'] as const) expect(decoded.attributes.identifiers[k]).toBeUndefined();
    expect(decoded.warnings).toEqual([]);
  });

  it('is not an X-ray to audit: readImage refuses it with a clear error', async () => {
    await expect(decodeImage(parametricMap(pngSource), 'pm.dcm')).rejects.toMatchObject({ code: 'dicom-unsupported-pixel-format' });
  });

  it('same input, same bytes; a PNG source gets its own (generated) frame of reference', async () => {
    expect(Buffer.from(parametricMap(dicomSource)).equals(Buffer.from(parametricMap(dicomSource)))).toBe(true);
    const decoded = await decodeDicom(parametricMap(pngSource));
    expect(decoded.attributes.identifiers.frameOfReferenceUid).toBe(instance('pm-png').frameOfReferenceUid);
  });

  it('refuses a map off the source grid, a non-finite value and a malformed UID', () => {
    const base = { source: dicomSource, instance: instance('x'), label: 'x', description: 'x' };
    const build = (over: object) => () => parametricMapDataset({ ...base, map: { data: mapData, width: columns, height: rows }, ...over });
    expect(build({ map: { data: mapData, width: rows, height: columns } })).toThrow(expect.objectContaining({ code: DicomExportErrorCode.gridMismatch }));
    expect(build({ map: { data: Float32Array.from(mapData, (v, i) => (i === 3 ? Number.NaN : v)), width: columns, height: rows } })).toThrow(expect.objectContaining({ code: DicomExportErrorCode.notFinite }));
    expect(build({ source: { ...dicomSource, studyInstanceUid: '1.2.03' } })).toThrow(expect.objectContaining({ code: DicomExportErrorCode.badUid }));
    expect(build({ instance: { ...instance('x'), contentDate: '2025-01-31' } })).toThrow(expect.objectContaining({ code: DicomExportErrorCode.badDate }));
  });
});

describe('Segmentation', () => {
  it('round-trips every segment\'s mask bit for bit (frames packed across byte boundaries)', async () => {
    const decoded = await decodeDicom(segmentation(dicomSource), { source: 'seg.dcm' });
    expect(decoded.shape).toEqual([3, rows, columns, 1]);
    expect(decoded.attributes.sopClassUid).toBe(segmentationSopClassUid);
    const n = rows * columns;
    masks.forEach((mask, k) => expect(Array.from(decoded.pixels.subarray(k * n, (k + 1) * n)), `segment ${k + 1}`).toEqual(Array.from(mask)));
  });

  it('packBits puts pixel i in bit i % 8 of byte i / 8 and pads to an even length', () => {
    const bits = packBits([Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 1), Uint8Array.of(0, 1)]);
    expect(Array.from(bits)).toEqual([0b10000001, 0b00000101]);
    expect(packBits([new Uint8Array(17)])).toHaveLength(4);
  });

  it('refuses no segments and a mask off the source grid', () => {
    const build = (segments: { mask: Uint8Array }[]) => () =>
      segmentationDataset({ source: dicomSource, instance: instance('x'), description: 'x', segments: segments.map((s) => ({ ...s, method: 'm', label: 'm', algorithmName: 'm', description: 'm' })) });
    expect(build([])).toThrow(expect.objectContaining({ code: DicomExportErrorCode.noSegments }));
    expect(build([{ mask: new Uint8Array(rows * columns + 1) }])).toThrow(expect.objectContaining({ code: DicomExportErrorCode.gridMismatch }));
  });
});

describe('hashUid', () => {
  it('is a 2.25 UID of a version-8 UUID, stable for the same parts and different for others', () => {
    const uid = hashUid('a', 'b');
    expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(uid.length).toBeLessThanOrEqual(64);
    const hex = BigInt(uid.slice(5)).toString(16).padStart(32, '0');
    expect(hex[12]).toBe('8');
    expect(['8', '9', 'a', 'b']).toContain(hex[16]);
    expect(hashUid('a', 'b')).toBe(uid);
    expect(hashUid('ab')).not.toBe(uid);
  });
});

describe.each([
  ['DICOM source', dicomSource],
  ['PNG source', pngSource],
])('dcmtk and dicom3tools read the files (%s)', (_, source) => {
  const files = { pm: '', seg: '' };
  beforeAll(async () => {
    files.pm = path.join(dir, `pm-${source.kind}.dcm`);
    files.seg = path.join(dir, `seg-${source.kind}.dcm`);
    await writeFile(files.pm, parametricMap(source));
    await writeFile(files.seg, segmentation(source));
  });

  it.skipIf(!dcmdumpTool.ok)(named('dcmdump exits 0 without errors and shows the SOP class and the source references', dcmdumpTool), () => {
    for (const [kind, sopClass, name] of [
      ['pm', parametricMapSopClassUid, 'ParametricMapStorage'],
      ['seg', segmentationSopClassUid, 'SegmentationStorage'],
    ] as const) {
      const byName = dcmdump(files[kind]);
      expect(byName.code, byName.output).toBe(0);
      expect(byName.output).not.toMatch(/^E: /m);
      expect(tagValues(byName.output, '0008,0016')).toEqual([name]);
      const listing = dcmdump(files[kind], '-Un').output;
      expect(tagValues(listing, '0008,0016')).toEqual([sopClass]);
      expect(tagValues(listing, '0002,0010')).toEqual(['1.2.840.10008.1.2.1']);
      // Study of the source; its series in the Referenced Series Sequence; its instance in every reference.
      expect(tagValues(listing, '0020,000d')).toEqual([source.studyInstanceUid]);
      expect(tagValues(listing, '0020,000e')).toContain(source.seriesInstanceUid);
      const referenced = tagValues(listing, '0008,1155');
      expect(referenced.length).toBeGreaterThanOrEqual(2); // Common Instance Reference + Source Image Sequence
      expect(new Set(referenced)).toEqual(new Set([source.sopInstanceUid]));
      expect(new Set(tagValues(listing, '0008,1150'))).toEqual(new Set([source.sopClassUid]));
      if (source.frameOfReferenceUid) expect(tagValues(listing, '0020,0052')).toEqual([source.frameOfReferenceUid]);
      for (const tag of ['0010,0010', '0010,0020', '0010,0030', '0010,0040']) expect(tagValues(listing, tag), tag).toEqual(['']);
    }
  });

  it.skipIf(!dciodvfyTool.ok)(named('dciodvfy finds no IOD errors', dciodvfyTool), () => {
    for (const kind of ['pm', 'seg'] as const) {
      const report = dciodvfy(files[kind]);
      expect(report.output).toMatch(kind === 'pm' ? /^ParametricMap$/m : /^Segmentation$/m);
      expect(report.output.split('\n').filter((l) => l.startsWith('Error')), report.output).toEqual([]);
    }
  });
});
