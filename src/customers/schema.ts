// TypeBox schemas of the customer API. Strings are bounded; free text is stored encrypted.
import Type, { type Static } from 'typebox';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const Address = Type.Object(
  {
    street: Type.Optional(Text(200)),
    postalCode: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    city: Type.Optional(Text(120)),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);

export const Consents = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Boolean(), {
  maxProperties: 20,
});

const fields = {
  name: Type.Optional(Type.Union([Text(200), Type.Null()])),
  emails: Type.Optional(
    Type.Array(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }), {
      maxItems: 10,
    }),
  ),
  phones: Type.Optional(
    Type.Array(Type.String({ minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' }), { maxItems: 10 }),
  ),
  address: Type.Optional(Type.Union([Address, Type.Null()])),
  dateOfBirth: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  customerNumber: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9-]+$' }), Type.Null()]),
  ),
  language: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z]{2}$' }), Type.Null()])),
  notes: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  consents: Type.Optional(Consents),
};

export const CustomerInput = Type.Object(fields, { additionalProperties: false });
export type CustomerInput = Static<typeof CustomerInput>;
export type AddressValue = Static<typeof Address>;

export const CustomerIdParams = Type.Object(
  {
    tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    customerId: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const LookupBody = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
    customerNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export type LookupBody = Static<typeof LookupBody>;

export const MergeBody = Type.Object(
  { otherId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

/** A profile as the caller may see it: fields the role may not read are absent. */
export const CustomerView = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  emails: Type.Optional(Type.Array(Type.String())),
  phones: Type.Optional(Type.Array(Type.String())),
  address: Type.Optional(Type.Union([Address, Type.Null()])),
  dateOfBirth: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  customerNumber: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  notes: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  consents: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  createdAt: Type.Optional(Type.String()),
  mergedInto: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  masked: Type.Optional(Type.Array(Type.String())),
});

/** List items stay flat (no nested objects with ids of their own). */
export const CustomerListItem = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  customerNumber: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
