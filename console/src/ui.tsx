import { useEffect, useState, type ReactNode } from "react";
import type { CombinedError } from "urql";
import { errText, label } from "./format";

// useRoute is the console's router: the part after "#/" split on "/".
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function go(...parts: string[]) {
  window.location.hash = "#/" + parts.map(encodeURIComponent).join("/");
}

export function Link({ to, children, testid }: { to: string[]; children: ReactNode; testid?: string }) {
  return (
    <a href={"#/" + to.map(encodeURIComponent).join("/")} data-testid={testid}>
      {children}
    </a>
  );
}

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page">
      <header className="page-head">
        <h1>{title}</h1>
        <div className="page-actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, extra }: { title?: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <div className="card">
      {title && (
        <div className="card-head">
          <h2>{title}</h2>
          {extra}
        </div>
      )}
      {children}
    </div>
  );
}

export function ErrorBox({ error }: { error?: CombinedError | string | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {typeof error === "string" ? error : errText(error)}
    </div>
  );
}

export function Notice({ text }: { text?: string | null }) {
  if (!text) return null;
  return (
    <div className="notice" role="status">
      {text}
    </div>
  );
}

export function Loading({ show }: { show: boolean }) {
  return show ? <div className="loading">加载中…</div> : null;
}

export function Empty({ show, text = "暂无数据" }: { show: boolean; text?: string }) {
  return show ? <div className="empty">{text}</div> : null;
}

export function Tag({ code, text, tone }: { code?: string | null; text: string; tone?: string }) {
  return <span className={"tag " + (tone ?? "tone-" + (code ?? "none").toLowerCase())}>{text}</span>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

export function DL({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="dl">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

// Pager shows a connection's count and the cursor stack for previous/next pages.
export function Pager({
  total,
  hasNext,
  onNext,
  onPrev,
  canPrev,
}: {
  total?: number | null;
  hasNext: boolean;
  canPrev: boolean;
  onNext: () => void;
  onPrev: () => void;
}) {
  return (
    <div className="pager">
      {total != null && <span>共 {total} 条</span>}
      <button type="button" disabled={!canPrev} onClick={onPrev}>
        上一页
      </button>
      <button type="button" disabled={!hasNext} onClick={onNext}>
        下一页
      </button>
    </div>
  );
}

// useCursor keeps the stack of `after` cursors of a paged list.
export function useCursor() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1];
  return {
    after,
    next: (c?: string | null) => c && setStack((s) => [...s, c]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    canPrev: stack.length > 1,
    reset: () => setStack([null]),
  };
}

// FilterSelect is a list filter over fixed codes: "" (allText) or one code,
// each shown by its Chinese label; choosing one calls onChange (which also
// resets the list's cursor).
export function FilterSelect({
  value,
  onChange,
  codes,
  allText,
  aria,
}: {
  value: string;
  onChange: (v: string) => void;
  codes: readonly string[];
  allText: string;
  aria: string;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={aria}>
      <option value="">{allText}</option>
      {codes.map((k) => (
        <option key={k} value={k}>
          {label(k)}
        </option>
      ))}
    </select>
  );
}

// FilterText is a list's free-text filter.
export function FilterText({ value, onChange, placeholder, aria }: { value: string; onChange: (v: string) => void; placeholder: string; aria: string }) {
  return <input placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} aria-label={aria} />;
}

// Table is the console's table: a header row of column titles ("" for a
// column without one; none for a table without a header) and the rows.
export function Table({ head, testid, children }: { head?: ReactNode[]; testid?: string; children: ReactNode }) {
  return (
    <table className="table" data-testid={testid}>
      {head && (
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>{children}</tbody>
    </table>
  );
}
