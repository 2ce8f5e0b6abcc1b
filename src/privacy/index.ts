export { replayCustomerErasure } from './purge.ts';
export { assertNotRestricted, isRestricted } from './restriction.ts';
export { privacyRoutes } from './routes.ts';
export { createPrivacyService, type PrivacyService } from './service.ts';
export { completeRequest, createIntakeRequest, setRequestDeadline } from './intake.ts';
export type { RequestType } from './service.ts';
