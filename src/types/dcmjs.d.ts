// The part of dcmjs (https://github.com/dcmjs-org/dcmjs) heatcheck uses, which ships no type declarations:
// the naturalised-dataset writer of `data` (DicomMetaDictionary + DicomDict).
declare module 'dcmjs' {
  /** A denaturalised data set: tag hex -> { vr, Value }. */
  type DenaturalizedDataset = Record<string, { vr: string; Value: unknown[] }>;

  interface DicomDict {
    dict: DenaturalizedDataset;
    /** Part 10 bytes: preamble, "DICM", file meta information and the data set. */
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  const dcmjs: {
    data: {
      DicomDict: new (meta: DenaturalizedDataset) => DicomDict;
      DicomMetaDictionary: {
        /** Keyword-named values (sequences as arrays of objects, `_vrMap` for ambiguous VRs) to tag-keyed elements. */
        denaturalizeDataset(dataset: Readonly<Record<string, unknown>>): DenaturalizedDataset;
      };
    };
  };
  export default dcmjs;
}
