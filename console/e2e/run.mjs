// Browser tests of the staff console (R8.2), run by e2e/run.sh against the
// real binary: headless Debian Chromium through playwright-core. Each step
// saves a screenshot to e2e/screenshots/. Every request any page makes is
// recorded; one to a host other than the server fails the run.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const base = process.env.CW_E2E_BASE ?? "http://127.0.0.1:18180";
const origin = new URL(base).origin;
const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
mkdirSync(shots, { recursive: true });
const foreign = [];
const run = Date.now().toString(36);

// gql calls the API as the enterprise user of the mini-program would (the
// console is for staff; the applicant's side is set up through the API).
async function gql(token, query, variables = {}) {
  const r = await fetch(base + "/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const browser = await chromium.launch({
  executablePath: process.env.CW_E2E_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on("request", (req) => {
    const u = req.url();
    if (!u.startsWith("data:") && new URL(u).origin !== origin) foreign.push(u);
  });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.on("dialog", (d) => d.accept(page.nextPrompt ?? ""));
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, name + ".png"), fullPage: false });
}

async function login(page, username, password) {
  await page.goto(base + "/console/");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByTestId("whoami").waitFor();
}

async function menu(page, text) {
  await page.getByRole("navigation").getByRole("link", { name: text }).click();
}

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
    for (const [who, p] of Object.entries(pages)) await shot(p, "failed-" + who).catch(() => {});
    throw e;
  }
}

const state = {};
const staff = await newPage();
const officer = await newPage();
const admin = await newPage();
const pages = { staff, officer, admin };

try {
  await step("enterprise user binds the demo enterprise and applies (API)", async () => {
    const { wechatLogin } = await gql(null, `mutation($c:String!){wechatLogin(input:{code:$c}){token}}`, { c: "e2e-" + run });
    const t = (state.ent = wechatLogin.token);
    const { consentTexts } = await gql(t, `{consentTexts{purpose version}}`);
    for (const c of consentTexts) {
      await gql(t, `mutation($p:ConsentPurpose!,$v:String!){giveConsent(input:{purpose:$p,textVersion:$v}){__typename}}`, { p: c.purpose, v: c.version });
    }
    const { bindEnterprise } = await gql(
      t,
      `mutation{bindEnterprise(input:{uscc:"914403001922038216",legalRepName:"林志强",idType:RESIDENT_ID_CARD,idNumber:"11010519491231002X"}){binding{id}}}`,
    );
    await face(t, { bindingId: bindEnterprise.binding.id });
    const { myEnterprises } = await gql(t, `{myEnterprises{status subject{id}}}`);
    state.subjectId = myEnterprises.find((b) => b.status === "ACTIVE").subject.id;
    const { submitApplication } = await gql(
      t,
      `mutation($s:ID!,$k:String!){submitApplication(input:{subjectId:$s,address:"韶关市浈江区工业大道 8 号 2 栋",land:OWN_BUILDING_ON_STATE_LAND,category:"工业",contactName:"林志强",wantsCreditHandling:true,idempotencyKey:$k}){application{id}}}`,
      { s: state.subjectId, k: "e2e-" + run },
    );
    state.appId = submitApplication.application.id;
  });

  await step("login page (screenshot)", async () => {
    await staff.goto(base + "/console/");
    await staff.getByRole("button", { name: "登录" }).waitFor();
    await shot(staff, "01-login");
  });

  await step("staff takes the application from the queue to acceptance", async () => {
    await login(staff, "staff", "demo-staff-pass");
    await staff.getByTestId("queue").getByText("韶关市浈江区工业大道 8 号 2 栋").waitFor();
    await shot(staff, "02-queue");
    await staff.getByTestId("queue").getByText("韶关市浈江区工业大道 8 号 2 栋").click();
    await staff.getByRole("button", { name: "预约勘察" }).click();
    await staff.getByRole("button", { name: "登记勘察" }).click();
    await staff.getByRole("button", { name: "执行信用核查" }).click();
    await staff.getByText("等待法定代表人在小程序签署信用承诺书。").waitFor();
    await shot(staff, "03-application-checked");
    // The legal representative signs in the mini-program (API); the outbox
    // publishes the commitment to the credit platform.
    await face(state.ent, { subjectId: state.subjectId });
    const { application } = await gql(state.ent, `query($id:ID!){application(id:$id){version}}`, { id: state.appId });
    await gql(state.ent, `mutation($id:ID!,$v:Int){signCommitment(input:{applicationId:$id,noProofReason:"自建厂房，产权证明办理中",relation:OWNER,version:$v}){application{status}}}`, {
      id: state.appId,
      v: application.version,
    });
    for (let i = 0; i < 60; i++) {
      const d = await gql(state.ent, `query($id:ID!){application(id:$id){status}}`, { id: state.appId });
      if (d.application.status === "PUBLISHED") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await staff.reload();
    await staff.getByRole("button", { name: "受理申请" }).click();
    await staff.getByTestId("history").getByText("已受理").waitFor();
    await shot(staff, "04-application-accepted");
  });

  await step("the queue's search runs on the server (prefix of the USCC)", async () => {
    await menu(staff, "办理队列");
    await staff.getByLabel("状态").selectOption("ALL");
    const asked = staff.waitForRequest((r) => r.url().endsWith("/graphql") && (r.postData() ?? "").includes('"keyword":"9144030019220382"'));
    await staff.getByLabel("搜索").fill("9144030019220382");
    await asked;
    await staff.getByTestId("queue").getByText("韶关市浈江区工业大道 8 号 2 栋").first().waitFor();
    await staff.getByLabel("搜索").fill("不存在的单位名称");
    await staff.getByTestId("queue").getByText("韶关市浈江区工业大道 8 号 2 栋").first().waitFor({ state: "detached" });
    await shot(staff, "02b-queue-search");
    await staff.getByLabel("搜索").fill("");
  });

  await step("subject search and view", async () => {
    await menu(staff, "主体查询");
    await staff.getByLabel("统一社会信用代码、名称或户号").fill("914403001922038216");
    await staff.getByRole("button", { name: "查询" }).click();
    await staff.getByTestId("subject-search").getByText("韶关市清源食品有限公司").click();
    await staff.getByText("经办人与绑定").waitFor();
    await shot(staff, "05-subject");
  });

  await step("staff opens a case and the credit officer confirms it", async () => {
    await menu(staff, "案件");
    await staff.getByLabel("案件编号").fill("E2E-" + run);
    await staff.getByLabel("主体 ID").fill(state.subjectId);
    await staff.getByLabel("类型").selectOption("VIOLATION");
    await staff.getByLabel("情况说明").fill("擅自改变用水性质");
    await staff.getByLabel("证据").fill("现场检查记录 2026-11-30");
    await staff.getByRole("button", { name: "登记案件" }).click();
    const notice = await staff.getByRole("status").filter({ hasText: "案件 ID：" }).textContent();
    state.caseId = notice.match(/案件 ID：([^）]+)）/)[1];
    await shot(staff, "06-case-opened");
    await login(officer, "officer", "demo-officer-pass");
    await menu(officer, "案件");
    await officer.getByLabel("案件 ID").fill(state.caseId);
    await officer.getByLabel("审核意见").fill("证据充分，予以确认");
    await officer.getByRole("button", { name: "确认案件" }).click();
    await officer.getByText("已确认，失信记录已生成").waitFor();
    await shot(officer, "07-case-confirmed");
  });

  await step("cases list: filters and the confirmed case", async () => {
    await officer.getByLabel("案件状态").selectOption("CONFIRMED");
    await officer.getByLabel("案件种类").selectOption("VIOLATION");
    await officer.getByTestId("cases").getByText("E2E-" + run).waitFor();
    await officer.getByLabel("案件状态").selectOption("OPEN");
    await officer.getByTestId("cases").getByText("E2E-" + run).waitFor({ state: "detached" });
    await officer.getByLabel("案件状态").selectOption("CONFIRMED");
    await shot(officer, "07b-cases-list");
  });

  await step("records list", async () => {
    await menu(officer, "失信记录");
    await officer.getByTestId("records").getByText("违约用水").first().waitFor();
    await shot(officer, "08-records");
  });

  await step("the credit officer decides an objection", async () => {
    const { dishonestyRecords } = await gql(state.ent, `query($s:ID){dishonestyRecords(filter:{subjectId:$s,kind:VIOLATION}){edges{node{id}}}}`, { s: state.subjectId });
    await gql(state.ent, `mutation($r:ID!){fileObjection(input:{recordId:$r,reason:"该地址当月已办理用水性质变更"}){objection{id}}}`, { r: dishonestyRecords.edges[0].node.id });
    await menu(officer, "修复与异议");
    await officer.getByTestId("reviews").getByText("异议").first().click();
    await officer.getByRole("button", { name: "受理异议" }).click();
    await officer.getByRole("button", { name: "作出决定" }).waitFor();
    await officer.getByLabel("意见").fill("经核实变更手续已办结，撤销记录");
    await officer.getByLabel("处理结果").selectOption("REVOKED");
    await officer.getByRole("button", { name: "作出决定" }).click();
    await officer.getByText("维持原记录").waitFor({ state: "detached" }).catch(() => {});
    await officer.locator(".dl").getByText("已撤销").first().waitFor();
    await shot(officer, "09-objection-decided");
  });

  await step("deadlines and notices", async () => {
    await menu(officer, "期限与提醒");
    await officer.getByText("我的提醒").waitFor();
    await shot(officer, "10-deadlines");
  });

  await step("staff imports a billing file and watches its progress", async () => {
    await menu(staff, "账务导入");
    await staff.getByLabel("文件类型").selectOption("BILLS");
    // 3000 rows: the upload returns a QUEUED job at once and the server's
    // worker imports it in the background; the console polls its progress.
    let csv = "bill_no,account_no,period,amount_yuan,issued_on,due_on\n" + `E2E-${run}-1,DEMO-0001,2026-10,880.00,2026-11-03,2026-11-30\n` + `E2E-${run}-2,DEMO-0001,2026-10,十二元,2026-11-03,2026-11-30\n`;
    for (let i = 3; i <= 3000; i++) csv += `E2E-${run}-${i},DEMO-0001,2026-10,${i}.50,2026-11-03,2026-11-30\n`;
    await staff.getByLabel("文件", { exact: true }).setInputFiles({ name: `bills-e2e-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
    await staff.getByRole("button", { name: "开始导入" }).click();
    await staff.getByTestId("import-jobs").getByText(`bills-e2e-${run}.csv`).waitFor();
    const job = staff.getByTestId("import-job");
    await job.waitFor();
    await job.getByText("/ 3000 行").waitFor();
    await job.getByRole("progressbar").and(staff.locator('[aria-valuenow="100"]')).waitFor({ timeout: 60000 });
    await job.getByText("已完成").first().waitFor();
    await staff.getByTestId("import-errors").getByText("3").first().waitFor();
    await staff.getByTestId("import-errors").getByText("amount_yuan").first().waitFor();
    await shot(staff, "11-import");
  });

  await step("dashboard", async () => {
    await menu(staff, "统计看板");
    await staff.getByRole("img", { name: "每周申请数" }).waitFor();
    await staff.getByRole("img", { name: "平均办理时长" }).getByText("信用承诺免材料（1 件）").waitFor();
    const grades = staff.getByRole("img", { name: "信用分级分布" });
    for (const g of ["优良", "良好", "关注", "失信"]) await grades.getByText(g).first().waitFor();
    await staff.getByTestId("review-deadlines").getByText("异议").waitFor();
    await shot(staff, "12-dashboard");
  });

  await step("admin disables a user and their session ends", async () => {
    await login(admin, "admin", "demo-admin-pass");
    await menu(admin, "用户");
    const username = "e2e" + run;
    await admin.getByLabel("用户名", { exact: true }).fill(username);
    await admin.getByLabel("姓名").fill("测试员");
    await admin.getByLabel("初始密码").fill("e2e-password-123");
    await admin.getByRole("button", { name: "创建" }).click();
    await admin.getByText("已创建用户 " + username).waitFor();
    const victim = await newPage();
    await login(victim, username, "e2e-password-123");
    await shot(admin, "13-users");
    admin.nextPrompt = "离职";
    await admin.getByLabel("操作 " + username).selectOption("disable");
    await admin.getByText(/已完成，结束会话 \d+ 个/).waitFor();
    await menu(victim, "失信记录");
    await victim.getByText("会话已结束，请重新登录。").waitFor();
    await shot(victim, "14-session-ended");
  });

  await step("jobs and audit log (admin)", async () => {
    await menu(admin, "任务与发布");
    await admin.getByTestId("jobs").locator("tr").nth(1).waitFor();
    await admin.getByTestId("publications").getByText("DONE").first().waitFor();
    await shot(admin, "15-jobs");
    await menu(admin, "审计日志");
    await admin.getByTestId("audit").getByText("application.submitted").first().waitFor();
    await shot(admin, "16-audit");
  });

  await step("no request to any host but the server's", async () => {
    if (foreign.length) throw new Error("requests to other hosts: " + foreign.join(", "));
  });
} catch {
  // reported by step
} finally {
  await browser.close();
  console.log(`console e2e: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

async function face(token, target) {
  const { startFaceVerification } = await gql(token, `mutation($b:ID,$s:ID){startFaceVerification(input:{bindingId:$b,subjectId:$s}){verifyId}}`, {
    b: target.bindingId ?? null,
    s: target.subjectId ?? null,
  });
  await gql(token, `mutation($v:String!){completeFaceVerification(input:{verifyId:$v}){__typename}}`, { v: startFaceVerification.verifyId });
}
