/** The flattening-hierarchies-with-policy-bootstrapping paper's experiment (SAW vs GCBC, GCIVL, HIQL). */
export * as experiment from './experiment';
export * as maze from '../../testbeds/offline/env/maze';
export * as saw from '../../testbeds/offline/methods/saw';
export * as gcbc from '../../testbeds/offline/methods/gcbc';
