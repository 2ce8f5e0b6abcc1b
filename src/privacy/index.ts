export { assertNotRestricted, isRestricted } from './restriction.ts';
export { createPrivacyService, type PrivacyService } from './service.ts';
export { privacyRoutes } from './routes.ts';
