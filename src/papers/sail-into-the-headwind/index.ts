/**
 * Sail into the Headwind: Alignment via Robust Rewards and Dynamic Labels against Reward Hacking
 * (Rashidinejad & Tian 2024). The experiment of notebooks/sail-into-the-headwind.ipynb on the preference testbed
 * (src/testbeds/preference); its task is 'papers/sail-into-the-headwind/experiment#runSeed'.
 */
export * as experiment from './experiment';
