/** RLBFF (Wang et al. 2025): principle-entailment reward models against Bradley–Terry at matched annotation budgets. */
export * as experiment from './experiment';
export * as principleEntailment from '../../testbeds/preference/methods/principle-entailment';
export * as principleFeedback from '../../testbeds/preference/data/principle-feedback';
