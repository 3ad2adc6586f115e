export { sampleDocuments } from './sampleDocuments';
export { loadCorpus } from './loadCorpus';
export { createRandom } from './createRandom';
export { CorpusDefaults, CorpusWords } from './constants';
export { CorpusError, CorpusOptionsError } from './errors';
export type { LoadCorpusOptions, SampleDocument } from './types';
