/**
 * CausalRM: Causal-Theoretic Reward Modeling for RLHF from Observational User Feedbacks (Wang et al. 2026).
 * The experiment of notebooks/causalrm.ipynb on the preference testbed (src/testbeds/preference); its task is
 * 'papers/causalrm/experiment#runSeed'.
 */
export * as experiment from './experiment';
