/** The dual-rl paper's experiment (ReCOIL vs SMODICE and BC; f-DVL vs XQL; its notebook of the same name). */
export * as experiment from './experiment';
export * as recoil from '../../testbeds/offline/methods/recoil';
export * as smodice from '../../testbeds/offline/methods/smodice';
export * as xql from '../../testbeds/offline/methods/xql';
export * as fDvl from '../../testbeds/offline/methods/f-dvl';
export * as chi2DualV from '../../testbeds/offline/solvers/chi2-dual-v';
export * as occupancyLp from '../../testbeds/offline/solvers/occupancy-lp';
export * as implicitValueSgd from '../../testbeds/offline/loops/implicit-value-sgd';
export * as imitationData from '../../testbeds/offline/data/imitation';
