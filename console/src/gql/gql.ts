/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation ConsoleLogin($input: StaffLoginInput!) {\n    staffLogin(input: $input) {\n      token\n      user {\n        id\n        role\n        displayName\n      }\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n": typeof types.ConsoleMeDocument,
    "\n  mutation ConsoleLogout {\n    logout {\n      ok\n    }\n  }\n": typeof types.ConsoleLogoutDocument,
    "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n    }\n  }\n": typeof types.ConsoleApplicationDocument,
    "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n": typeof types.ConsoleStaffUsersDocument,
    "\n  mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) {\n    scheduleSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.ConsoleScheduleSurveyDocument,
    "\n  mutation ConsoleRecordSurvey($input: RecordSurveyInput!) {\n    recordSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.ConsoleRecordSurveyDocument,
    "\n  mutation ConsoleCreditCheck($input: ApplicationStepInput!) {\n    runCreditCheck(input: $input) {\n      eligible\n      conditions {\n        code\n        passed\n        detail\n      }\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.ConsoleCreditCheckDocument,
    "\n  mutation ConsoleAccept($input: AcceptApplicationInput!) {\n    acceptApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.ConsoleAcceptDocument,
    "\n  mutation ConsoleReject($input: ApplicationReasonInput!) {\n    rejectApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": typeof types.ConsoleRejectDocument,
    "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n": typeof types.ConsoleAuditDocument,
    "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n  }\n": typeof types.ConsoleCaseFragmentDoc,
    "\n  mutation ConsoleOpenCase($input: OpenCaseInput!) {\n    openCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n": typeof types.ConsoleOpenCaseDocument,
    "\n  mutation ConsoleConfirmCase($input: DecideCaseInput!) {\n    confirmCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n      record {\n        id\n        status\n      }\n    }\n  }\n": typeof types.ConsoleConfirmCaseDocument,
    "\n  mutation ConsoleDismissCase($input: DecideCaseInput!) {\n    dismissCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n": typeof types.ConsoleDismissCaseDocument,
    "\n  query ConsoleDashboard {\n    recent: applications(orderBy: NEWEST, first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          submittedAt\n          status\n        }\n      }\n    }\n    handlingStats {\n      vip\n      accepted\n      averageHours\n    }\n    arrears: dishonestyRecords(filter: { kind: ARREARS }, first: 1) {\n      totalCount\n    }\n    theft: dishonestyRecords(filter: { kind: THEFT }, first: 1) {\n      totalCount\n    }\n    violation: dishonestyRecords(filter: { kind: VIOLATION }, first: 1) {\n      totalCount\n    }\n    brokenPromise: dishonestyRecords(filter: { kind: BROKEN_PROMISE }, first: 1) {\n      totalCount\n    }\n    active: dishonestyRecords(filter: { status: ACTIVE }, first: 1) {\n      totalCount\n    }\n    underObjection: dishonestyRecords(filter: { status: UNDER_OBJECTION }, first: 1) {\n      totalCount\n    }\n    repaired: dishonestyRecords(filter: { status: REPAIRED }, first: 1) {\n      totalCount\n    }\n    revoked: dishonestyRecords(filter: { status: REVOKED }, first: 1) {\n      totalCount\n    }\n  }\n": typeof types.ConsoleDashboardDocument,
    "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(overdueOnly: $overdueOnly, assigneeId: $assigneeId) {\n      ...ConsoleDeadline\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n": typeof types.ConsoleDeadlinesDocument,
    "\n  mutation ConsoleMarkNoticeRead($id: ID!) {\n    markNoticeRead(id: $id)\n  }\n": typeof types.ConsoleMarkNoticeReadDocument,
    "\n  mutation ConsoleImport($input: ImportBillingFileInput!) {\n    importBillingFile(input: $input) {\n      id\n    }\n  }\n": typeof types.ConsoleImportDocument,
    "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      inserted\n      updated\n      unchanged\n      failed\n      message\n      createdAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n": typeof types.ConsoleImportJobDocument,
    "\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n": typeof types.ConsoleJobsDocument,
    "\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n": typeof types.ConsoleJobRunsDocument,
    "\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n": typeof types.ConsolePublicationsDocument,
    "\n  mutation ConsoleRetryPublication($input: RetryPublicationInput!) {\n    retryPublication(input: $input) {\n      publication {\n        id\n        status\n      }\n    }\n  }\n": typeof types.ConsoleRetryPublicationDocument,
    "\n  mutation ConsoleRunJob($name: String!) {\n    runJob(name: $name) {\n      job\n      status\n      detail\n    }\n  }\n": typeof types.ConsoleRunJobDocument,
    "\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleQueueDocument,
    "\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleRecordsDocument,
    "\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n": typeof types.ConsoleDeadlineFragmentDoc,
    "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(overdueOnly: $overdueOnly) {\n      ...ConsoleDeadline\n    }\n  }\n": typeof types.ConsoleOpenReviewsDocument,
    "\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n": typeof types.ConsoleEvidenceFragmentDoc,
    "\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n": typeof types.ConsoleRequestEventFragmentDoc,
    "\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n": typeof types.ConsoleReviewedRecordFragmentDoc,
    "\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": typeof types.ConsoleRepairDocument,
    "\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": typeof types.ConsoleObjectionDocument,
    "\n  mutation ConsoleStartRepair($id: ID!) {\n    startRepairReview(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleStartRepairDocument,
    "\n  mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) {\n    requestRepairSupplement(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleRepairSupplementDocument,
    "\n  mutation ConsoleApproveRepair($input: ReviewDecisionInput!) {\n    approveRepair(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleApproveRepairDocument,
    "\n  mutation ConsoleDenyRepair($input: ReviewDecisionInput!) {\n    denyRepair(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleDenyRepairDocument,
    "\n  mutation ConsoleAcceptObjection($id: ID!) {\n    acceptObjection(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleAcceptObjectionDocument,
    "\n  mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) {\n    notAcceptObjection(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleNotAcceptObjectionDocument,
    "\n  mutation ConsoleExtendObjection($input: ExtendObjectionInput!) {\n    extendObjection(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleExtendObjectionDocument,
    "\n  mutation ConsoleDecideObjection($input: DecideObjectionInput!) {\n    decideObjection(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ConsoleDecideObjectionDocument,
    "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(text: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n": typeof types.ConsoleSearchSubjectsDocument,
    "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    objections(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n": typeof types.ConsoleSubjectDocument,
    "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n": typeof types.ConsoleUsersDocument,
    "\n  mutation ConsoleCreateUser($input: CreateStaffUserInput!) {\n    createStaffUser(input: $input) {\n      user {\n        id\n        username\n      }\n    }\n  }\n": typeof types.ConsoleCreateUserDocument,
    "\n  mutation ConsoleDisableUser($input: DisableUserInput!) {\n    disableUser(input: $input) {\n      sessionsEnded\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n": typeof types.ConsoleDisableUserDocument,
    "\n  mutation ConsoleEnableUser($input: EnableUserInput!) {\n    enableUser(input: $input) {\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n": typeof types.ConsoleEnableUserDocument,
    "\n  mutation ConsoleChangeRole($input: ChangeUserRoleInput!) {\n    changeUserRole(input: $input) {\n      sessionsEnded\n      user {\n        id\n        role\n        version\n      }\n    }\n  }\n": typeof types.ConsoleChangeRoleDocument,
    "\n  mutation ConsoleResetPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n": typeof types.ConsoleResetPasswordDocument,
    "\n  mutation ConsoleEndSessions($input: EndUserSessionsInput!) {\n    endUserSessions(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n": typeof types.ConsoleEndSessionsDocument,
};
const documents: Documents = {
    "\n  mutation ConsoleLogin($input: StaffLoginInput!) {\n    staffLogin(input: $input) {\n      token\n      user {\n        id\n        role\n        displayName\n      }\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n": types.ConsoleMeDocument,
    "\n  mutation ConsoleLogout {\n    logout {\n      ok\n    }\n  }\n": types.ConsoleLogoutDocument,
    "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n    }\n  }\n": types.ConsoleApplicationDocument,
    "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n": types.ConsoleStaffUsersDocument,
    "\n  mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) {\n    scheduleSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.ConsoleScheduleSurveyDocument,
    "\n  mutation ConsoleRecordSurvey($input: RecordSurveyInput!) {\n    recordSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.ConsoleRecordSurveyDocument,
    "\n  mutation ConsoleCreditCheck($input: ApplicationStepInput!) {\n    runCreditCheck(input: $input) {\n      eligible\n      conditions {\n        code\n        passed\n        detail\n      }\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.ConsoleCreditCheckDocument,
    "\n  mutation ConsoleAccept($input: AcceptApplicationInput!) {\n    acceptApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.ConsoleAcceptDocument,
    "\n  mutation ConsoleReject($input: ApplicationReasonInput!) {\n    rejectApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n": types.ConsoleRejectDocument,
    "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n": types.ConsoleAuditDocument,
    "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n  }\n": types.ConsoleCaseFragmentDoc,
    "\n  mutation ConsoleOpenCase($input: OpenCaseInput!) {\n    openCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n": types.ConsoleOpenCaseDocument,
    "\n  mutation ConsoleConfirmCase($input: DecideCaseInput!) {\n    confirmCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n      record {\n        id\n        status\n      }\n    }\n  }\n": types.ConsoleConfirmCaseDocument,
    "\n  mutation ConsoleDismissCase($input: DecideCaseInput!) {\n    dismissCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n": types.ConsoleDismissCaseDocument,
    "\n  query ConsoleDashboard {\n    recent: applications(orderBy: NEWEST, first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          submittedAt\n          status\n        }\n      }\n    }\n    handlingStats {\n      vip\n      accepted\n      averageHours\n    }\n    arrears: dishonestyRecords(filter: { kind: ARREARS }, first: 1) {\n      totalCount\n    }\n    theft: dishonestyRecords(filter: { kind: THEFT }, first: 1) {\n      totalCount\n    }\n    violation: dishonestyRecords(filter: { kind: VIOLATION }, first: 1) {\n      totalCount\n    }\n    brokenPromise: dishonestyRecords(filter: { kind: BROKEN_PROMISE }, first: 1) {\n      totalCount\n    }\n    active: dishonestyRecords(filter: { status: ACTIVE }, first: 1) {\n      totalCount\n    }\n    underObjection: dishonestyRecords(filter: { status: UNDER_OBJECTION }, first: 1) {\n      totalCount\n    }\n    repaired: dishonestyRecords(filter: { status: REPAIRED }, first: 1) {\n      totalCount\n    }\n    revoked: dishonestyRecords(filter: { status: REVOKED }, first: 1) {\n      totalCount\n    }\n  }\n": types.ConsoleDashboardDocument,
    "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(overdueOnly: $overdueOnly, assigneeId: $assigneeId) {\n      ...ConsoleDeadline\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n": types.ConsoleDeadlinesDocument,
    "\n  mutation ConsoleMarkNoticeRead($id: ID!) {\n    markNoticeRead(id: $id)\n  }\n": types.ConsoleMarkNoticeReadDocument,
    "\n  mutation ConsoleImport($input: ImportBillingFileInput!) {\n    importBillingFile(input: $input) {\n      id\n    }\n  }\n": types.ConsoleImportDocument,
    "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      inserted\n      updated\n      unchanged\n      failed\n      message\n      createdAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n": types.ConsoleImportJobDocument,
    "\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n": types.ConsoleJobsDocument,
    "\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n": types.ConsoleJobRunsDocument,
    "\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n": types.ConsolePublicationsDocument,
    "\n  mutation ConsoleRetryPublication($input: RetryPublicationInput!) {\n    retryPublication(input: $input) {\n      publication {\n        id\n        status\n      }\n    }\n  }\n": types.ConsoleRetryPublicationDocument,
    "\n  mutation ConsoleRunJob($name: String!) {\n    runJob(name: $name) {\n      job\n      status\n      detail\n    }\n  }\n": types.ConsoleRunJobDocument,
    "\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleQueueDocument,
    "\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleRecordsDocument,
    "\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n": types.ConsoleDeadlineFragmentDoc,
    "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(overdueOnly: $overdueOnly) {\n      ...ConsoleDeadline\n    }\n  }\n": types.ConsoleOpenReviewsDocument,
    "\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n": types.ConsoleEvidenceFragmentDoc,
    "\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n": types.ConsoleRequestEventFragmentDoc,
    "\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n": types.ConsoleReviewedRecordFragmentDoc,
    "\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": types.ConsoleRepairDocument,
    "\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": types.ConsoleObjectionDocument,
    "\n  mutation ConsoleStartRepair($id: ID!) {\n    startRepairReview(id: $id) {\n      id\n      status\n    }\n  }\n": types.ConsoleStartRepairDocument,
    "\n  mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) {\n    requestRepairSupplement(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleRepairSupplementDocument,
    "\n  mutation ConsoleApproveRepair($input: ReviewDecisionInput!) {\n    approveRepair(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleApproveRepairDocument,
    "\n  mutation ConsoleDenyRepair($input: ReviewDecisionInput!) {\n    denyRepair(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleDenyRepairDocument,
    "\n  mutation ConsoleAcceptObjection($id: ID!) {\n    acceptObjection(id: $id) {\n      id\n      status\n    }\n  }\n": types.ConsoleAcceptObjectionDocument,
    "\n  mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) {\n    notAcceptObjection(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleNotAcceptObjectionDocument,
    "\n  mutation ConsoleExtendObjection($input: ExtendObjectionInput!) {\n    extendObjection(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleExtendObjectionDocument,
    "\n  mutation ConsoleDecideObjection($input: DecideObjectionInput!) {\n    decideObjection(input: $input) {\n      id\n      status\n    }\n  }\n": types.ConsoleDecideObjectionDocument,
    "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(text: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n": types.ConsoleSearchSubjectsDocument,
    "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    objections(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n": types.ConsoleSubjectDocument,
    "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n": types.ConsoleUsersDocument,
    "\n  mutation ConsoleCreateUser($input: CreateStaffUserInput!) {\n    createStaffUser(input: $input) {\n      user {\n        id\n        username\n      }\n    }\n  }\n": types.ConsoleCreateUserDocument,
    "\n  mutation ConsoleDisableUser($input: DisableUserInput!) {\n    disableUser(input: $input) {\n      sessionsEnded\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n": types.ConsoleDisableUserDocument,
    "\n  mutation ConsoleEnableUser($input: EnableUserInput!) {\n    enableUser(input: $input) {\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n": types.ConsoleEnableUserDocument,
    "\n  mutation ConsoleChangeRole($input: ChangeUserRoleInput!) {\n    changeUserRole(input: $input) {\n      sessionsEnded\n      user {\n        id\n        role\n        version\n      }\n    }\n  }\n": types.ConsoleChangeRoleDocument,
    "\n  mutation ConsoleResetPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n": types.ConsoleResetPasswordDocument,
    "\n  mutation ConsoleEndSessions($input: EndUserSessionsInput!) {\n    endUserSessions(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n": types.ConsoleEndSessionsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogin($input: StaffLoginInput!) {\n    staffLogin(input: $input) {\n      token\n      user {\n        id\n        role\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLogin($input: StaffLoginInput!) {\n    staffLogin(input: $input) {\n      token\n      user {\n        id\n        role\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogout {\n    logout {\n      ok\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleLogout {\n    logout {\n      ok\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) {\n    scheduleSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) {\n    scheduleSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRecordSurvey($input: RecordSurveyInput!) {\n    recordSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRecordSurvey($input: RecordSurveyInput!) {\n    recordSurvey(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreditCheck($input: ApplicationStepInput!) {\n    runCreditCheck(input: $input) {\n      eligible\n      conditions {\n        code\n        passed\n        detail\n      }\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleCreditCheck($input: ApplicationStepInput!) {\n    runCreditCheck(input: $input) {\n      eligible\n      conditions {\n        code\n        passed\n        detail\n      }\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleAccept($input: AcceptApplicationInput!) {\n    acceptApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleAccept($input: AcceptApplicationInput!) {\n    acceptApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReject($input: ApplicationReasonInput!) {\n    rejectApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleReject($input: ApplicationReasonInput!) {\n    rejectApplication(input: $input) {\n      application {\n        id\n        status\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n  }\n"): (typeof documents)["\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleOpenCase($input: OpenCaseInput!) {\n    openCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleOpenCase($input: OpenCaseInput!) {\n    openCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleConfirmCase($input: DecideCaseInput!) {\n    confirmCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n      record {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleConfirmCase($input: DecideCaseInput!) {\n    confirmCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n      record {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDismissCase($input: DecideCaseInput!) {\n    dismissCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleDismissCase($input: DecideCaseInput!) {\n    dismissCase(input: $input) {\n      case {\n        ...ConsoleCase\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDashboard {\n    recent: applications(orderBy: NEWEST, first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          submittedAt\n          status\n        }\n      }\n    }\n    handlingStats {\n      vip\n      accepted\n      averageHours\n    }\n    arrears: dishonestyRecords(filter: { kind: ARREARS }, first: 1) {\n      totalCount\n    }\n    theft: dishonestyRecords(filter: { kind: THEFT }, first: 1) {\n      totalCount\n    }\n    violation: dishonestyRecords(filter: { kind: VIOLATION }, first: 1) {\n      totalCount\n    }\n    brokenPromise: dishonestyRecords(filter: { kind: BROKEN_PROMISE }, first: 1) {\n      totalCount\n    }\n    active: dishonestyRecords(filter: { status: ACTIVE }, first: 1) {\n      totalCount\n    }\n    underObjection: dishonestyRecords(filter: { status: UNDER_OBJECTION }, first: 1) {\n      totalCount\n    }\n    repaired: dishonestyRecords(filter: { status: REPAIRED }, first: 1) {\n      totalCount\n    }\n    revoked: dishonestyRecords(filter: { status: REVOKED }, first: 1) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDashboard {\n    recent: applications(orderBy: NEWEST, first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          submittedAt\n          status\n        }\n      }\n    }\n    handlingStats {\n      vip\n      accepted\n      averageHours\n    }\n    arrears: dishonestyRecords(filter: { kind: ARREARS }, first: 1) {\n      totalCount\n    }\n    theft: dishonestyRecords(filter: { kind: THEFT }, first: 1) {\n      totalCount\n    }\n    violation: dishonestyRecords(filter: { kind: VIOLATION }, first: 1) {\n      totalCount\n    }\n    brokenPromise: dishonestyRecords(filter: { kind: BROKEN_PROMISE }, first: 1) {\n      totalCount\n    }\n    active: dishonestyRecords(filter: { status: ACTIVE }, first: 1) {\n      totalCount\n    }\n    underObjection: dishonestyRecords(filter: { status: UNDER_OBJECTION }, first: 1) {\n      totalCount\n    }\n    repaired: dishonestyRecords(filter: { status: REPAIRED }, first: 1) {\n      totalCount\n    }\n    revoked: dishonestyRecords(filter: { status: REVOKED }, first: 1) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(overdueOnly: $overdueOnly, assigneeId: $assigneeId) {\n      ...ConsoleDeadline\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(overdueOnly: $overdueOnly, assigneeId: $assigneeId) {\n      ...ConsoleDeadline\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleMarkNoticeRead($id: ID!) {\n    markNoticeRead(id: $id)\n  }\n"): (typeof documents)["\n  mutation ConsoleMarkNoticeRead($id: ID!) {\n    markNoticeRead(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleImport($input: ImportBillingFileInput!) {\n    importBillingFile(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleImport($input: ImportBillingFileInput!) {\n    importBillingFile(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      inserted\n      updated\n      unchanged\n      failed\n      message\n      createdAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      inserted\n      updated\n      unchanged\n      failed\n      message\n      createdAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n"): (typeof documents)["\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRetryPublication($input: RetryPublicationInput!) {\n    retryPublication(input: $input) {\n      publication {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRetryPublication($input: RetryPublicationInput!) {\n    retryPublication(input: $input) {\n      publication {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRunJob($name: String!) {\n    runJob(name: $name) {\n      job\n      status\n      detail\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRunJob($name: String!) {\n    runJob(name: $name) {\n      job\n      status\n      detail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n"): (typeof documents)["\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(overdueOnly: $overdueOnly) {\n      ...ConsoleDeadline\n    }\n  }\n"): (typeof documents)["\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(overdueOnly: $overdueOnly) {\n      ...ConsoleDeadline\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n"): (typeof documents)["\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n"): (typeof documents)["\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleStartRepair($id: ID!) {\n    startRepairReview(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleStartRepair($id: ID!) {\n    startRepairReview(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) {\n    requestRepairSupplement(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) {\n    requestRepairSupplement(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleApproveRepair($input: ReviewDecisionInput!) {\n    approveRepair(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleApproveRepair($input: ReviewDecisionInput!) {\n    approveRepair(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDenyRepair($input: ReviewDecisionInput!) {\n    denyRepair(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleDenyRepair($input: ReviewDecisionInput!) {\n    denyRepair(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleAcceptObjection($id: ID!) {\n    acceptObjection(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleAcceptObjection($id: ID!) {\n    acceptObjection(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) {\n    notAcceptObjection(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) {\n    notAcceptObjection(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleExtendObjection($input: ExtendObjectionInput!) {\n    extendObjection(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleExtendObjection($input: ExtendObjectionInput!) {\n    extendObjection(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDecideObjection($input: DecideObjectionInput!) {\n    decideObjection(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleDecideObjection($input: DecideObjectionInput!) {\n    decideObjection(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(text: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(text: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    objections(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n"): (typeof documents)["\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    objections(subjectId: $id) {\n      id\n      status\n      dueAt\n      record {\n        id\n        kind\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateUser($input: CreateStaffUserInput!) {\n    createStaffUser(input: $input) {\n      user {\n        id\n        username\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleCreateUser($input: CreateStaffUserInput!) {\n    createStaffUser(input: $input) {\n      user {\n        id\n        username\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDisableUser($input: DisableUserInput!) {\n    disableUser(input: $input) {\n      sessionsEnded\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleDisableUser($input: DisableUserInput!) {\n    disableUser(input: $input) {\n      sessionsEnded\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleEnableUser($input: EnableUserInput!) {\n    enableUser(input: $input) {\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleEnableUser($input: EnableUserInput!) {\n    enableUser(input: $input) {\n      user {\n        id\n        disabled\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleChangeRole($input: ChangeUserRoleInput!) {\n    changeUserRole(input: $input) {\n      sessionsEnded\n      user {\n        id\n        role\n        version\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleChangeRole($input: ChangeUserRoleInput!) {\n    changeUserRole(input: $input) {\n      sessionsEnded\n      user {\n        id\n        role\n        version\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleResetPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleResetPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleEndSessions($input: EndUserSessionsInput!) {\n    endUserSessions(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleEndSessions($input: EndUserSessionsInput!) {\n    endUserSessions(input: $input) {\n      sessionsEnded\n      user {\n        id\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;