// The signed-in person's own invitations (issue 20): listed, accepted or declined by that person
// only; someone else's invitation answers 404 like one that does not exist.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { errorResponses, Ok, typedRoutes, Uuid } from '../../platform/http-schemas.ts';
import type { Invitations } from './invitations.ts';

export function invitationRoutes(server: FastifyInstance, deps: { invitations: Invitations }) {
  const app = typedRoutes(server);
  const { invitations } = deps;
  app.get(
    '/api/v1/me/invitations',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['auth'],
        response: {
          200: Type.Object({
            invitations: Type.Array(
              Type.Object({
                id: Type.String(),
                tenant: Type.Object({ slug: Type.String(), name: Type.String() }),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ invitations: await invitations.mine(req.ctx.actor.id!) }),
  );

  for (const verb of ['accept', 'decline'] as const)
    app.post(
      `/api/v1/me/invitations/:invitationId/${verb}`,
      {
        config: { auth: { user: true } },
        schema: {
          tags: ['auth'],
          params: Type.Object({ invitationId: Uuid }, { additionalProperties: false }),
          response: { 200: Ok, ...errorResponses },
        },
      },
      async (req) => {
        await invitations[verb](req.ctx, req.params.invitationId);
        return { ok: true };
      },
    );
}
