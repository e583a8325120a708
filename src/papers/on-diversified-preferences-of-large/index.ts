/** The on-diversified-preferences-of-large paper's experiment (MORE; its notebook of the same name). */
export * as experiment from './experiment';
export * as more from '../../testbeds/preference/methods/multi-objective-reward';
export * as minNorm from '../../testbeds/preference/solvers/min-norm';
