/** Every error of the run-folder DICOM export, built in one place; tests assert on the codes. */
import { DataError, UsageError } from '../../core/errors.js';

/** Stable codes of the export's errors. */
export const DicomRunExportErrorCode = {
  unknownChoice: 'export-unknown-choice',
  datasetChanged: 'export-dataset-changed',
  noMaps: 'export-no-maps',
  noExamples: 'export-nothing-selected',
} as const;

export const exportErrors = {
  unknownChoice(flag: string, value: string, choices: readonly string[]): UsageError {
    return new UsageError(DicomRunExportErrorCode.unknownChoice, `${flag}: unknown "${value}"; this run has ${choices.join(', ')}`, {
      hint: `pass values from that list (comma-separated)${flag === 'models' ? ', or all' : ''}`,
    });
  },
  nothingSelected(): UsageError {
    return new UsageError(DicomRunExportErrorCode.noExamples, 'the filters leave no map to export', { hint: 'check --models, --methods and --images' });
  },
  datasetChanged(file: string, expected: string, found: string): DataError {
    return new DataError(
      DicomRunExportErrorCode.datasetChanged,
      `the dataset no longer matches the run: its item list hashes to ${found.slice(0, 12)}, the run recorded ${expected.slice(0, 12)}`,
      { file, field: 'inputs.dataset.items' },
      { hint: 'the export finds each image key\'s source file by repeating the audit\'s selection; restore the dataset the audit read, or re-run the audit' },
    );
  },
  noMaps(runDir: string, model: string, method: string): DataError {
    return new DataError(DicomRunExportErrorCode.noMaps, `no maps of ${model} / ${method}: neither the step cache nor maps/ has them`, { file: runDir }, {
      hint: 're-run heatcheck audit into this folder (it resumes from its cache) with output.writeMaps true',
    });
  },
};
