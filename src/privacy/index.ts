export { completeRequest, createIntakeRequest, requestStates, setRequestDeadline } from './intake.ts';
export { replayCustomerErasure } from './purge.ts';
export { assertNotRestricted, isRestricted } from './restriction.ts';
export { privacyRoutes } from './routes.ts';
export type { RequestType } from './service.ts';
export { createPrivacyService, type PrivacyService } from './service.ts';
