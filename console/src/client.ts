import { Client, fetchExchange, mapExchange, cacheExchange } from "urql";

// The session token lives in sessionStorage: it ends with the tab, and the
// server ends it at once when the user is disabled (R7.1).
const tokenKey = "cw.console.token";

export function getToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function setToken(t: string | null) {
  if (t) sessionStorage.setItem(tokenKey, t);
  else sessionStorage.removeItem(tokenKey);
}

// makeClient builds the one GraphQL client of the console: same origin
// (/graphql), bearer token, and onSessionEnd when the server answers
// UNAUTHENTICATED (session ended, user disabled, token expired).
export function makeClient(onSessionEnd: () => void): Client {
  return new Client({
    url: "/graphql",
    requestPolicy: "cache-and-network",
    preferGetMethod: false,
    fetchOptions: () => {
      const t = getToken();
      const headers: Record<string, string> = t ? { Authorization: `Bearer ${t}` } : {};
      return { headers };
    },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED") && getToken()) {
            setToken(null);
            onSessionEnd();
          }
        },
      }),
      fetchExchange,
    ],
  });
}
