/** classp: CLASSP vs EWC vs fine-tuning on a stream of permuted-feature classification tasks. */
export * as experiment from './experiment';
