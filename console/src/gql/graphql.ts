/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Input of acceptApplication. */
export type AcceptApplicationInput = {
  /** Application. */
  applicationId: string | number;
  /** Documents accepted as to-follow (容缺受理, EXCELLENT subjects only). */
  missingDocuments?: Array<string> | null | undefined;
  /** The version seen (required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
};

/** What an agent (经办人) may do for the enterprise (R6.6). */
export type AgentScope =
  /** Submit and follow water applications (办理用水申请). */
  | 'APPLY'
  /** File and follow credit repairs and objections (信用修复、异议申诉). */
  | 'DISPUTE'
  /** View the e-credit report, dishonesty records and profile (查看). */
  | 'VIEW';

/** Filter of the staff queue. */
export type ApplicationFilter = {
  /** Only surveys assigned to this staff user. */
  assigneeId?: string | number | null | undefined;
  /** Search (prefix match, server-side): the start of an application ID, of the unit's USCC or of the unit's name (at most 64 characters). */
  keyword?: string | null | undefined;
  /** Only these states. */
  statuses?: Array<ApplicationStatus> | null | undefined;
  /** Only this subject's applications. */
  subjectId?: string | number | null | undefined;
  /** Submitted at or after this time. */
  submittedFrom?: string | null | undefined;
  /** Submitted before this time. */
  submittedTo?: string | null | undefined;
  /** Only VIP (EXCELLENT) subjects. */
  vipOnly?: boolean | null | undefined;
  /** Only applications on the zero-document path (asked for credit handling, 信用办水) (true) or only the others (false). */
  zeroDocument?: boolean | null | undefined;
};

/** Queue order. */
export type ApplicationOrder =
  /** Newest first. */
  | 'NEWEST'
  /** Oldest first. */
  | 'OLDEST'
  /** VIP (EXCELLENT) first, then oldest (the green channel). */
  | 'VIP_FIRST';

/** State of an application (R4.2). */
export type ApplicationStatus =
  /** Accepted (完成受理). */
  | 'ACCEPTED'
  /** Commitment letter signed. */
  | 'COMMITMENT_SIGNED'
  /** E-credit report checked; eligible. */
  | 'CREDIT_CHECKED'
  /** Not eligible: continues on the ordinary document-based path. */
  | 'FALLBACK_TO_DOCUMENTS'
  /** Commitment published on the credit platform. */
  | 'PUBLISHED'
  /** Rejected, with a reason. */
  | 'REJECTED'
  /** Submitted online. */
  | 'SUBMITTED'
  /** Surveyed; fits the scheme. */
  | 'SURVEYED'
  /** Site survey (现场勘查) scheduled. */
  | 'SURVEY_SCHEDULED'
  /** Withdrawn by the applicant. */
  | 'WITHDRAWN';

/** Input of a step that needs only the application (and its version). */
export type ApplicationStepInput = {
  /** Application. */
  applicationId: string | number;
  /** The version seen (required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
};

/** Filter of auditLog; empty fields match everything. */
export type AuditLogFilter = {
  /** Only this action. */
  action?: string | null | undefined;
  /** Only this actor. */
  actorId?: string | number | null | undefined;
  /** From this time (inclusive). */
  from?: string | null | undefined;
  /** Only this subject. */
  subjectId?: string | null | undefined;
  /** Until this time (exclusive). */
  to?: string | null | undefined;
};

/** How a user acts for an enterprise. */
export type BindingRole =
  /** 经办人, authorised by the legal representative or at the counter against a paper 授权委托书 (R6.6). */
  | 'AUTHORISED_AGENT'
  /** 法定代表人, confirmed by the enterprise registry and a face verification. */
  | 'LEGAL_REPRESENTATIVE';

/** Where a binding stands (R6.5–R6.8). */
export type BindingStatus =
  /** Verified: the user acts for the enterprise (an agent within its scopes). */
  | 'ACTIVE'
  /** Ended: unbound, revoked or lapsed. Kept for history without ID data. */
  | 'ENDED'
  /** Waiting: for the face verification of the legal representative, or for an agent's verification and authorisation. Nothing of the enterprise is visible yet. */
  | 'PENDING'
  /** Suspended: the registry no longer confirms the person (new legal representative, enterprise revoked or cancelled). Bind again. */
  | 'SUSPENDED';

/** Filter of cases; empty fields match everything. */
export type CaseFilter = {
  /** Opened from this time (inclusive). */
  from?: string | null | undefined;
  /** Only this kind (THEFT, VIOLATION or BROKEN_PROMISE). */
  kind?: RecordKind | null | undefined;
  /** Only this state (OPEN: waiting for a decision). */
  status?: CaseStatus | null | undefined;
  /** Only this subject. */
  subjectId?: string | number | null | undefined;
  /** Opened before this time (exclusive). */
  to?: string | null | undefined;
};

/** State of a staff case. */
export type CaseStatus =
  /** Confirmed: a record was made. */
  | 'CONFIRMED'
  /** Dismissed. */
  | 'DISMISSED'
  /** Open. */
  | 'OPEN';

/** Input of changeUserRole. */
export type ChangeUserRoleInput = {
  /** Why (audited), at most 500 characters. */
  reason?: string | null | undefined;
  /** The new role: STAFF, CREDIT_OFFICER or ADMIN. */
  role: Role;
  /** The staff user. */
  userId: string | number;
  /** The user's version as you saw it; a stale one is CONFLICT (STALE_VERSION). */
  version: number;
};

/** Input of createStaffUser. */
export type CreateStaffUserInput = {
  /** Name shown to others. */
  displayName?: string | null | undefined;
  /** Initial password, at least 10 characters. */
  password: string;
  /** STAFF, CREDIT_OFFICER or ADMIN. */
  role: Role;
  /** Login name, 3–64 characters without white space, @, control or invisible characters; unique in its normalised form (CONFLICT USERNAME_TAKEN). */
  username: string;
};

/** The city credit platform's comprehensive credit rating of an enterprise (综合信用评价, GB/T 45255-2025). Called "rating" everywhere in the API; "grade" is reserved for the scheme's own classification (R3.4). */
export type CreditRatingLevel =
  /** 诚信优良. */
  | 'A'
  /** 基本诚信. */
  | 'B'
  /** 失信观察. */
  | 'C'
  /** 严重失信. */
  | 'D';

/** Input of confirmCase / dismissCase. */
export type DecideCaseInput = {
  /** Case. */
  caseId: string | number;
  /** Decision note. */
  note: string;
  /** The case's version seen (required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
};

/** Input of decideObjection. */
export type DecideObjectionInput = {
  /** For CORRECTED: the corrected severity. */
  correctedSeverity?: Severity | null | undefined;
  /** For CORRECTED: the corrected summary. */
  correctedSummary?: string | null | undefined;
  /** The objection. */
  id: string | number;
  /** Outcome. */
  outcome: ObjectionOutcome;
  /** Reasons. */
  reason: string;
  /** The version seen (optimistic locking, required): a stale one is CONFLICT (REQUEST_CHANGED) and changes nothing. */
  version: number;
};

/** Input of disableUser. */
export type DisableUserInput = {
  /** Why (audited), at most 500 characters. */
  reason: string;
  /** The user to disable. */
  userId: string | number;
  /** The user's version as you saw it; a stale one is CONFLICT (STALE_VERSION). */
  version: number;
};

/** Filter of dishonestyRecords. */
export type DishonestyRecordFilter = {
  /** Behaviour from (inclusive). With from or to the list is in behaviour order: latest behaviour first, then newest recorded; its cursors are of that order. */
  from?: string | null | undefined;
  /** Only this kind. */
  kind?: RecordKind | null | undefined;
  /** Only this severity. */
  severity?: Severity | null | undefined;
  /** Only this status. */
  status?: RecordStatus | null | undefined;
  /** Only this subject (an enterprise user: one it is bound to). */
  subjectId?: string | number | null | undefined;
  /** Behaviour until (exclusive). */
  to?: string | null | undefined;
};

/** Input of enableUser. */
export type EnableUserInput = {
  /** Why (audited), at most 500 characters. */
  reason?: string | null | undefined;
  /** The user to enable. */
  userId: string | number;
  /** The user's version as you saw it; a stale one is CONFLICT (STALE_VERSION). */
  version: number;
};

/** Input of endUserSessions. */
export type EndUserSessionsInput = {
  /** Why (audited), at most 500 characters. */
  reason?: string | null | undefined;
  /** The user whose sessions end. */
  userId: string | number;
};

/** Input of extendObjection. */
export type ExtendObjectionInput = {
  /** Working days to add. */
  days: number;
  /** The objection. */
  id: string | number;
  /** Why. */
  reason: string;
  /** The version seen (optimistic locking, required): a stale one is CONFLICT (REQUEST_CHANGED) and changes nothing. */
  version: number;
};

/** A subject's grade (分级分类, R3.4); each grade's handling is configuration. */
export type Grade =
  /** 失信: a serious record in force, or repeated records; excluded from zero-document handling, applications need the extra review. */
  | 'DISHONEST'
  /** 优良: EXCELLENT tier (R3.1) and no late payment in 36 months (R3.5): VIP green channel and 容缺. */
  | 'EXCELLENT'
  /** 良好: no record in force; the ordinary path. */
  | 'GOOD'
  /** 关注: a record in force that is not serious, or late payments in the last 12 months; excluded from zero-document handling. */
  | 'WATCH';

/** How an application is handled (R8.3). */
export type HandlingPath =
  /** With the usual documents (一般办理). */
  | 'ORDINARY'
  /** Credit commitment instead of documents (信用承诺免材料): the applicant asked for it. */
  | 'ZERO_DOCUMENT';

/** Input of importBillingFile. */
export type ImportBillingFileInput = {
  /** auto (default), utf-8 or gbk. */
  encoding?: string | null | undefined;
  /** The CSV file (UTF-8 or GBK/GB18030). */
  file: File;
  /** What the file holds. */
  kind: ImportKind;
};

/** Filter of import jobs; empty fields match everything. */
export type ImportJobFilter = {
  /** Started from this time (inclusive). */
  from?: string | null | undefined;
  /** Only this kind of file. */
  kind?: ImportKind | null | undefined;
  /** Only this state. */
  status?: ImportStatus | null | undefined;
  /** Started before this time (exclusive). */
  to?: string | null | undefined;
};

/** What a billing-system file holds (R1.1). */
export type ImportKind =
  /** Accounts and their subjects (户号, USCC or resident ID). */
  | 'ACCOUNTS'
  /** Bills. */
  | 'BILLS'
  /** Water-supply contracts (履约信息, R1.7). */
  | 'CONTRACTS'
  /** Payments. */
  | 'PAYMENTS'
  /** Reminders (催告) and the bills they cover. */
  | 'REMINDERS'
  /** Metered usage per period. */
  | 'USAGE';

/** Where an import job stands. */
export type ImportStatus =
  /** Finished; bad rows are in errors. */
  | 'DONE'
  /** Stopped: the file could not be read (see message). */
  | 'FAILED'
  /** Uploaded and checked; waiting for a worker. */
  | 'QUEUED'
  /** A worker is importing its rows (rows of totalRows done). */
  | 'RUNNING';

/** Land/building situation of the water-use address (attachment 1). */
export type LandSituation =
  /** Anything else: not in the zero-document scheme. */
  | 'OTHER'
  /** 以国有土地上的自有建筑物为用水地址. */
  | 'OWN_BUILDING_ON_STATE_LAND'
  /** 以自有的无建筑物国有土地为用水地址. */
  | 'OWN_STATE_LAND_NO_BUILDING';

/** Input of markNoticeRead. */
export type MarkNoticeReadInput = {
  /** The reminder. */
  id: string | number;
};

/** Outcome of an objection. */
export type ObjectionOutcome =
  /** Correct the record. */
  | 'CORRECTED'
  /** Revoke the record. */
  | 'REVOKED'
  /** The record stands. */
  | 'UPHELD';

/** State of an objection (异议, R5.2). */
export type ObjectionStatus =
  /** The record was corrected. */
  | 'CORRECTED'
  /** Not accepted for review. */
  | 'NOT_ACCEPTED'
  /** The record was revoked. */
  | 'REVOKED'
  /** Filed. */
  | 'SUBMITTED'
  /** Accepted and under review: the record is flagged UNDER_OBJECTION. */
  | 'UNDER_REVIEW'
  /** The record stands. */
  | 'UPHELD';

/** Input of openCase. */
export type OpenCaseInput = {
  /** Account number, optional. */
  accountNo?: string | null | undefined;
  /** The water company's case number (unique). */
  caseNo: string;
  /** The breached commitment, for BROKEN_PROMISE (R2.4): one of this subject's (else INVALID), with no breach recorded yet (else CONFLICT, BREACH_RECORDED); confirming the case links it, once. */
  commitmentId?: string | number | null | undefined;
  /** What happened. */
  description: string;
  /** Evidence (photos, readings, documents). */
  evidence: string;
  /** THEFT, VIOLATION or BROKEN_PROMISE. */
  kind: RecordKind;
  /** Day of the behaviour. */
  occurredOn: string;
  /** Severity. */
  severity: Severity;
  /** Subject. */
  subjectId: string | number;
};

/** Input of passExtraReview. */
export type PassExtraReviewInput = {
  /** Application. */
  applicationId: string | number;
  /** What the credit officer reviewed and found (复核意见). */
  note: string;
  /** The version seen. */
  version: number;
};

/** Where a publication (an outbox message) stands (R2.3). */
export type PublicationStatus =
  /** Gave up after the maximum attempts or a permanent refusal; needs a person (retryPublication). */
  | 'DEAD'
  /** Delivered. */
  | 'DONE'
  /** Waiting for delivery or being retried. */
  | 'PENDING';

/** Kind of a dishonesty record (失信记录, R1.3). */
export type RecordKind =
  /** Large arrears unpaid a month after a formal reminder (欠费). */
  | 'ARREARS'
  /** Broken promise or commitment (失约). */
  | 'BROKEN_PROMISE'
  /** Water theft (窃水). */
  | 'THEFT'
  /** Contract violation (违约用水). */
  | 'VIOLATION';

/** Where a record stands; records are never deleted (R1.4). */
export type RecordStatus =
  /** In force. */
  | 'ACTIVE'
  /** Expired (到期): past its maximum publicity period (R1.5); kept for audit and history, no longer counts; its publication withdrawn. */
  | 'EXPIRED'
  /** Repaired (信用修复): kept for audit, hidden from public views. */
  | 'REPAIRED'
  /** Revoked after an objection: no longer counts. */
  | 'REVOKED'
  /** Flagged while an objection is reviewed (异议). */
  | 'UNDER_OBJECTION';

/** Input of recordSurvey. */
export type RecordSurveyInput = {
  /** Application. */
  applicationId: string | number;
  /** The address and business category fit the scheme. */
  fit: boolean;
  /** Notes. */
  notes?: string | null | undefined;
  /** The version seen (required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
  /** The user wants credit handling. */
  wantsCreditHandling: boolean;
};

/** An enterprise's status in the enterprise registry (企业登记状态, R6.5). */
export type RegistryStatus =
  /** 存续. */
  | 'ACTIVE'
  /** 注销. */
  | 'CANCELLED'
  /** 吊销. */
  | 'REVOKED';

/** Input of rejectApplication (a staff decision). */
export type RejectApplicationInput = {
  /** Application. */
  applicationId: string | number;
  /** Why. */
  reason: string;
  /** The version seen (required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
};

/** State of a credit repair request (信用修复, R5.1). */
export type RepairStatus =
  /** Approved: the record is REPAIRED. */
  | 'APPROVED'
  /** Denied, with reasons. */
  | 'DENIED'
  /** Items are missing (all listed at once). */
  | 'NEEDS_SUPPLEMENT'
  /** Filed. */
  | 'SUBMITTED'
  /** Under review by a credit officer. */
  | 'UNDER_REVIEW';

/** Input of requestRepairSupplement. */
export type RequestRepairSupplementInput = {
  /** Every missing item, at once. */
  missing: Array<string>;
  /** The repair. */
  repairId: string | number;
  /** The version seen (optimistic locking). */
  version: number;
};

/** Input of resetUserPassword. */
export type ResetUserPasswordInput = {
  /** The new password, at least 10 characters; never logged or audited. */
  newPassword: string;
  /** Why (audited), at most 500 characters. */
  reason?: string | null | undefined;
  /** The staff user. */
  userId: string | number;
};

/** Input of retryPublication. */
export type RetryPublicationInput = {
  /** The DEAD publication. */
  id: string | number;
};

/** Input of a review decision. */
export type ReviewDecisionInput = {
  /** The repair or objection. */
  id: string | number;
  /** Why. */
  reason: string;
  /** The version seen (optimistic locking, required): a stale one is CONFLICT (REQUEST_CHANGED) and changes nothing. */
  version: number;
};

/** Repairs or objections. */
export type ReviewKind =
  /** Objections (异议申诉). */
  | 'OBJECTION'
  /** Credit repairs (信用修复). */
  | 'REPAIR';

/** Input of a review step that needs only the request and its version (startRepairReview, acceptObjection). */
export type ReviewStepInput = {
  /** The repair or objection. */
  id: string | number;
  /** The version seen (optimistic locking). */
  version: number;
};

/** A user's role (R7.1). */
export type Role =
  /** Administrator: users, rules, audit. */
  | 'ADMIN'
  /** Credit officer: reviews repairs and objections, publishes. */
  | 'CREDIT_OFFICER'
  /** Enterprise user of the mini-program (用水主体). */
  | 'ENTERPRISE'
  /** Water-company staff (供水企业工作人员). */
  | 'STAFF';

/** Input of runJob. */
export type RunJobInput = {
  /** The job's name (see jobs). */
  name: string;
};

/** Input of scheduleSurvey. */
export type ScheduleSurveyInput = {
  /** Application. */
  applicationId: string | number;
  /** Staff user who surveys. */
  assigneeId: string | number;
  /** When. */
  at: string;
  /** The version seen (optimistic locking, required): a stale one is CONFLICT (STALE_VERSION) and changes nothing. */
  version: number;
};

/** Severity of a record: decides publicity and repair periods (R5.3). */
export type Severity =
  /** General: published 3 months to 1 year. */
  | 'GENERAL'
  /** Minor: not published. */
  | 'MINOR'
  /** Serious: published 1 to 3 years. */
  | 'SERIOUS';

/** Input of staffLogin. */
export type StaffLoginInput = {
  /** Password. */
  password: string;
  /** Staff username. */
  username: string;
};

/** Enterprise or person (R1.2). */
export type SubjectKind =
  /** An enterprise, by 统一社会信用代码. */
  | 'ENTERPRISE'
  /** A person, by resident ID. */
  | 'PERSON';

/** Credit tier of a subject (R3.1). */
export type Tier =
  /** Excellent credit (优良信用): no dishonesty in the window. */
  | 'EXCELLENT'
  /** Ordinary subject. */
  | 'STANDARD';

/** Filter of users; empty fields match everything. */
export type UsersFilter = {
  /** Only disabled (true) or only active (false) users. */
  disabled?: boolean | null | undefined;
  /** Part of the username (compared in its normalised form) or of the display name, at most 64 characters. */
  query?: string | null | undefined;
  /** Only users of this role. */
  role?: Role | null | undefined;
};

export type ConsoleLoginMutationVariables = Exact<{
  input: StaffLoginInput;
}>;


export type ConsoleLoginMutation = { staffLogin: { token: string, user: { id: string, role: Role, displayName: string } } };

export type ConsoleMeQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleMeQuery = { me: { id: string, role: Role, displayName: string, username: string | null } };

export type ConsoleLogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type ConsoleLogoutMutation = { logout: { ok: boolean } };

export type ConsoleApplicationQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleApplicationQuery = { application: { id: string, status: ApplicationStatus, version: number, address: string, land: LandSituation, category: string, contactName: string, contactPhoneMasked: string | null, wantsCreditHandling: boolean, vip: boolean, channel: string, submittedAt: string, stepSince: string, surveyAssigneeId: string | null, surveyAt: string | null, reportNo: string | null, rating: CreditRatingLevel | null, creditCheckedAt: string | null, acceptedAt: string | null, documentsWaived: boolean, missingDocuments: Array<string>, reason: string | null, failedConditions: Array<{ code: string, passed: boolean | null, detail: string }>, commitment: { id: string, signedAt: string, publishedAt: string | null, sha256: string, htmlUrl: string } | null, subject: { id: string, name: string, uscc: string | null, tier: Tier }, events: Array<{ at: string, actorId: string | null, actorRole: Role | null, fromStatus: ApplicationStatus | null, toStatus: ApplicationStatus, reason: string | null }>, extraReview: { required: boolean, passedAt: string | null, passedBy: string | null, note: string | null } } };

export type ConsoleStaffUsersQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleStaffUsersQuery = { users: { edges: Array<{ node: { id: string, displayName: string, role: Role } }> } };

export type ConsoleScheduleSurveyMutationVariables = Exact<{
  input: ScheduleSurveyInput;
}>;


export type ConsoleScheduleSurveyMutation = { scheduleSurvey: { application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsoleRecordSurveyMutationVariables = Exact<{
  input: RecordSurveyInput;
}>;


export type ConsoleRecordSurveyMutation = { recordSurvey: { application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsoleCreditCheckMutationVariables = Exact<{
  input: ApplicationStepInput;
}>;


export type ConsoleCreditCheckMutation = { runCreditCheck: { eligible: boolean, conditions: Array<{ code: string, passed: boolean | null, detail: string }>, application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsoleAcceptMutationVariables = Exact<{
  input: AcceptApplicationInput;
}>;


export type ConsoleAcceptMutation = { acceptApplication: { application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsolePassExtraReviewMutationVariables = Exact<{
  input: PassExtraReviewInput;
}>;


export type ConsolePassExtraReviewMutation = { passExtraReview: { application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsoleRejectMutationVariables = Exact<{
  input: RejectApplicationInput;
}>;


export type ConsoleRejectMutation = { rejectApplication: { application: { id: string, status: ApplicationStatus, version: number } } };

export type ConsoleAuditQueryVariables = Exact<{
  filter?: AuditLogFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleAuditQuery = { auditLog: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, at: string, actorId: string | null, actorRole: Role | null, action: string, subjectType: string | null, subjectId: string | null, purpose: string | null, requestId: string | null } }> } };

export type ConsoleCaseFragment = { id: string, caseNo: string, subjectId: string, kind: RecordKind, severity: Severity, status: CaseStatus, description: string, recordId: string | null, occurredOn: string, version: number };

export type ConsoleCasesQueryVariables = Exact<{
  filter?: CaseFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleCasesQuery = { cases: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, caseNo: string, subjectId: string, kind: RecordKind, severity: Severity, status: CaseStatus, description: string, recordId: string | null, occurredOn: string, version: number } }> } };

export type ConsoleOpenCaseMutationVariables = Exact<{
  input: OpenCaseInput;
}>;


export type ConsoleOpenCaseMutation = { openCase: { case: { id: string, caseNo: string, subjectId: string, kind: RecordKind, severity: Severity, status: CaseStatus, description: string, recordId: string | null, occurredOn: string, version: number } } };

export type ConsoleConfirmCaseMutationVariables = Exact<{
  input: DecideCaseInput;
}>;


export type ConsoleConfirmCaseMutation = { confirmCase: { case: { id: string, caseNo: string, subjectId: string, kind: RecordKind, severity: Severity, status: CaseStatus, description: string, recordId: string | null, occurredOn: string, version: number }, record: { id: string, status: RecordStatus } | null } };

export type ConsoleDismissCaseMutationVariables = Exact<{
  input: DecideCaseInput;
}>;


export type ConsoleDismissCaseMutation = { dismissCase: { case: { id: string, caseNo: string, subjectId: string, kind: RecordKind, severity: Severity, status: CaseStatus, description: string, recordId: string | null, occurredOn: string, version: number } } };

export type ConsoleDashboardQueryVariables = Exact<{
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type ConsoleDashboardQuery = { statistics: { from: string, to: string, csvUrl: string, applicationsPerWeek: Array<{ weekStart: string, submitted: number, accepted: number }>, handlingByPath: Array<{ path: HandlingPath, accepted: number, avgHours: number }>, recordsByKindAndStatus: Array<{ kind: RecordKind, status: RecordStatus, count: number }>, tiers: Array<{ tier: Tier, count: number }>, grades: Array<{ grade: Grade, count: number }>, ratings: Array<{ rating: string, count: number }>, reviewDeadlines: Array<{ kind: ReviewKind, onTime: number, late: number, openOnTime: number, openOverdue: number }> } };

export type ConsoleDeadlinesQueryVariables = Exact<{
  overdueOnly?: boolean | null | undefined;
  assigneeId?: string | number | null | undefined;
}>;


export type ConsoleDeadlinesQuery = { deadlines: { totalCount: number, edges: Array<{ node: { kind: ReviewKind, id: string, recordId: string, subjectId: string, status: string, dueAt: string, overdue: boolean, assigneeId: string | null } }> }, myNotices: Array<{ id: string, kind: string, refId: string, text: string, createdAt: string, readAt: string | null }> };

export type ConsoleMarkNoticeReadMutationVariables = Exact<{
  input: MarkNoticeReadInput;
}>;


export type ConsoleMarkNoticeReadMutation = { markNoticeRead: { read: boolean } };

export type ConsoleImportMutationVariables = Exact<{
  input: ImportBillingFileInput;
}>;


export type ConsoleImportMutation = { importBillingFile: { job: { id: string } } };

export type ConsoleImportJobQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleImportJobQuery = { importJob: { id: string, kind: ImportKind, fileName: string | null, encoding: string | null, status: ImportStatus, rows: number, totalRows: number, inserted: number, updated: number, unchanged: number, failed: number, errorCount: number, message: string | null, createdAt: string, updatedAt: string, finishedAt: string | null, errors: Array<{ line: number, column: string | null, reason: string }> } };

export type ConsoleImportJobsQueryVariables = Exact<{
  filter?: ImportJobFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleImportJobsQuery = { importJobs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, kind: ImportKind, fileName: string | null, status: ImportStatus, rows: number, totalRows: number, failed: number, createdAt: string } }> } };

export type ConsoleJobsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleJobsQuery = { jobs: Array<{ name: string, schedule: string }> };

export type ConsoleJobRunsQueryVariables = Exact<{
  name: string;
}>;


export type ConsoleJobRunsQuery = { jobRuns: { totalCount: number, edges: Array<{ node: { job: string, trigger: string, instance: string | null, startedAt: string, finishedAt: string | null, status: string, detail: string | null, slotAt: string | null, reason: string | null } }> } };

export type ConsolePublicationsQueryVariables = Exact<{
  status?: PublicationStatus | null | undefined;
}>;


export type ConsolePublicationsQuery = { publications: { totalCount: number, edges: Array<{ node: { id: string, kind: string, aggregateId: string | null, status: PublicationStatus, attempts: number, nextAttemptAt: string, lastError: string | null, createdAt: string, doneAt: string | null } }> } };

export type ConsoleRetryPublicationMutationVariables = Exact<{
  input: RetryPublicationInput;
}>;


export type ConsoleRetryPublicationMutation = { retryPublication: { publication: { id: string, status: PublicationStatus } } };

export type ConsoleRunJobMutationVariables = Exact<{
  input: RunJobInput;
}>;


export type ConsoleRunJobMutation = { runJob: { run: { job: string, status: string, detail: string | null } } };

export type ConsoleQueueQueryVariables = Exact<{
  filter?: ApplicationFilter | null | undefined;
  orderBy?: ApplicationOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleQueueQuery = { applications: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, ageSeconds: number, stepDue: string | null, overdue: boolean, node: { id: string, status: ApplicationStatus, vip: boolean, address: string, category: string, channel: string, submittedAt: string, stepSince: string, wantsCreditHandling: boolean, subject: { id: string, name: string, uscc: string | null } } }> } };

export type ConsoleRecordsQueryVariables = Exact<{
  filter?: DishonestyRecordFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleRecordsQuery = { dishonestyRecords: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, kind: RecordKind, severity: Severity, status: RecordStatus, source: string, summary: string | null, accountNo: string | null, decidedOn: string, publicityEnd: string | null, subject: { id: string, name: string, uscc: string | null } } }> } };

export type ConsoleDeadlineFragment = { kind: ReviewKind, id: string, recordId: string, subjectId: string, status: string, dueAt: string, overdue: boolean, assigneeId: string | null };

export type ConsoleOpenReviewsQueryVariables = Exact<{
  overdueOnly?: boolean | null | undefined;
}>;


export type ConsoleOpenReviewsQuery = { deadlines: { totalCount: number, edges: Array<{ node: { kind: ReviewKind, id: string, recordId: string, subjectId: string, status: string, dueAt: string, overdue: boolean, assigneeId: string | null } }> } };

export type ConsoleEvidenceFragment = { id: string, kind: string, text: string | null, fileName: string | null, url: string | null };

export type ConsoleRequestEventFragment = { at: string, action: string, fromStatus: string | null, toStatus: string | null, reason: string | null };

export type ConsoleReviewedRecordFragment = { id: string, kind: RecordKind, severity: Severity, status: RecordStatus, summary: string | null, subject: { id: string, name: string, uscc: string | null } };

export type ConsoleRepairQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRepairQuery = { repair: { id: string, status: RepairStatus, statement: string, missingItems: Array<string>, dueAt: string, decision: string | null, decidedAt: string | null, version: number, evidence: Array<{ id: string, kind: string, text: string | null, fileName: string | null, url: string | null }>, history: Array<{ at: string, action: string, fromStatus: string | null, toStatus: string | null, reason: string | null }>, record: { id: string, kind: RecordKind, severity: Severity, status: RecordStatus, summary: string | null, subject: { id: string, name: string, uscc: string | null } } } };

export type ConsoleObjectionQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleObjectionQuery = { objection: { id: string, status: ObjectionStatus, reason: string, dueAt: string, extended: boolean, decision: string | null, decidedAt: string | null, version: number, evidence: Array<{ id: string, kind: string, text: string | null, fileName: string | null, url: string | null }>, history: Array<{ at: string, action: string, fromStatus: string | null, toStatus: string | null, reason: string | null }>, record: { id: string, kind: RecordKind, severity: Severity, status: RecordStatus, summary: string | null, subject: { id: string, name: string, uscc: string | null } } } };

export type ConsoleStartRepairMutationVariables = Exact<{
  input: ReviewStepInput;
}>;


export type ConsoleStartRepairMutation = { startRepairReview: { repair: { id: string, status: RepairStatus, version: number } } };

export type ConsoleRepairSupplementMutationVariables = Exact<{
  input: RequestRepairSupplementInput;
}>;


export type ConsoleRepairSupplementMutation = { requestRepairSupplement: { repair: { id: string, status: RepairStatus, version: number } } };

export type ConsoleApproveRepairMutationVariables = Exact<{
  input: ReviewDecisionInput;
}>;


export type ConsoleApproveRepairMutation = { approveRepair: { repair: { id: string, status: RepairStatus, version: number } } };

export type ConsoleDenyRepairMutationVariables = Exact<{
  input: ReviewDecisionInput;
}>;


export type ConsoleDenyRepairMutation = { denyRepair: { repair: { id: string, status: RepairStatus, version: number } } };

export type ConsoleAcceptObjectionMutationVariables = Exact<{
  input: ReviewStepInput;
}>;


export type ConsoleAcceptObjectionMutation = { acceptObjection: { objection: { id: string, status: ObjectionStatus, version: number } } };

export type ConsoleNotAcceptObjectionMutationVariables = Exact<{
  input: ReviewDecisionInput;
}>;


export type ConsoleNotAcceptObjectionMutation = { notAcceptObjection: { objection: { id: string, status: ObjectionStatus, version: number } } };

export type ConsoleExtendObjectionMutationVariables = Exact<{
  input: ExtendObjectionInput;
}>;


export type ConsoleExtendObjectionMutation = { extendObjection: { objection: { id: string, status: ObjectionStatus, version: number } } };

export type ConsoleDecideObjectionMutationVariables = Exact<{
  input: DecideObjectionInput;
}>;


export type ConsoleDecideObjectionMutation = { decideObjection: { objection: { id: string, status: ObjectionStatus, version: number } } };

export type ConsoleSearchSubjectsQueryVariables = Exact<{
  text: string;
}>;


export type ConsoleSearchSubjectsQuery = { searchSubjects: { totalCount: number, edges: Array<{ node: { id: string, name: string, uscc: string | null, tier: Tier } }> } };

export type ConsoleSubjectQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleSubjectQuery = { subject: { id: string, kind: SubjectKind, name: string, uscc: string | null, tier: Tier, tierSince: string | null, legalRepName: string | null, registryStatus: RegistryStatus | null }, creditProfile: { tier: Tier, tierEvaluatedAt: string | null, grade: Grade | null, gradeReasons: Array<string>, nextReevaluation: string | null, accountManagerId: string | null, incentives: { accountManager: boolean, vip: boolean, lenientAcceptance: boolean, usageAnalysis: boolean }, records: Array<{ id: string, kind: RecordKind, severity: Severity, status: RecordStatus, summary: string | null, decidedOn: string, accountNo: string | null }> }, repairs: { edges: Array<{ node: { id: string, status: RepairStatus, dueAt: string, record: { id: string, kind: RecordKind } } }> }, objections: { edges: Array<{ node: { id: string, status: ObjectionStatus, dueAt: string, record: { id: string, kind: RecordKind } } }> }, enterpriseAgents: Array<{ id: string, personName: string, status: BindingStatus, role: BindingRole, scopes: Array<AgentScope> }> };

export type ConsoleUsersQueryVariables = Exact<{
  filter?: UsersFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleUsersQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, role: Role, displayName: string, username: string | null, createdAt: string, lastLoginAt: string | null, disabled: boolean, version: number } }> } };

export type ConsoleCreateUserMutationVariables = Exact<{
  input: CreateStaffUserInput;
}>;


export type ConsoleCreateUserMutation = { createStaffUser: { user: { id: string, username: string | null } } };

export type ConsoleDisableUserMutationVariables = Exact<{
  input: DisableUserInput;
}>;


export type ConsoleDisableUserMutation = { disableUser: { sessionsEnded: number, user: { id: string, disabled: boolean, version: number } } };

export type ConsoleEnableUserMutationVariables = Exact<{
  input: EnableUserInput;
}>;


export type ConsoleEnableUserMutation = { enableUser: { user: { id: string, disabled: boolean, version: number } } };

export type ConsoleChangeRoleMutationVariables = Exact<{
  input: ChangeUserRoleInput;
}>;


export type ConsoleChangeRoleMutation = { changeUserRole: { sessionsEnded: number, user: { id: string, role: Role, version: number } } };

export type ConsoleResetPasswordMutationVariables = Exact<{
  input: ResetUserPasswordInput;
}>;


export type ConsoleResetPasswordMutation = { resetUserPassword: { sessionsEnded: number, user: { id: string } } };

export type ConsoleEndSessionsMutationVariables = Exact<{
  input: EndUserSessionsInput;
}>;


export type ConsoleEndSessionsMutation = { endUserSessions: { sessionsEnded: number, user: { id: string } } };

export const ConsoleCaseFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleCase"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ViolationCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"caseNo"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"occurredOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<ConsoleCaseFragment, unknown>;
export const ConsoleDeadlineFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleDeadline"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deadline"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"assigneeId"}}]}}]} as unknown as DocumentNode<ConsoleDeadlineFragment, unknown>;
export const ConsoleEvidenceFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleEvidence"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EvidenceItem"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]} as unknown as DocumentNode<ConsoleEvidenceFragment, unknown>;
export const ConsoleRequestEventFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleRequestEvent"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RequestEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"fromStatus"}},{"kind":"Field","name":{"kind":"Name","value":"toStatus"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]} as unknown as DocumentNode<ConsoleRequestEventFragment, unknown>;
export const ConsoleReviewedRecordFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleReviewedRecord"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DishonestyRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}}]}}]}}]} as unknown as DocumentNode<ConsoleReviewedRecordFragment, unknown>;
export const ConsoleLoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleLogin"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StaffLoginInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffLogin"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleLoginMutation, ConsoleLoginMutationVariables>;
export const ConsoleMeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleMe"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]} as unknown as DocumentNode<ConsoleMeQuery, ConsoleMeQueryVariables>;
export const ConsoleLogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleLogout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}}]}}]}}]} as unknown as DocumentNode<ConsoleLogoutMutation, ConsoleLogoutMutationVariables>;
export const ConsoleApplicationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleApplication"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"land"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"contactName"}},{"kind":"Field","name":{"kind":"Name","value":"contactPhoneMasked"}},{"kind":"Field","name":{"kind":"Name","value":"wantsCreditHandling"}},{"kind":"Field","name":{"kind":"Name","value":"vip"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"stepSince"}},{"kind":"Field","name":{"kind":"Name","value":"surveyAssigneeId"}},{"kind":"Field","name":{"kind":"Name","value":"surveyAt"}},{"kind":"Field","name":{"kind":"Name","value":"reportNo"}},{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"creditCheckedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedAt"}},{"kind":"Field","name":{"kind":"Name","value":"documentsWaived"}},{"kind":"Field","name":{"kind":"Name","value":"missingDocuments"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"failedConditions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"passed"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}},{"kind":"Field","name":{"kind":"Name","value":"commitment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"signedAt"}},{"kind":"Field","name":{"kind":"Name","value":"publishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}},{"kind":"Field","name":{"kind":"Name","value":"htmlUrl"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actorId"}},{"kind":"Field","name":{"kind":"Name","value":"actorRole"}},{"kind":"Field","name":{"kind":"Name","value":"fromStatus"}},{"kind":"Field","name":{"kind":"Name","value":"toStatus"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"extraReview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"required"}},{"kind":"Field","name":{"kind":"Name","value":"passedAt"}},{"kind":"Field","name":{"kind":"Name","value":"passedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleApplicationQuery, ConsoleApplicationQueryVariables>;
export const ConsoleStaffUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleStaffUsers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"disabled"},"value":{"kind":"BooleanValue","value":false}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleStaffUsersQuery, ConsoleStaffUsersQueryVariables>;
export const ConsoleScheduleSurveyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleScheduleSurvey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduleSurveyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scheduleSurvey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleScheduleSurveyMutation, ConsoleScheduleSurveyMutationVariables>;
export const ConsoleRecordSurveyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleRecordSurvey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RecordSurveyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordSurvey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRecordSurveyMutation, ConsoleRecordSurveyMutationVariables>;
export const ConsoleCreditCheckDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleCreditCheck"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplicationStepInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runCreditCheck"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eligible"}},{"kind":"Field","name":{"kind":"Name","value":"conditions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"passed"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}},{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleCreditCheckMutation, ConsoleCreditCheckMutationVariables>;
export const ConsoleAcceptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleAccept"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AcceptApplicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptApplication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleAcceptMutation, ConsoleAcceptMutationVariables>;
export const ConsolePassExtraReviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsolePassExtraReview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PassExtraReviewInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"passExtraReview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsolePassExtraReviewMutation, ConsolePassExtraReviewMutationVariables>;
export const ConsoleRejectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleReject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RejectApplicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectApplication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRejectMutation, ConsoleRejectMutationVariables>;
export const ConsoleAuditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleAudit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditLogFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actorId"}},{"kind":"Field","name":{"kind":"Name","value":"actorRole"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"subjectType"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleAuditQuery, ConsoleAuditQueryVariables>;
export const ConsoleCasesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleCases"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CaseFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleCase"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleCase"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ViolationCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"caseNo"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"occurredOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<ConsoleCasesQuery, ConsoleCasesQueryVariables>;
export const ConsoleOpenCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleOpenCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OpenCaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"case"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleCase"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleCase"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ViolationCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"caseNo"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"occurredOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<ConsoleOpenCaseMutation, ConsoleOpenCaseMutationVariables>;
export const ConsoleConfirmCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleConfirmCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecideCaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"confirmCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"case"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleCase"}}]}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleCase"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ViolationCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"caseNo"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"occurredOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<ConsoleConfirmCaseMutation, ConsoleConfirmCaseMutationVariables>;
export const ConsoleDismissCaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleDismissCase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecideCaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dismissCase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"case"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleCase"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleCase"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ViolationCase"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"caseNo"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"occurredOn"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<ConsoleDismissCaseMutation, ConsoleDismissCaseMutationVariables>;
export const ConsoleDashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleDashboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Time"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Time"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"applicationsPerWeek"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"weekStart"}},{"kind":"Field","name":{"kind":"Name","value":"submitted"}},{"kind":"Field","name":{"kind":"Name","value":"accepted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handlingByPath"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"accepted"}},{"kind":"Field","name":{"kind":"Name","value":"avgHours"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recordsByKindAndStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tiers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"grades"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"grade"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"ratings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviewDeadlines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"onTime"}},{"kind":"Field","name":{"kind":"Name","value":"late"}},{"kind":"Field","name":{"kind":"Name","value":"openOnTime"}},{"kind":"Field","name":{"kind":"Name","value":"openOverdue"}}]}},{"kind":"Field","name":{"kind":"Name","value":"csvUrl"}}]}}]}}]} as unknown as DocumentNode<ConsoleDashboardQuery, ConsoleDashboardQueryVariables>;
export const ConsoleDeadlinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleDeadlines"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"overdueOnly"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"assigneeId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deadlines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"overdueOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"overdueOnly"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"assigneeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"assigneeId"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleDeadline"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"myNotices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"refId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"readAt"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleDeadline"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deadline"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"assigneeId"}}]}}]} as unknown as DocumentNode<ConsoleDeadlinesQuery, ConsoleDeadlinesQueryVariables>;
export const ConsoleMarkNoticeReadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleMarkNoticeRead"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MarkNoticeReadInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markNoticeRead"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"read"}}]}}]}}]} as unknown as DocumentNode<ConsoleMarkNoticeReadMutation, ConsoleMarkNoticeReadMutationVariables>;
export const ConsoleImportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleImport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ImportBillingFileInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"importBillingFile"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"job"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleImportMutation, ConsoleImportMutationVariables>;
export const ConsoleImportJobDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleImportJob"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"importJob"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"encoding"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"totalRows"}},{"kind":"Field","name":{"kind":"Name","value":"inserted"}},{"kind":"Field","name":{"kind":"Name","value":"updated"}},{"kind":"Field","name":{"kind":"Name","value":"unchanged"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"errorCount"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"line"}},{"kind":"Field","name":{"kind":"Name","value":"column"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleImportJobQuery, ConsoleImportJobQueryVariables>;
export const ConsoleImportJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleImportJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ImportJobFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"importJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"totalRows"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleImportJobsQuery, ConsoleImportJobsQueryVariables>;
export const ConsoleJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleJobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"schedule"}}]}}]}}]} as unknown as DocumentNode<ConsoleJobsQuery, ConsoleJobsQueryVariables>;
export const ConsoleJobRunsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleJobRuns"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobRuns"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"job"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"job"}},{"kind":"Field","name":{"kind":"Name","value":"trigger"}},{"kind":"Field","name":{"kind":"Name","value":"instance"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"slotAt"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleJobRunsQuery, ConsoleJobRunsQueryVariables>;
export const ConsolePublicationsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsolePublications"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PublicationStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"publications"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"30"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"aggregateId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"nextAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"doneAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsolePublicationsQuery, ConsolePublicationsQueryVariables>;
export const ConsoleRetryPublicationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleRetryPublication"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RetryPublicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryPublication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"publication"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRetryPublicationMutation, ConsoleRetryPublicationMutationVariables>;
export const ConsoleRunJobDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleRunJob"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RunJobInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runJob"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"run"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"job"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRunJobMutation, ConsoleRunJobMutationVariables>;
export const ConsoleQueueDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleQueue"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplicationFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplicationOrder"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applications"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"ageSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"stepDue"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"vip"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"stepSince"}},{"kind":"Field","name":{"kind":"Name","value":"wantsCreditHandling"}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleQueueQuery, ConsoleQueueQueryVariables>;
export const ConsoleRecordsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleRecords"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DishonestyRecordFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dishonestyRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}},{"kind":"Field","name":{"kind":"Name","value":"accountNo"}},{"kind":"Field","name":{"kind":"Name","value":"decidedOn"}},{"kind":"Field","name":{"kind":"Name","value":"publicityEnd"}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRecordsQuery, ConsoleRecordsQueryVariables>;
export const ConsoleOpenReviewsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleOpenReviews"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"overdueOnly"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deadlines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"overdueOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"overdueOnly"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleDeadline"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleDeadline"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deadline"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"overdue"}},{"kind":"Field","name":{"kind":"Name","value":"assigneeId"}}]}}]} as unknown as DocumentNode<ConsoleOpenReviewsQuery, ConsoleOpenReviewsQueryVariables>;
export const ConsoleRepairDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleRepair"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repair"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statement"}},{"kind":"Field","name":{"kind":"Name","value":"missingItems"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"decision"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"evidence"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleEvidence"}}]}},{"kind":"Field","name":{"kind":"Name","value":"history"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleRequestEvent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleReviewedRecord"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleEvidence"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EvidenceItem"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleRequestEvent"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RequestEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"fromStatus"}},{"kind":"Field","name":{"kind":"Name","value":"toStatus"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleReviewedRecord"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DishonestyRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}}]}}]}}]} as unknown as DocumentNode<ConsoleRepairQuery, ConsoleRepairQueryVariables>;
export const ConsoleObjectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleObjection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"objection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"extended"}},{"kind":"Field","name":{"kind":"Name","value":"decision"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"evidence"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleEvidence"}}]}},{"kind":"Field","name":{"kind":"Name","value":"history"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleRequestEvent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConsoleReviewedRecord"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleEvidence"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"EvidenceItem"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleRequestEvent"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RequestEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"fromStatus"}},{"kind":"Field","name":{"kind":"Name","value":"toStatus"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConsoleReviewedRecord"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DishonestyRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}},{"kind":"Field","name":{"kind":"Name","value":"subject"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}}]}}]}}]} as unknown as DocumentNode<ConsoleObjectionQuery, ConsoleObjectionQueryVariables>;
export const ConsoleStartRepairDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleStartRepair"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReviewStepInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startRepairReview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repair"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleStartRepairMutation, ConsoleStartRepairMutationVariables>;
export const ConsoleRepairSupplementDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleRepairSupplement"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestRepairSupplementInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestRepairSupplement"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repair"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRepairSupplementMutation, ConsoleRepairSupplementMutationVariables>;
export const ConsoleApproveRepairDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleApproveRepair"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReviewDecisionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"approveRepair"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repair"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleApproveRepairMutation, ConsoleApproveRepairMutationVariables>;
export const ConsoleDenyRepairDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleDenyRepair"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReviewDecisionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"denyRepair"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"repair"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleDenyRepairMutation, ConsoleDenyRepairMutationVariables>;
export const ConsoleAcceptObjectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleAcceptObjection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReviewStepInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptObjection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"objection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleAcceptObjectionMutation, ConsoleAcceptObjectionMutationVariables>;
export const ConsoleNotAcceptObjectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleNotAcceptObjection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReviewDecisionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"notAcceptObjection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"objection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleNotAcceptObjectionMutation, ConsoleNotAcceptObjectionMutationVariables>;
export const ConsoleExtendObjectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleExtendObjection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ExtendObjectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"extendObjection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"objection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleExtendObjectionMutation, ConsoleExtendObjectionMutationVariables>;
export const ConsoleDecideObjectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleDecideObjection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecideObjectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decideObjection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"objection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleDecideObjectionMutation, ConsoleDecideObjectionMutationVariables>;
export const ConsoleSearchSubjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleSearchSubjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"text"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchSubjects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"text"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleSearchSubjectsQuery, ConsoleSearchSubjectsQueryVariables>;
export const ConsoleSubjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleSubject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subject"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"uscc"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"tierSince"}},{"kind":"Field","name":{"kind":"Name","value":"legalRepName"}},{"kind":"Field","name":{"kind":"Name","value":"registryStatus"}}]}},{"kind":"Field","name":{"kind":"Name","value":"creditProfile"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"subjectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"tierEvaluatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"grade"}},{"kind":"Field","name":{"kind":"Name","value":"gradeReasons"}},{"kind":"Field","name":{"kind":"Name","value":"nextReevaluation"}},{"kind":"Field","name":{"kind":"Name","value":"accountManagerId"}},{"kind":"Field","name":{"kind":"Name","value":"incentives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accountManager"}},{"kind":"Field","name":{"kind":"Name","value":"vip"}},{"kind":"Field","name":{"kind":"Name","value":"lenientAcceptance"}},{"kind":"Field","name":{"kind":"Name","value":"usageAnalysis"}}]}},{"kind":"Field","name":{"kind":"Name","value":"records"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}},{"kind":"Field","name":{"kind":"Name","value":"decidedOn"}},{"kind":"Field","name":{"kind":"Name","value":"accountNo"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"repairs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"subjectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"objections"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"subjectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dueAt"}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"enterpriseAgents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"subjectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"personName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]} as unknown as DocumentNode<ConsoleSubjectQuery, ConsoleSubjectQueryVariables>;
export const ConsoleUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleUsers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsersFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastLoginAt"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleUsersQuery, ConsoleUsersQueryVariables>;
export const ConsoleCreateUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleCreateUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateStaffUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createStaffUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleCreateUserMutation, ConsoleCreateUserMutationVariables>;
export const ConsoleDisableUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleDisableUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DisableUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"disableUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsEnded"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleDisableUserMutation, ConsoleDisableUserMutationVariables>;
export const ConsoleEnableUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleEnableUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnableUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enableUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleEnableUserMutation, ConsoleEnableUserMutationVariables>;
export const ConsoleChangeRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleChangeRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChangeUserRoleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changeUserRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsEnded"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleChangeRoleMutation, ConsoleChangeRoleMutationVariables>;
export const ConsoleResetPasswordDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleResetPassword"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResetUserPasswordInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resetUserPassword"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsEnded"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleResetPasswordMutation, ConsoleResetPasswordMutationVariables>;
export const ConsoleEndSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleEndSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EndUserSessionsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endUserSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsEnded"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleEndSessionsMutation, ConsoleEndSessionsMutationVariables>;