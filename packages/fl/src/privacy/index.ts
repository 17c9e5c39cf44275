export { RDP_ORDERS, gaussianRdp, sampledGaussianRdp, epsilonFromRdp, gaussianMechanismEpsilon, sampledGaussianEpsilon } from './rdp-accountant';
export { SecureGaussian, type GaussianSource } from './secure-gaussian';
export { type ClientLevelDpOptions, aggregateWithClientLevelDp } from './client-level-dp';
