import { useMemo, useState, type FormEvent } from "react";
import { Provider, useMutation, useQuery } from "urql";
import { graphql } from "./gql";
import { getToken, makeClient, setToken } from "./client";
import { label } from "./format";
import { ErrorBox, Notice, useRoute } from "./ui";
import { Queue } from "./pages/Queue";
import { ApplicationDetail } from "./pages/ApplicationDetail";
import { SubjectView } from "./pages/Subject";
import { Cases } from "./pages/Cases";
import { Records } from "./pages/Records";
import { Reviews, ReviewDetail } from "./pages/Reviews";
import { Imports } from "./pages/Imports";
import { Deadlines } from "./pages/Deadlines";
import { Users } from "./pages/Users";
import { Jobs } from "./pages/Jobs";
import { Audit } from "./pages/Audit";
import { Dashboard } from "./pages/Dashboard";

const LoginMutation = graphql(`mutation ConsoleLogin($input: StaffLoginInput!) { staffLogin(input: $input) { token user { id role displayName } } }`);

const MeQuery = graphql(`
  query ConsoleMe {
    me {
      id
      role
      displayName
      username
    }
  }
`);

const LogoutMutation = graphql(`mutation ConsoleLogout { logout { ok } }`);

export function App() {
  const [session, setSession] = useState(0);
  const [ended, setEnded] = useState<string | null>(null);
  const client = useMemo(
    () =>
      makeClient(() => {
        setEnded("会话已结束，请重新登录。");
        setSession((n) => n + 1);
      }),
    // A new client per session: nothing cached crosses a login.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [session],
  );
  return (
    <Provider value={client}>
      {getToken() ? (
        <Shell
          onLogout={() => {
            setToken(null);
            setEnded(null);
            setSession((n) => n + 1);
          }}
        />
      ) : (
        <Login
          message={ended}
          onLogin={() => {
            setEnded(null);
            setSession((n) => n + 1);
          }}
        />
      )}
    </Provider>
  );
}

function Login({ onLogin, message }: { onLogin: () => void; message: string | null }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [res, login] = useMutation(LoginMutation);
  const [refused, setRefused] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setRefused(null);
    const r = await login({ input: { username, password } });
    const p = r.data?.staffLogin;
    if (p) {
      if (p.user.role === "ENTERPRISE") {
        setRefused("工作台仅供工作人员使用。");
        return;
      }
      setToken(p.token);
      window.location.hash = "#/queue";
      onLogin();
    }
  };
  return (
    <div className="login">
      <form onSubmit={submit} className="login-box" aria-label="登录">
        <h1>信用+供水服务</h1>
        <p className="sub">员工工作台</p>
        <Notice text={message} />
        <label className="field">
          <span>用户名</span>
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label className="field">
          <span>密码</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ErrorBox error={res.error} />
        <ErrorBox error={refused} />
        <button type="submit" className="primary" disabled={res.fetching}>
          登录
        </button>
      </form>
    </div>
  );
}

type Role = "STAFF" | "CREDIT_OFFICER" | "ADMIN" | "ENTERPRISE";

const menu: { path: string; text: string; roles?: Role[] }[] = [
  { path: "dashboard", text: "统计看板" },
  { path: "queue", text: "办理队列" },
  { path: "subjects", text: "主体查询" },
  { path: "cases", text: "案件" },
  { path: "records", text: "失信记录" },
  { path: "reviews", text: "修复与异议" },
  { path: "imports", text: "账务导入" },
  { path: "deadlines", text: "期限与提醒" },
  { path: "users", text: "用户" },
  { path: "jobs", text: "任务与发布", roles: ["ADMIN"] },
  { path: "audit", text: "审计日志", roles: ["ADMIN"] },
];

function Shell({ onLogout }: { onLogout: () => void }) {
  const [me] = useQuery({ query: MeQuery });
  const [, logout] = useMutation(LogoutMutation);
  const route = useRoute();
  const role = (me.data?.me.role ?? "STAFF") as Role;
  const section = route[0] ?? "queue";
  return (
    <div className="shell">
      <nav className="side" aria-label="主菜单">
        <div className="brand">信用+供水 · 工作台</div>
        <ul>
          {menu
            .filter((m) => !m.roles || m.roles.includes(role))
            .map((m) => (
              <li key={m.path} className={section === m.path || (section === "applications" && m.path === "queue") ? "active" : ""}>
                <a href={"#/" + m.path}>{m.text}</a>
              </li>
            ))}
        </ul>
      </nav>
      <div className="main">
        <header className="top">
          <span data-testid="whoami">
            {me.data?.me.displayName} · {label(me.data?.me.role)}
          </span>
          <button
            type="button"
            onClick={async () => {
              await logout({});
              onLogout();
            }}
          >
            退出登录
          </button>
        </header>
        <ErrorBox error={me.error} />
        {me.data && <Route route={route} role={role} meId={me.data.me.id} />}
      </div>
    </div>
  );
}

function Route({ route, role, meId }: { route: string[]; role: Role; meId: string }) {
  const [section, id] = route;
  switch (section) {
    case "dashboard":
      return <Dashboard />;
    case "applications":
      return <ApplicationDetail id={id} meId={meId} />;
    case "subjects":
      return <SubjectView id={id} />;
    case "cases":
      return <Cases role={role} />;
    case "records":
      return <Records />;
    case "reviews":
      return id ? <ReviewDetail kind={id} id={route[2]} role={role} /> : <Reviews />;
    case "imports":
      return <Imports />;
    case "deadlines":
      return <Deadlines meId={meId} />;
    case "users":
      return <Users role={role} />;
    case "jobs":
      return <Jobs />;
    case "audit":
      return <Audit />;
    default:
      return <Queue />;
  }
}
