/**
 * The continual-learning testbed: procedural task streams (permuted-feature Gaussian-cluster classification), a
 * softmax MLP classifier on the kit's wasm engine trained task after task, the standard scores (average accuracy,
 * forgetting), and the methods: CLASSP (a per-weight decaying, thresholded optimiser) and EWC (a Fisher penalty).
 */
export * as env from './env/permuted-clusters';
export * as classifier from './loops/classifier';
export * as sequential from './loops/sequential';
export * as classp from './methods/classp';
export * as ewc from './methods/ewc';
