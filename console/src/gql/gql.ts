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
    "mutation ConsoleLogin($input: StaffLoginInput!) { staffLogin(input: $input) { token user { id role displayName } } }": typeof types.ConsoleLoginDocument,
    "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n": typeof types.ConsoleMeDocument,
    "mutation ConsoleLogout { logout { ok } }": typeof types.ConsoleLogoutDocument,
    "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n      extraReview {\n        required\n        passedAt\n        passedBy\n        note\n      }\n    }\n  }\n": typeof types.ConsoleApplicationDocument,
    "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n": typeof types.ConsoleStaffUsersDocument,
    "mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) { scheduleSurvey(input: $input) { application { id status version } } }": typeof types.ConsoleScheduleSurveyDocument,
    "mutation ConsoleRecordSurvey($input: RecordSurveyInput!) { recordSurvey(input: $input) { application { id status version } } }": typeof types.ConsoleRecordSurveyDocument,
    "mutation ConsoleCreditCheck($input: ApplicationStepInput!) { runCreditCheck(input: $input) { eligible conditions { code passed detail } application { id status version } } }": typeof types.ConsoleCreditCheckDocument,
    "mutation ConsoleAccept($input: AcceptApplicationInput!) { acceptApplication(input: $input) { application { id status version } } }": typeof types.ConsoleAcceptDocument,
    "mutation ConsolePassExtraReview($input: PassExtraReviewInput!) { passExtraReview(input: $input) { application { id status version } } }": typeof types.ConsolePassExtraReviewDocument,
    "mutation ConsoleReject($input: RejectApplicationInput!) { rejectApplication(input: $input) { application { id status version } } }": typeof types.ConsoleRejectDocument,
    "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n": typeof types.ConsoleAuditDocument,
    "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n    occurredOn\n    version\n  }\n": typeof types.ConsoleCaseFragmentDoc,
    "\n  query ConsoleCases($filter: CaseFilter, $first: Int, $after: String) {\n    cases(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ConsoleCase\n        }\n      }\n    }\n  }\n": typeof types.ConsoleCasesDocument,
    "mutation ConsoleOpenCase($input: OpenCaseInput!) { openCase(input: $input) { case { ...ConsoleCase } } }": typeof types.ConsoleOpenCaseDocument,
    "mutation ConsoleConfirmCase($input: DecideCaseInput!) { confirmCase(input: $input) { case { ...ConsoleCase } record { id status } } }": typeof types.ConsoleConfirmCaseDocument,
    "mutation ConsoleDismissCase($input: DecideCaseInput!) { dismissCase(input: $input) { case { ...ConsoleCase } } }": typeof types.ConsoleDismissCaseDocument,
    "\n  query ConsoleDashboard($from: Time, $to: Time) {\n    statistics(from: $from, to: $to) {\n      from\n      to\n      applicationsPerWeek {\n        weekStart\n        submitted\n        accepted\n      }\n      handlingByPath {\n        path\n        accepted\n        avgHours\n      }\n      recordsByKindAndStatus {\n        kind\n        status\n        count\n      }\n      tiers {\n        tier\n        count\n      }\n      grades {\n        grade\n        count\n      }\n      ratings {\n        rating\n        count\n      }\n      reviewDeadlines {\n        kind\n        onTime\n        late\n        openOnTime\n        openOverdue\n      }\n      csvUrl\n    }\n  }\n": typeof types.ConsoleDashboardDocument,
    "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(filter: { overdueOnly: $overdueOnly, assigneeId: $assigneeId }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n": typeof types.ConsoleDeadlinesDocument,
    "mutation ConsoleMarkNoticeRead($input: MarkNoticeReadInput!) { markNoticeRead(input: $input) { read } }": typeof types.ConsoleMarkNoticeReadDocument,
    "mutation ConsoleImport($input: ImportBillingFileInput!) { importBillingFile(input: $input) { job { id } } }": typeof types.ConsoleImportDocument,
    "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      totalRows\n      inserted\n      updated\n      unchanged\n      failed\n      errorCount\n      message\n      createdAt\n      updatedAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n": typeof types.ConsoleImportJobDocument,
    "\n  query ConsoleImportJobs($filter: ImportJobFilter, $first: Int, $after: String) {\n    importJobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          fileName\n          status\n          rows\n          totalRows\n          failed\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.ConsoleImportJobsDocument,
    "\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n": typeof types.ConsoleJobsDocument,
    "\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n": typeof types.ConsoleJobRunsDocument,
    "\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n": typeof types.ConsolePublicationsDocument,
    "mutation ConsoleRetryPublication($input: RetryPublicationInput!) { retryPublication(input: $input) { publication { id status } } }": typeof types.ConsoleRetryPublicationDocument,
    "mutation ConsoleRunJob($input: RunJobInput!) { runJob(input: $input) { run { job status detail } } }": typeof types.ConsoleRunJobDocument,
    "\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleQueueDocument,
    "\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleRecordsDocument,
    "\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n": typeof types.ConsoleDeadlineFragmentDoc,
    "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(filter: { overdueOnly: $overdueOnly }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n  }\n": typeof types.ConsoleOpenReviewsDocument,
    "\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n": typeof types.ConsoleEvidenceFragmentDoc,
    "\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n": typeof types.ConsoleRequestEventFragmentDoc,
    "\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n": typeof types.ConsoleReviewedRecordFragmentDoc,
    "\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": typeof types.ConsoleRepairDocument,
    "\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": typeof types.ConsoleObjectionDocument,
    "mutation ConsoleStartRepair($input: ReviewStepInput!) { startRepairReview(input: $input) { repair { id status version } } }": typeof types.ConsoleStartRepairDocument,
    "mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) { requestRepairSupplement(input: $input) { repair { id status version } } }": typeof types.ConsoleRepairSupplementDocument,
    "mutation ConsoleApproveRepair($input: ReviewDecisionInput!) { approveRepair(input: $input) { repair { id status version } } }": typeof types.ConsoleApproveRepairDocument,
    "mutation ConsoleDenyRepair($input: ReviewDecisionInput!) { denyRepair(input: $input) { repair { id status version } } }": typeof types.ConsoleDenyRepairDocument,
    "mutation ConsoleAcceptObjection($input: ReviewStepInput!) { acceptObjection(input: $input) { objection { id status version } } }": typeof types.ConsoleAcceptObjectionDocument,
    "mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) { notAcceptObjection(input: $input) { objection { id status version } } }": typeof types.ConsoleNotAcceptObjectionDocument,
    "mutation ConsoleExtendObjection($input: ExtendObjectionInput!) { extendObjection(input: $input) { objection { id status version } } }": typeof types.ConsoleExtendObjectionDocument,
    "mutation ConsoleDecideObjection($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { id status version } } }": typeof types.ConsoleDecideObjectionDocument,
    "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(query: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n": typeof types.ConsoleSearchSubjectsDocument,
    "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      grade\n      gradeReasons\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    objections(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n": typeof types.ConsoleSubjectDocument,
    "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n": typeof types.ConsoleUsersDocument,
    "mutation ConsoleCreateUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { user { id username } } }": typeof types.ConsoleCreateUserDocument,
    "mutation ConsoleDisableUser($input: DisableUserInput!) { disableUser(input: $input) { sessionsEnded user { id disabled version } } }": typeof types.ConsoleDisableUserDocument,
    "mutation ConsoleEnableUser($input: EnableUserInput!) { enableUser(input: $input) { user { id disabled version } } }": typeof types.ConsoleEnableUserDocument,
    "mutation ConsoleChangeRole($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { sessionsEnded user { id role version } } }": typeof types.ConsoleChangeRoleDocument,
    "mutation ConsoleResetPassword($input: ResetUserPasswordInput!) { resetUserPassword(input: $input) { sessionsEnded user { id } } }": typeof types.ConsoleResetPasswordDocument,
    "mutation ConsoleEndSessions($input: EndUserSessionsInput!) { endUserSessions(input: $input) { sessionsEnded user { id } } }": typeof types.ConsoleEndSessionsDocument,
};
const documents: Documents = {
    "mutation ConsoleLogin($input: StaffLoginInput!) { staffLogin(input: $input) { token user { id role displayName } } }": types.ConsoleLoginDocument,
    "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n": types.ConsoleMeDocument,
    "mutation ConsoleLogout { logout { ok } }": types.ConsoleLogoutDocument,
    "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n      extraReview {\n        required\n        passedAt\n        passedBy\n        note\n      }\n    }\n  }\n": types.ConsoleApplicationDocument,
    "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n": types.ConsoleStaffUsersDocument,
    "mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) { scheduleSurvey(input: $input) { application { id status version } } }": types.ConsoleScheduleSurveyDocument,
    "mutation ConsoleRecordSurvey($input: RecordSurveyInput!) { recordSurvey(input: $input) { application { id status version } } }": types.ConsoleRecordSurveyDocument,
    "mutation ConsoleCreditCheck($input: ApplicationStepInput!) { runCreditCheck(input: $input) { eligible conditions { code passed detail } application { id status version } } }": types.ConsoleCreditCheckDocument,
    "mutation ConsoleAccept($input: AcceptApplicationInput!) { acceptApplication(input: $input) { application { id status version } } }": types.ConsoleAcceptDocument,
    "mutation ConsolePassExtraReview($input: PassExtraReviewInput!) { passExtraReview(input: $input) { application { id status version } } }": types.ConsolePassExtraReviewDocument,
    "mutation ConsoleReject($input: RejectApplicationInput!) { rejectApplication(input: $input) { application { id status version } } }": types.ConsoleRejectDocument,
    "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n": types.ConsoleAuditDocument,
    "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n    occurredOn\n    version\n  }\n": types.ConsoleCaseFragmentDoc,
    "\n  query ConsoleCases($filter: CaseFilter, $first: Int, $after: String) {\n    cases(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ConsoleCase\n        }\n      }\n    }\n  }\n": types.ConsoleCasesDocument,
    "mutation ConsoleOpenCase($input: OpenCaseInput!) { openCase(input: $input) { case { ...ConsoleCase } } }": types.ConsoleOpenCaseDocument,
    "mutation ConsoleConfirmCase($input: DecideCaseInput!) { confirmCase(input: $input) { case { ...ConsoleCase } record { id status } } }": types.ConsoleConfirmCaseDocument,
    "mutation ConsoleDismissCase($input: DecideCaseInput!) { dismissCase(input: $input) { case { ...ConsoleCase } } }": types.ConsoleDismissCaseDocument,
    "\n  query ConsoleDashboard($from: Time, $to: Time) {\n    statistics(from: $from, to: $to) {\n      from\n      to\n      applicationsPerWeek {\n        weekStart\n        submitted\n        accepted\n      }\n      handlingByPath {\n        path\n        accepted\n        avgHours\n      }\n      recordsByKindAndStatus {\n        kind\n        status\n        count\n      }\n      tiers {\n        tier\n        count\n      }\n      grades {\n        grade\n        count\n      }\n      ratings {\n        rating\n        count\n      }\n      reviewDeadlines {\n        kind\n        onTime\n        late\n        openOnTime\n        openOverdue\n      }\n      csvUrl\n    }\n  }\n": types.ConsoleDashboardDocument,
    "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(filter: { overdueOnly: $overdueOnly, assigneeId: $assigneeId }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n": types.ConsoleDeadlinesDocument,
    "mutation ConsoleMarkNoticeRead($input: MarkNoticeReadInput!) { markNoticeRead(input: $input) { read } }": types.ConsoleMarkNoticeReadDocument,
    "mutation ConsoleImport($input: ImportBillingFileInput!) { importBillingFile(input: $input) { job { id } } }": types.ConsoleImportDocument,
    "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      totalRows\n      inserted\n      updated\n      unchanged\n      failed\n      errorCount\n      message\n      createdAt\n      updatedAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n": types.ConsoleImportJobDocument,
    "\n  query ConsoleImportJobs($filter: ImportJobFilter, $first: Int, $after: String) {\n    importJobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          fileName\n          status\n          rows\n          totalRows\n          failed\n          createdAt\n        }\n      }\n    }\n  }\n": types.ConsoleImportJobsDocument,
    "\n  query ConsoleJobs {\n    jobs {\n      name\n      schedule\n    }\n  }\n": types.ConsoleJobsDocument,
    "\n  query ConsoleJobRuns($name: String!) {\n    jobRuns(filter: { job: $name }, first: 20) {\n      totalCount\n      edges {\n        node {\n          job\n          trigger\n          instance\n          startedAt\n          finishedAt\n          status\n          detail\n          slotAt\n          reason\n        }\n      }\n    }\n  }\n": types.ConsoleJobRunsDocument,
    "\n  query ConsolePublications($status: PublicationStatus) {\n    publications(filter: { status: $status }, first: 30) {\n      totalCount\n      edges {\n        node {\n          id\n          kind\n          aggregateId\n          status\n          attempts\n          nextAttemptAt\n          lastError\n          createdAt\n          doneAt\n        }\n      }\n    }\n  }\n": types.ConsolePublicationsDocument,
    "mutation ConsoleRetryPublication($input: RetryPublicationInput!) { retryPublication(input: $input) { publication { id status } } }": types.ConsoleRetryPublicationDocument,
    "mutation ConsoleRunJob($input: RunJobInput!) { runJob(input: $input) { run { job status detail } } }": types.ConsoleRunJobDocument,
    "\n  query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {\n    applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        ageSeconds\n        stepDue\n        overdue\n        node {\n          id\n          status\n          vip\n          address\n          category\n          channel\n          submittedAt\n          stepSince\n          wantsCreditHandling\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleQueueDocument,
    "\n  query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {\n    dishonestyRecords(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          severity\n          status\n          source\n          summary\n          accountNo\n          decidedOn\n          publicityEnd\n          subject {\n            id\n            name\n            uscc\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleRecordsDocument,
    "\n  fragment ConsoleDeadline on Deadline {\n    kind\n    id\n    recordId\n    subjectId\n    status\n    dueAt\n    overdue\n    assigneeId\n  }\n": types.ConsoleDeadlineFragmentDoc,
    "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(filter: { overdueOnly: $overdueOnly }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n  }\n": types.ConsoleOpenReviewsDocument,
    "\n  fragment ConsoleEvidence on EvidenceItem {\n    id\n    kind\n    text\n    fileName\n    url\n  }\n": types.ConsoleEvidenceFragmentDoc,
    "\n  fragment ConsoleRequestEvent on RequestEvent {\n    at\n    action\n    fromStatus\n    toStatus\n    reason\n  }\n": types.ConsoleRequestEventFragmentDoc,
    "\n  fragment ConsoleReviewedRecord on DishonestyRecord {\n    id\n    kind\n    severity\n    status\n    summary\n    subject {\n      id\n      name\n      uscc\n    }\n  }\n": types.ConsoleReviewedRecordFragmentDoc,
    "\n  query ConsoleRepair($id: ID!) {\n    repair(id: $id) {\n      id\n      status\n      statement\n      missingItems\n      dueAt\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": types.ConsoleRepairDocument,
    "\n  query ConsoleObjection($id: ID!) {\n    objection(id: $id) {\n      id\n      status\n      reason\n      dueAt\n      extended\n      decision\n      decidedAt\n      version\n      evidence {\n        ...ConsoleEvidence\n      }\n      history {\n        ...ConsoleRequestEvent\n      }\n      record {\n        ...ConsoleReviewedRecord\n      }\n    }\n  }\n": types.ConsoleObjectionDocument,
    "mutation ConsoleStartRepair($input: ReviewStepInput!) { startRepairReview(input: $input) { repair { id status version } } }": types.ConsoleStartRepairDocument,
    "mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) { requestRepairSupplement(input: $input) { repair { id status version } } }": types.ConsoleRepairSupplementDocument,
    "mutation ConsoleApproveRepair($input: ReviewDecisionInput!) { approveRepair(input: $input) { repair { id status version } } }": types.ConsoleApproveRepairDocument,
    "mutation ConsoleDenyRepair($input: ReviewDecisionInput!) { denyRepair(input: $input) { repair { id status version } } }": types.ConsoleDenyRepairDocument,
    "mutation ConsoleAcceptObjection($input: ReviewStepInput!) { acceptObjection(input: $input) { objection { id status version } } }": types.ConsoleAcceptObjectionDocument,
    "mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) { notAcceptObjection(input: $input) { objection { id status version } } }": types.ConsoleNotAcceptObjectionDocument,
    "mutation ConsoleExtendObjection($input: ExtendObjectionInput!) { extendObjection(input: $input) { objection { id status version } } }": types.ConsoleExtendObjectionDocument,
    "mutation ConsoleDecideObjection($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { id status version } } }": types.ConsoleDecideObjectionDocument,
    "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(query: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n": types.ConsoleSearchSubjectsDocument,
    "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      grade\n      gradeReasons\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    objections(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n": types.ConsoleSubjectDocument,
    "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n": types.ConsoleUsersDocument,
    "mutation ConsoleCreateUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { user { id username } } }": types.ConsoleCreateUserDocument,
    "mutation ConsoleDisableUser($input: DisableUserInput!) { disableUser(input: $input) { sessionsEnded user { id disabled version } } }": types.ConsoleDisableUserDocument,
    "mutation ConsoleEnableUser($input: EnableUserInput!) { enableUser(input: $input) { user { id disabled version } } }": types.ConsoleEnableUserDocument,
    "mutation ConsoleChangeRole($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { sessionsEnded user { id role version } } }": types.ConsoleChangeRoleDocument,
    "mutation ConsoleResetPassword($input: ResetUserPasswordInput!) { resetUserPassword(input: $input) { sessionsEnded user { id } } }": types.ConsoleResetPasswordDocument,
    "mutation ConsoleEndSessions($input: EndUserSessionsInput!) { endUserSessions(input: $input) { sessionsEnded user { id } } }": types.ConsoleEndSessionsDocument,
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
export function graphql(source: "mutation ConsoleLogin($input: StaffLoginInput!) { staffLogin(input: $input) { token user { id role displayName } } }"): (typeof documents)["mutation ConsoleLogin($input: StaffLoginInput!) { staffLogin(input: $input) { token user { id role displayName } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMe {\n    me {\n      id\n      role\n      displayName\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleLogout { logout { ok } }"): (typeof documents)["mutation ConsoleLogout { logout { ok } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n      extraReview {\n        required\n        passedAt\n        passedBy\n        note\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleApplication($id: ID!) {\n    application(id: $id) {\n      id\n      status\n      version\n      address\n      land\n      category\n      contactName\n      contactPhoneMasked\n      wantsCreditHandling\n      vip\n      channel\n      submittedAt\n      stepSince\n      surveyAssigneeId\n      surveyAt\n      reportNo\n      rating\n      creditCheckedAt\n      acceptedAt\n      documentsWaived\n      missingDocuments\n      reason\n      failedConditions {\n        code\n        passed\n        detail\n      }\n      commitment {\n        id\n        signedAt\n        publishedAt\n        sha256\n        htmlUrl\n      }\n      subject {\n        id\n        name\n        uscc\n        tier\n      }\n      events {\n        at\n        actorId\n        actorRole\n        fromStatus\n        toStatus\n        reason\n      }\n      extraReview {\n        required\n        passedAt\n        passedBy\n        note\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleStaffUsers {\n    users(filter: { disabled: false }, first: 100) {\n      edges {\n        node {\n          id\n          displayName\n          role\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) { scheduleSurvey(input: $input) { application { id status version } } }"): (typeof documents)["mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) { scheduleSurvey(input: $input) { application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRecordSurvey($input: RecordSurveyInput!) { recordSurvey(input: $input) { application { id status version } } }"): (typeof documents)["mutation ConsoleRecordSurvey($input: RecordSurveyInput!) { recordSurvey(input: $input) { application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleCreditCheck($input: ApplicationStepInput!) { runCreditCheck(input: $input) { eligible conditions { code passed detail } application { id status version } } }"): (typeof documents)["mutation ConsoleCreditCheck($input: ApplicationStepInput!) { runCreditCheck(input: $input) { eligible conditions { code passed detail } application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleAccept($input: AcceptApplicationInput!) { acceptApplication(input: $input) { application { id status version } } }"): (typeof documents)["mutation ConsoleAccept($input: AcceptApplicationInput!) { acceptApplication(input: $input) { application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsolePassExtraReview($input: PassExtraReviewInput!) { passExtraReview(input: $input) { application { id status version } } }"): (typeof documents)["mutation ConsolePassExtraReview($input: PassExtraReviewInput!) { passExtraReview(input: $input) { application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleReject($input: RejectApplicationInput!) { rejectApplication(input: $input) { application { id status version } } }"): (typeof documents)["mutation ConsoleReject($input: RejectApplicationInput!) { rejectApplication(input: $input) { application { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          actorId\n          actorRole\n          action\n          subjectType\n          subjectId\n          purpose\n          requestId\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n    occurredOn\n    version\n  }\n"): (typeof documents)["\n  fragment ConsoleCase on ViolationCase {\n    id\n    caseNo\n    subjectId\n    kind\n    severity\n    status\n    description\n    recordId\n    occurredOn\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleCases($filter: CaseFilter, $first: Int, $after: String) {\n    cases(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ConsoleCase\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleCases($filter: CaseFilter, $first: Int, $after: String) {\n    cases(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...ConsoleCase\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleOpenCase($input: OpenCaseInput!) { openCase(input: $input) { case { ...ConsoleCase } } }"): (typeof documents)["mutation ConsoleOpenCase($input: OpenCaseInput!) { openCase(input: $input) { case { ...ConsoleCase } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleConfirmCase($input: DecideCaseInput!) { confirmCase(input: $input) { case { ...ConsoleCase } record { id status } } }"): (typeof documents)["mutation ConsoleConfirmCase($input: DecideCaseInput!) { confirmCase(input: $input) { case { ...ConsoleCase } record { id status } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDismissCase($input: DecideCaseInput!) { dismissCase(input: $input) { case { ...ConsoleCase } } }"): (typeof documents)["mutation ConsoleDismissCase($input: DecideCaseInput!) { dismissCase(input: $input) { case { ...ConsoleCase } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDashboard($from: Time, $to: Time) {\n    statistics(from: $from, to: $to) {\n      from\n      to\n      applicationsPerWeek {\n        weekStart\n        submitted\n        accepted\n      }\n      handlingByPath {\n        path\n        accepted\n        avgHours\n      }\n      recordsByKindAndStatus {\n        kind\n        status\n        count\n      }\n      tiers {\n        tier\n        count\n      }\n      grades {\n        grade\n        count\n      }\n      ratings {\n        rating\n        count\n      }\n      reviewDeadlines {\n        kind\n        onTime\n        late\n        openOnTime\n        openOverdue\n      }\n      csvUrl\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDashboard($from: Time, $to: Time) {\n    statistics(from: $from, to: $to) {\n      from\n      to\n      applicationsPerWeek {\n        weekStart\n        submitted\n        accepted\n      }\n      handlingByPath {\n        path\n        accepted\n        avgHours\n      }\n      recordsByKindAndStatus {\n        kind\n        status\n        count\n      }\n      tiers {\n        tier\n        count\n      }\n      grades {\n        grade\n        count\n      }\n      ratings {\n        rating\n        count\n      }\n      reviewDeadlines {\n        kind\n        onTime\n        late\n        openOnTime\n        openOverdue\n      }\n      csvUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(filter: { overdueOnly: $overdueOnly, assigneeId: $assigneeId }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n"): (typeof documents)["\n  query ConsoleDeadlines($overdueOnly: Boolean, $assigneeId: ID) {\n    deadlines(filter: { overdueOnly: $overdueOnly, assigneeId: $assigneeId }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n    myNotices {\n      id\n      kind\n      refId\n      text\n      createdAt\n      readAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleMarkNoticeRead($input: MarkNoticeReadInput!) { markNoticeRead(input: $input) { read } }"): (typeof documents)["mutation ConsoleMarkNoticeRead($input: MarkNoticeReadInput!) { markNoticeRead(input: $input) { read } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleImport($input: ImportBillingFileInput!) { importBillingFile(input: $input) { job { id } } }"): (typeof documents)["mutation ConsoleImport($input: ImportBillingFileInput!) { importBillingFile(input: $input) { job { id } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      totalRows\n      inserted\n      updated\n      unchanged\n      failed\n      errorCount\n      message\n      createdAt\n      updatedAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleImportJob($id: ID!) {\n    importJob(id: $id) {\n      id\n      kind\n      fileName\n      encoding\n      status\n      rows\n      totalRows\n      inserted\n      updated\n      unchanged\n      failed\n      errorCount\n      message\n      createdAt\n      updatedAt\n      finishedAt\n      errors(limit: 100) {\n        line\n        column\n        reason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleImportJobs($filter: ImportJobFilter, $first: Int, $after: String) {\n    importJobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          fileName\n          status\n          rows\n          totalRows\n          failed\n          createdAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleImportJobs($filter: ImportJobFilter, $first: Int, $after: String) {\n    importJobs(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          fileName\n          status\n          rows\n          totalRows\n          failed\n          createdAt\n        }\n      }\n    }\n  }\n"];
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
export function graphql(source: "mutation ConsoleRetryPublication($input: RetryPublicationInput!) { retryPublication(input: $input) { publication { id status } } }"): (typeof documents)["mutation ConsoleRetryPublication($input: RetryPublicationInput!) { retryPublication(input: $input) { publication { id status } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRunJob($input: RunJobInput!) { runJob(input: $input) { run { job status detail } } }"): (typeof documents)["mutation ConsoleRunJob($input: RunJobInput!) { runJob(input: $input) { run { job status detail } } }"];
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
export function graphql(source: "\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(filter: { overdueOnly: $overdueOnly }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleOpenReviews($overdueOnly: Boolean) {\n    deadlines(filter: { overdueOnly: $overdueOnly }, first: 100) {\n      totalCount\n      edges {\n        node {\n          ...ConsoleDeadline\n        }\n      }\n    }\n  }\n"];
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
export function graphql(source: "mutation ConsoleStartRepair($input: ReviewStepInput!) { startRepairReview(input: $input) { repair { id status version } } }"): (typeof documents)["mutation ConsoleStartRepair($input: ReviewStepInput!) { startRepairReview(input: $input) { repair { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) { requestRepairSupplement(input: $input) { repair { id status version } } }"): (typeof documents)["mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) { requestRepairSupplement(input: $input) { repair { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleApproveRepair($input: ReviewDecisionInput!) { approveRepair(input: $input) { repair { id status version } } }"): (typeof documents)["mutation ConsoleApproveRepair($input: ReviewDecisionInput!) { approveRepair(input: $input) { repair { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDenyRepair($input: ReviewDecisionInput!) { denyRepair(input: $input) { repair { id status version } } }"): (typeof documents)["mutation ConsoleDenyRepair($input: ReviewDecisionInput!) { denyRepair(input: $input) { repair { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleAcceptObjection($input: ReviewStepInput!) { acceptObjection(input: $input) { objection { id status version } } }"): (typeof documents)["mutation ConsoleAcceptObjection($input: ReviewStepInput!) { acceptObjection(input: $input) { objection { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) { notAcceptObjection(input: $input) { objection { id status version } } }"): (typeof documents)["mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) { notAcceptObjection(input: $input) { objection { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleExtendObjection($input: ExtendObjectionInput!) { extendObjection(input: $input) { objection { id status version } } }"): (typeof documents)["mutation ConsoleExtendObjection($input: ExtendObjectionInput!) { extendObjection(input: $input) { objection { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDecideObjection($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { id status version } } }"): (typeof documents)["mutation ConsoleDecideObjection($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { id status version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(query: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleSearchSubjects($text: String!) {\n    searchSubjects(query: $text, first: 20) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          uscc\n          tier\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      grade\n      gradeReasons\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    objections(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n"): (typeof documents)["\n  query ConsoleSubject($id: ID!) {\n    subject(id: $id) {\n      id\n      kind\n      name\n      uscc\n      tier\n      tierSince\n      legalRepName\n      registryStatus\n    }\n    creditProfile(subjectId: $id) {\n      tier\n      tierEvaluatedAt\n      grade\n      gradeReasons\n      nextReevaluation\n      accountManagerId\n      incentives {\n        accountManager\n        vip\n        lenientAcceptance\n        usageAnalysis\n      }\n      records {\n        id\n        kind\n        severity\n        status\n        summary\n        decidedOn\n        accountNo\n      }\n    }\n    repairs(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    objections(filter: { subjectId: $id }, first: 50) {\n      edges {\n        node {\n          id\n          status\n          dueAt\n          record {\n            id\n            kind\n          }\n        }\n      }\n    }\n    enterpriseAgents(subjectId: $id) {\n      id\n      personName\n      status\n      role\n      scopes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {\n    users(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          role\n          displayName\n          username\n          createdAt\n          lastLoginAt\n          disabled\n          version\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleCreateUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { user { id username } } }"): (typeof documents)["mutation ConsoleCreateUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { user { id username } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDisableUser($input: DisableUserInput!) { disableUser(input: $input) { sessionsEnded user { id disabled version } } }"): (typeof documents)["mutation ConsoleDisableUser($input: DisableUserInput!) { disableUser(input: $input) { sessionsEnded user { id disabled version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleEnableUser($input: EnableUserInput!) { enableUser(input: $input) { user { id disabled version } } }"): (typeof documents)["mutation ConsoleEnableUser($input: EnableUserInput!) { enableUser(input: $input) { user { id disabled version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleChangeRole($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { sessionsEnded user { id role version } } }"): (typeof documents)["mutation ConsoleChangeRole($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { sessionsEnded user { id role version } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleResetPassword($input: ResetUserPasswordInput!) { resetUserPassword(input: $input) { sessionsEnded user { id } } }"): (typeof documents)["mutation ConsoleResetPassword($input: ResetUserPasswordInput!) { resetUserPassword(input: $input) { sessionsEnded user { id } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleEndSessions($input: EndUserSessionsInput!) { endUserSessions(input: $input) { sessionsEnded user { id } } }"): (typeof documents)["mutation ConsoleEndSessions($input: EndUserSessionsInput!) { endUserSessions(input: $input) { sessionsEnded user { id } } }"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;