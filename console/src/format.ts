// Labels and formats for people (Simplified Chinese); codes stay English.

const shanghai = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

export function fmtTime(t?: string | null): string {
  if (!t) return "—";
  return shanghai.format(new Date(t));
}

export function fmtDay(t?: string | null): string {
  if (!t) return "—";
  return fmtTime(t).slice(0, 10);
}

// toRFC3339 turns a datetime-local value (Shanghai wall time) into RFC 3339 with the zone.
export function toRFC3339(local: string): string {
  return (local.length === 16 ? local + ":00" : local) + "+08:00";
}

export const labels: Record<string, string> = {
  // roles
  ENTERPRISE: "企业用户",
  STAFF: "工作人员",
  CREDIT_OFFICER: "信用专员",
  ADMIN: "管理员",
  // application status
  SUBMITTED: "已提交",
  SURVEY_SCHEDULED: "已预约勘察",
  SURVEYED: "已勘察",
  CREDIT_CHECKED: "已信用核查",
  COMMITMENT_SIGNED: "已签承诺书",
  PUBLISHED: "承诺已公示",
  ACCEPTED: "已受理",
  REJECTED: "已驳回",
  FALLBACK_TO_DOCUMENTS: "转常规办理",
  WITHDRAWN: "已撤回",
  // record kinds and statuses
  ARREARS: "欠费",
  THEFT: "窃水",
  VIOLATION: "违约用水",
  BROKEN_PROMISE: "违背承诺",
  ACTIVE: "有效",
  UNDER_OBJECTION: "异议中",
  REPAIRED: "已修复",
  REVOKED: "已撤销",
  MINOR: "轻微",
  GENERAL: "一般",
  SERIOUS: "严重",
  // cases
  OPEN: "待确认",
  CONFIRMED: "已确认",
  DISMISSED: "已驳回",
  // repairs and objections
  NEEDS_SUPPLEMENT: "待补正",
  UNDER_REVIEW: "审核中",
  APPROVED: "已批准",
  DENIED: "不予修复",
  CORRECTED: "已更正",
  UPHELD: "维持原记录",
  NOT_ACCEPTED: "不予受理",
  REPAIR: "信用修复",
  OBJECTION: "异议",
  // tiers
  EXCELLENT: "优良",
  STANDARD: "一般",
  // grades
  GOOD: "良好",
  WATCH: "关注",
  DISHONEST: "失信",
  // handling paths
  ZERO_DOCUMENT: "信用承诺免材料",
  ORDINARY: "一般办理",
  // imports
  ACCOUNTS: "用水户",
  USAGE: "用水量",
  BILLS: "账单",
  PAYMENTS: "缴费",
  REMINDERS: "催缴",
  CONTRACTS: "供用水合同",
  QUEUED: "排队中",
  RUNNING: "进行中",
  DONE: "已完成",
  FAILED: "失败",
  PARTIAL: "部分失败",
  // land
  OWN_BUILDING_ON_STATE_LAND: "国有土地上自建房屋",
  OWN_STATE_LAND_NO_BUILDING: "国有土地未建房屋",
  OTHER: "其他",
};

export function label(code?: string | null): string {
  if (!code) return "—";
  return labels[code] ?? code;
}

export function errText(err: unknown): string {
  const e = err as { graphQLErrors?: { message: string; extensions?: Record<string, unknown> }[]; networkError?: Error; message?: string };
  if (e?.graphQLErrors?.length) {
    return e.graphQLErrors
      .map((g) => {
        const field = g.extensions?.field ? `（${g.extensions.field}）` : "";
        return `${g.message}${field}`;
      })
      .join("；");
  }
  if (e?.networkError) return "无法连接服务器";
  return e?.message ?? "操作失败";
}
