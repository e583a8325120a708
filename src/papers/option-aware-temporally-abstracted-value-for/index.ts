/** The option-aware-temporally-abstracted-value-for paper's experiment (OTA vs HIQL; its notebook of the same name). */
export * as experiment from './experiment';
export * as maze from '../../testbeds/offline/env/maze';
export * as gcValue from '../../testbeds/offline/methods/gc-value';
export * as hiql from '../../testbeds/offline/methods/hiql';
export * as ota from '../../testbeds/offline/methods/ota';
