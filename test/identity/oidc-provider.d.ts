// oidc-provider ships no type declarations; the test IdP uses a small part of its API.
declare module 'oidc-provider';
