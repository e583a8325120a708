/** The personalizing-reinforcement-learning-from-human paper's experiment (VPL; its notebook of the same name). */
export * as experiment from './experiment';
export * as vpl from '../../testbeds/preference/methods/variational-preference';
export * as btMlp from '../../testbeds/preference/methods/bradley-terry-mlp';
