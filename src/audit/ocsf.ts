// OCSF 1.3 mapping for SIEM export. Authentication [3002] for logins, MFA and session ends;
// Account Change [3001] for lockouts and key rotation; Detection Finding [2004] for detector
// alerts ('detection.*'); API Activity [6003] for every data access and change. Ids only.
import type { AuditEvent } from './types.ts';

export const OCSF_VERSION = '1.3.0';

interface ClassPick {
  classUid: number;
  categoryUid: number;
  className: string;
  activityId: number;
  activityName: string;
}

const API_ACTIVITY: Record<string, [number, string]> = {
  create: [1, 'Create'],
  read: [2, 'Read'],
  reveal: [2, 'Read'],
  export: [2, 'Read'],
  update: [3, 'Update'],
  delete: [4, 'Delete'],
  erase: [4, 'Delete'],
};

export function ocsfClassOf(action: string): ClassPick {
  const [domain = '', verb = ''] = action.split('.');
  if (domain === 'auth' && (verb === 'login' || verb === 'mfa')) {
    return {
      classUid: 3002,
      categoryUid: 3,
      className: 'Authentication',
      activityId: 1,
      activityName: 'Logon',
    };
  }
  if ((domain === 'auth' && verb === 'logout') || (domain === 'session' && verb === 'revoke')) {
    return {
      classUid: 3002,
      categoryUid: 3,
      className: 'Authentication',
      activityId: 2,
      activityName: 'Logoff',
    };
  }
  if (domain === 'auth' && verb === 'lockout') {
    return {
      classUid: 3001,
      categoryUid: 3,
      className: 'Account Change',
      activityId: 9,
      activityName: 'Lock',
    };
  }
  if (domain === 'key' || domain === 'account') {
    return {
      classUid: 3001,
      categoryUid: 3,
      className: 'Account Change',
      activityId: 99,
      activityName: 'Other',
    };
  }
  if (domain === 'detection') {
    return {
      classUid: 2004,
      categoryUid: 2,
      className: 'Detection Finding',
      activityId: 1,
      activityName: 'Create',
    };
  }
  const [activityId, activityName] = API_ACTIVITY[verb] ?? [99, 'Other'];
  return { classUid: 6003, categoryUid: 6, className: 'API Activity', activityId, activityName };
}

export function toOcsf(e: AuditEvent): Record<string, unknown> {
  const c = ocsfClassOf(e.action);
  const ok = e.outcome === 'success';
  const base: Record<string, unknown> = {
    class_uid: c.classUid,
    class_name: c.className,
    category_uid: c.categoryUid,
    activity_id: c.activityId,
    activity_name: c.activityName,
    type_uid: c.classUid * 100 + c.activityId,
    time: Date.parse(e.time),
    severity_id: e.outcome === 'denied' ? 3 : ok ? 1 : 2,
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    ...(ok ? {} : { status_detail: e.outcome }),
    message: e.action,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'Vigil', vendor_name: 'Vigil' },
      uid: `${e.tenantId ?? 'platform'}:${e.seq}`,
      sequence: e.seq,
      tenant_uid: e.tenantId ?? undefined,
      correlation_uid: e.requestId ?? undefined,
      log_name: 'vigil.audit',
    },
    actor: { user: { uid: e.actorId ?? undefined, type: e.actorType } },
    src_endpoint: e.ip ? { ip: e.ip } : undefined,
    unmapped: {
      action: e.action,
      reason: e.reason,
      ua_hash: e.uaHash,
      meta: e.meta,
      hash: e.hash,
      prev_hash: e.prevHash,
    },
  };
  const resource = e.resourceType ? { type: e.resourceType, uid: e.resourceId ?? undefined } : undefined;
  if (c.classUid === 3002) base.user = { uid: e.actorId ?? undefined };
  else if (c.classUid === 3001) base.user = { uid: e.resourceId ?? e.actorId ?? undefined };
  else if (c.classUid === 2004) {
    base.finding_info = {
      uid: `${e.tenantId ?? 'platform'}:${e.seq}`,
      title: e.action,
      types: [e.resourceType ?? 'audit'],
    };
    base.resources = resource ? [resource] : [];
  } else {
    base.api = { operation: e.action, request: { uid: e.requestId ?? undefined } };
    base.resources = resource ? [resource] : [];
  }
  return JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
}
